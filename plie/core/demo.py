"""The demo world behind ``manage.py seed_demo``: plain functions, one per step.

:func:`build_world` runs the steps in order on a shared :class:`DemoWorld`:

1. :func:`create_oi_and_plies`: one OI grouping K PLIE with stable codes (``plie-lyon-sud``…);
2. :func:`create_partner_structures`: per PLIE two opérateurs (an SIAE, an organisme de
   formation) and three prescripteurs (France Travail, Mission Locale, CCAS); one financeur
   (the Département) partner of every PLIE;
3. :func:`create_users`: per PLIE every role (about one référent per 80 parcours of the file
   active, at least two), a direction user on the OI, a financeur user and the superuser
   ``admin@demo.plie.fr``.

**Extension point.** The apps add their steps (participants first: the participants, their
situation at entry and freins; then parcours, operations…) with
:func:`plie.core.registry.register_demo_step` from their ``AppConfig.ready()``; they run after
the core steps, in registration order (``INSTALLED_APPS`` order), see :func:`demo_steps`. A step
reads what earlier steps created from the world (``world.plies``, ``world.referents``…) or
re-reads it with ``values_list`` (participants are not kept in memory), and draws its randomness
only from ``world.random("<step>")`` / ``world.faker("<step>")``: each step gets its own
generators seeded from ``--seed`` and the step's label, so the same arguments give the same data
and adding a step never changes what the earlier ones produce.

**Dates.** The world is drawn relative to ``world.today``, the day it is loaded (``seed_demo
--date`` pins it; tests and the bench use :data:`PINNED_DATE`): entries over the
:data:`HISTORY_YEARS` years before it, recent entretiens, appointments in the days around it,
alerts due on it. The same (seed, day) gives the same world; the day is recorded in
:class:`~plie.core.models.DemoDataset` and :func:`staleness_message` tells ``make run`` when the
demo has aged.

**Speed and history.** Rows are written with ``bulk_create(batch_size=...)`` and the demo
password is hashed once, so 100,000 participants take a few minutes at most on PostgreSQL.
``bulk_create`` sends no ``post_save`` signal: django-simple-history writes **no** historical
record for demo data (the history starts with the first real change).
"""

import datetime
import random
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from itertools import islice
from typing import TextIO

from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone
from faker import Faker

from plie.core import registry
from plie.core.enums import Role, StructureKind
from plie.core.models import DemoDataset, Membership, Structure, User

DEMO_PASSWORD = "demo-plie-2026"
DEMO_EMAIL_DOMAIN = "demo"  # every demo login ends with ".demo", except the superuser
SUPERUSER_EMAIL = "admin@demo.plie.fr"
OI_SLUG = "oi-auvergne-rhone-alpes"
FINANCEUR_SLUG = "departement"
BATCH_SIZE = 2000
PARTICIPANTS_PER_REFERENT = 80  # the norm of a référent's file active (docs/domaine.md §2)
# Share of the participants in the file active on the reference day (in parcours, suspended, in
# employment follow-up): the others exited over seven years, or are candidates or not admitted.
ACTIVE_SHARE = 0.25  # measured on the demo: about 140 active of 565 participants
MIN_REFERENTS = 2
# ``make run``'s demo: PLIE Lyon Sud gets about 650 of them, so its first référent (the demo
# référent) follows about 80 active parcours.
DEFAULT_PARTICIPANTS = 1500
HISTORY_YEARS = 7  # the demo's past: entries from the reference day minus 7 years
# The reference day the tests and the bench pin (``seed_demo --date 01/01/2026``, ``build_world(today=...)``)
# so their figures do not move with the calendar; ``make run`` seeds on the day it runs.
PINNED_DATE = datetime.date(2026, 1, 1)
STALE_AFTER_DAYS = 3  # ``make run`` says so when the demo is older than this

# (code, PLIE name, territory) — the first K are used, then ``plie-N`` / « PLIE N ».
PLIE_CATALOGUE = (
    ("plie-lyon-sud", "PLIE Lyon Sud", "Lyon Sud"),
    ("plie-nord-isere", "PLIE Nord-Isère", "Nord-Isère"),
    ("plie-villeurbanne", "PLIE de Villeurbanne", "Villeurbanne"),
    ("plie-uni-est", "PLIE UNI-EST", "Est lyonnais"),
    ("plie-grenoble-alpes", "PLIE Grenoble-Alpes", "Grenoble"),
    ("plie-saint-etienne", "PLIE de Saint-Étienne", "Saint-Étienne"),
    ("plie-vienne-condrieu", "PLIE Vienne Condrieu", "Vienne"),
    ("plie-bourg-en-bresse", "PLIE du bassin de Bourg-en-Bresse", "Bourg-en-Bresse"),
    ("plie-valence-romans", "PLIE Valence Romans", "Valence"),
    ("plie-chambery", "PLIE du Grand Chambéry", "Chambéry"),
    ("plie-annecy", "PLIE du Grand Annecy", "Annecy"),
    ("plie-clermont", "PLIE Clermont Auvergne", "Clermont-Ferrand"),
)

