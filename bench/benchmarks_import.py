"""The legacy import (issues 8 and 17): 121,000 generated rows into an empty PLIE, target < 30 s.

Each run creates a new PLIE with its référents, imports the file (validation, then the bulk
writes in one transaction) and rolls everything back, so the bench database does not grow. The
file is generated once per process (CSV, « ; », UTF-8): about 104,000 people, a quarter of them
with two parcours, two thirds of the parcours exited with a code of the default referential."""

import datetime
import random
import tempfile
from pathlib import Path

from bench.registry import benchmark

ROWS = 121_000
SMALL_ROWS = 200  # a dataset built outside ``python -m bench`` (the bench's own test): a tiny file
TARGET_MS = 30_000
SEED = 8
REFERENTS = 12
CODES = (
    "CDI",
    "CDD_6M",
    "INTERIM_6M",
    "FORMATION_QUALIFIANTE",
    "CONTRAT_AIDE",
    "ABANDON",
    "DEMENAGEMENT",
    "REORIENTATION",
    "SANTE",
    "AUTRE",
)
NIVEAUX = ("2a", "2b", "2c", "2d", "VI", "Vbis", "V", "IV", "III", "")
OUI_NON = ("oui", "non", "")
NOMS = ("Martin", "Bernard", "Dubois", "Thomas", "Robert", "Richard", "Petit", "Durand", "Leroy", "Moreau")
PRENOMS = ("Léa", "Hugo", "Chloé", "Lucas", "Inès", "Nathan", "Manon", "Karim", "Zoé", "Noé")
PRESCRIPTEURS = ("France Travail", "Mission Locale", "CCAS", "Département", "CAP Emploi")

_FILES = {}


def generate_rows(count, *, seed=SEED, referents=(), today=datetime.date(2026, 6, 1)):
    """Yield ``count`` rows (dicts) of a valid legacy file: people with one or two successive
    parcours, exits before today, référents among ``referents`` (emails) or none."""
    rng = random.Random(seed)
    person = 0
    emitted = 0
    while emitted < count:
        person += 1
        naissance = datetime.date(1960, 1, 1) + datetime.timedelta(days=rng.randrange(40 * 365))
        identity = {
            "identifiant": f"ANC{person:07d}",
            "nom": f"{rng.choice(NOMS)}{person}",
            "prenom": rng.choice(PRENOMS),
            "sexe": rng.choice("FM"),
            "date_naissance": f"{naissance:%d/%m/%Y}",
            "code_postal": rng.choice(("69001", "69200", "38000", "")),
        }
        entree = datetime.date(2015, 1, 1) + datetime.timedelta(days=rng.randrange(10 * 365))
        for _ in range(2 if rng.random() < 0.25 else 1):
            if emitted >= count or entree >= today:
                break
            sortie = entree + datetime.timedelta(days=rng.randint(60, 900))
            exited = sortie < today and rng.random() < 0.7
            yield {
                **identity,
                "referent_email": rng.choice(referents) if referents and rng.random() < 0.9 else "",
                "prescripteur": rng.choice(PRESCRIPTEURS),
                "date_entree": f"{entree:%d/%m/%Y}",
                "date_sortie": f"{sortie:%d/%m/%Y}" if exited else "",
                "type_sortie": rng.choice(CODES) if exited else "",
                "niveau_formation": rng.choice(NIVEAUX),
                "brsa": rng.choice(OUI_NON),
                "deld": rng.choice(OUI_NON),
                "th": rng.choice(OUI_NON),
                "qpv": rng.choice(OUI_NON),
            }
            emitted += 1
            if not exited:
                break
            entree = sortie + datetime.timedelta(days=rng.randint(1, 400))


def write_csv(path, count, *, seed=SEED, referents=()):
    import csv

    from parcours.importation.lecture import COLONNES

    with open(path, "w", newline="", encoding="utf-8") as out:
        writer = csv.DictWriter(out, fieldnames=COLONNES, delimiter=";")
        writer.writeheader()
        writer.writerows(generate_rows(count, seed=seed, referents=referents))
    return path


def referent_emails(count=REFERENTS):
    return [f"referent.import{i}@bench.exemple.fr" for i in range(count)]


def import_into_new_plie(path, *, rollback=True):
    """Create an empty PLIE with its référents and import ``path`` into it (rolled back unless
    ``rollback`` is false); returns the counts."""
    from django.db import connection, transaction

    from parcours.importation.services import importer
    from plie.core.enums import Role, StructureKind
    from plie.core.models import Membership, Structure, User

    with transaction.atomic():
        suffix = random.randrange(10**9)
        plie = Structure.objects.create(
            kind=StructureKind.PLIE, nom=f"PLIE import {suffix}", code=f"imp-{suffix}"
        )
        for email in referent_emails():
            user, _ = User.objects.get_or_create(email=email)
            Membership.objects.create(user=user, structure=plie, role=Role.REFERENT)
        with open(path, "rb") as binary:
            resultat, compteurs = importer(binary, Path(path).name, plie)
        if not resultat.valide:
            raise AssertionError(f"{resultat.nb_erreurs} erreurs : {resultat.erreurs[:3]}")
        if rollback:
            if connection.vendor == "postgresql":  # run the deferred foreign key checks first
                with connection.cursor() as cursor:
                    cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            transaction.set_rollback(True)
    return compteurs


@benchmark("import.parcours_121k", target_ms=TARGET_MS, writes=True)
def import_121k(ctx):
    """Import 121,000 legacy rows into an empty PLIE (validation + bulk writes), rolled back."""
    rows = ROWS if ctx.dataset.get("participants") else SMALL_ROWS
    if rows not in _FILES:
        path = Path(tempfile.mkdtemp(prefix="bench-import-")) / "ancien_outil.csv"
        _FILES[rows] = write_csv(path, rows, referents=referent_emails())
    compteurs = import_into_new_plie(_FILES[rows])
    assert compteurs.parcours_crees == rows