# Main commune of each catalogued PLIE, for the participants' addresses.
PLIE_COMMUNES = {
    "plie-lyon-sud": ("Lyon", "69008"),
    "plie-nord-isere": ("Bourgoin-Jallieu", "38300"),
    "plie-villeurbanne": ("Villeurbanne", "69100"),
    "plie-uni-est": ("Vaulx-en-Velin", "69120"),
    "plie-grenoble-alpes": ("Grenoble", "38000"),
    "plie-saint-etienne": ("Saint-Étienne", "42000"),
    "plie-vienne-condrieu": ("Vienne", "38200"),
    "plie-bourg-en-bresse": ("Bourg-en-Bresse", "01000"),
    "plie-valence-romans": ("Valence", "26000"),
    "plie-chambery": ("Chambéry", "73000"),
    "plie-annecy": ("Annecy", "74000"),
    "plie-clermont": ("Clermont-Ferrand", "63000"),
}

# (structure kind, name pattern) of each PLIE's partners: an SIAE and a training body, three prescripteurs.
PARTNERS = (
    (StructureKind.OPERATEUR, "ACI Jardins solidaires {territoire}"),
    (StructureKind.OPERATEUR, "Centre de formation AFPA {territoire}"),
    (StructureKind.PRESCRIPTEUR, "France Travail {territoire}"),
    (StructureKind.PRESCRIPTEUR, "Mission Locale {territoire}"),
    (StructureKind.PRESCRIPTEUR, "CCAS {territoire}"),
)

# Roles held in each PLIE besides the référents (one user each).
PLIE_STAFF_ROLES = (
    Role.ANIMATION,
    Role.GESTIONNAIRE,
    Role.DIRECTION,
    Role.ADMINISTRATEUR,
    Role.DPO,
    Role.RELATIONS_ENTREPRISES,
)


def plie_identity(index):
    """(code, nom, territoire) of the ``index``-th PLIE (0-based): the catalogue, then ``plie-N``."""
    if index < len(PLIE_CATALOGUE):
        return PLIE_CATALOGUE[index]
    number = index + 1
    return f"plie-{number}", f"PLIE {number}", f"territoire {number}"


def referent_count(participants):
    """About one référent per 80 parcours of the file active (:data:`ACTIVE_SHARE` of the
    participants), at least two."""
    return max(MIN_REFERENTS, round(participants * ACTIVE_SHARE / PARTICIPANTS_PER_REFERENT))


def demo_email(role, slug, number=1):
    """``referent@plie-lyon-sud.demo``, then ``referent-2@plie-lyon-sud.demo``…"""
    local = role if number == 1 else f"{role}-{number}"
    return f"{local}@{slug}.{DEMO_EMAIL_DOMAIN}"


def is_demo_email(email):
    return email == SUPERUSER_EMAIL or email.endswith(f".{DEMO_EMAIL_DOMAIN}")


def split_participants(total, weights):
    """Share ``total`` between the weights, by largest remainder: the parts sum to ``total``."""
    weight_sum = sum(weights)
    exact = [total * weight / weight_sum for weight in weights]
    parts = [int(value) for value in exact]
    by_remainder = sorted(range(len(weights)), key=lambda i: (exact[i] - parts[i], -i), reverse=True)
    for i in by_remainder[: total - sum(parts)]:
        parts[i] += 1
    return parts


def bulk_insert(model, objs):
    """Insert ``objs`` (any iterable, a generator included) ``BATCH_SIZE`` at a time; returns the
    created objects (with their ids on PostgreSQL)."""
    created = []
    it = iter(objs)
    while batch := list(islice(it, BATCH_SIZE)):
        created.extend(model.objects.bulk_create(batch, batch_size=BATCH_SIZE))
    return created


@dataclass
class DemoWorld:
    """What the steps share: the arguments, the objects created so far and the seeded generators."""

    participants: int
    plie_count: int
    seed: int
    today: datetime.date = PINNED_DATE  # the demo's « today »: every date is drawn relative to it
    stdout: TextIO = field(default_factory=lambda: sys.stdout)
    password_hash: str = ""
    oi: Structure | None = None
    plies: list = field(default_factory=list)
    participants_per_plie: dict = field(default_factory=dict)  # PLIE id -> number of participants
    partners: dict = field(default_factory=dict)  # PLIE id -> [Structure]
    financeur: Structure | None = None
    referents: dict = field(default_factory=dict)  # PLIE id -> [User]
    users: list = field(default_factory=list)
    created: Counter = field(default_factory=Counter)  # what was created, for the summary

    def random(self, step):
        """A :class:`random.Random` for ``step``, seeded from the seed and the step's label."""
        return random.Random(f"{self.seed}:{step}")

    def faker(self, step):
        fake = Faker("fr_FR")
        fake.seed_instance(f"{self.seed}:{step}")
        return fake

    def log(self, message):
        self.stdout.write(f"{message}\n")


def create_oi_and_plies(world):
    rng = world.random("plies")
    world.oi = Structure.objects.create(kind=StructureKind.OI, nom="OI Alliance PLIE Auvergne-Rhône-Alpes")
    world.plies = Structure.objects.bulk_create(
        [
            Structure(kind=StructureKind.PLIE, nom=nom, code=code, oi=world.oi)
            for code, nom, _ in map(plie_identity, range(world.plie_count))
        ]
    )
    # Some PLIE are bigger than others (weights 0.6–1.4), the total is exactly N.
    weights = [rng.uniform(0.6, 1.4) for _ in world.plies]
    counts = split_participants(world.participants, weights)
    world.participants_per_plie = {plie.id: count for plie, count in zip(world.plies, counts, strict=True)}
    world.created["structures"] += 1 + len(world.plies)


def create_partner_structures(world):
    links = Structure.plies.through
    partners = []
    for index, plie in enumerate(world.plies):
        territoire = plie_identity(index)[2]
        for kind, pattern in PARTNERS:
            partners.append((plie, Structure(kind=kind, nom=pattern.format(territoire=territoire))))
    Structure.objects.bulk_create([structure for _, structure in partners])
    for plie, structure in partners:
        world.partners.setdefault(plie.id, []).append(structure)
    world.financeur = Structure.objects.create(kind=StructureKind.FINANCEUR, nom="Département du Rhône")
    links.objects.bulk_create(
        [links(from_structure_id=structure.id, to_structure_id=plie.id) for plie, structure in partners]
        + [links(from_structure_id=world.financeur.id, to_structure_id=plie.id) for plie in world.plies]
    )
    world.created["structures"] += len(partners) + 1


def create_users(world):
    fake = world.faker("users")
    world.password_hash = world.password_hash or make_password(DEMO_PASSWORD)
    users, memberships = [], []

    def person(email, role=None, structure=None, **extra):
        user = User(
            email=email,
            first_name=fake.first_name(),
            last_name=fake.last_name(),
            password=world.password_hash,
            **extra,
        )
        users.append(user)
        if role is not None:
            memberships.append((user, structure, role))
        return user

    person(SUPERUSER_EMAIL, is_staff=True, is_superuser=True)
    person(demo_email(Role.DIRECTION, OI_SLUG), Role.DIRECTION, world.oi)
    person(demo_email(Role.FINANCEUR, FINANCEUR_SLUG), Role.FINANCEUR, world.financeur)
    for plie in world.plies:
        for role in PLIE_STAFF_ROLES:
            person(demo_email(role, plie.code), role, plie)
        count = referent_count(world.participants_per_plie[plie.id])
        world.referents[plie.id] = [
            person(demo_email(Role.REFERENT, plie.code, number), Role.REFERENT, plie)
            for number in range(1, count + 1)
        ]
    User.objects.bulk_create(users, batch_size=BATCH_SIZE)
    Membership.objects.bulk_create(
        [Membership(user=user, structure=structure, role=role) for user, structure, role in memberships],
        batch_size=BATCH_SIZE,
    )
    world.users = users
    world.created["utilisateurs"] += len(users)


CORE_STEPS = (create_oi_and_plies, create_partner_structures, create_users)


def demo_steps():
    """The core steps, then the steps the apps registered (:mod:`plie.core.registry`), in order."""
    return [*CORE_STEPS, *registry.demo_steps()]


def years_before(day, years):
    """``day`` ``years`` years earlier (29 February becomes the 28th)."""
    try:
        return day.replace(year=day.year - years)
    except ValueError:
        return day.replace(year=day.year - years, day=28)


def build_world(*, participants=DEFAULT_PARTICIPANTS, plies=3, seed=42, today=None, stdout=None, steps=None):
    """Create the whole demo world in one transaction, its dates relative to ``today`` (the
    local date by default); returns the :class:`DemoWorld`. The same (seed, today) gives the
    same world; the reference day is recorded in :class:`~plie.core.models.DemoDataset`."""
    world = DemoWorld(
        participants=participants,
        plie_count=plies,
        seed=seed,
        today=today or timezone.localdate(),
        stdout=stdout or sys.stdout,
    )
    with transaction.atomic():
        for step in demo_steps() if steps is None else steps:
            started = time.perf_counter()
            step(world)
            world.log(f"  {step.__name__} : {time.perf_counter() - started:.1f} s")
        DemoDataset.objects.all().delete()
        DemoDataset.objects.create(
            reference_date=world.today, seed=seed, participants=participants, plies=plies
        )
    return world


def staleness_message(today=None):
    """A French message when the demo in the database is more than :data:`STALE_AFTER_DAYS` days
    older than ``today`` (its appointments are past, its alerts grow), else ``None``."""
    today = today or timezone.localdate()
    dataset = DemoDataset.objects.order_by("-pk").first()
    if dataset is None or (today - dataset.reference_date).days <= STALE_AFTER_DAYS:
        return None
    days = (today - dataset.reference_date).days
    return (
        f"La démonstration date du {dataset.reference_date:%d/%m/%Y} (il y a {days} jours) : ses "
        "rendez-vous sont passés et ses alertes ont vieilli. Pour la recréer à la date du jour : "
        "make demo-reset (efface la base de démonstration et la recharge)."
    )
