import datetime
import io
import random
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth.hashers import check_password
from django.core.management import CommandError, call_command

from participants import demo as participants_demo
from participants.models import Participant
from plie.core import demo, registry
from plie.core.enums import Role, StructureKind
from plie.core.models import Membership, Structure, User
from plie.core.scoping import scope_for

PARIS = ZoneInfo("Europe/Paris")


def seed(**options):
    """``seed_demo`` on the pinned reference day (the figures do not move with the calendar)."""
    options.setdefault("date", demo.PINNED_DATE.isoformat())
    call_command("seed_demo", stdout=io.StringIO(), **options)


def snapshot():
    """Everything the seed decides, without ids or timestamps."""
    return {
        "structures": list(Structure.objects.order_by("id").values_list("kind", "nom", "code", "oi__nom")),
        "users": list(User.objects.order_by("id").values_list("email", "first_name", "last_name")),
        "memberships": list(
            Membership.objects.order_by("id").values_list("user__email", "structure__nom", "role")
        ),
        "participants": list(
            Participant.objects.order_by("id").values_list(
                "plie__code", "nom", "prenom", "nom_naissance", "sexe", "date_naissance"
            )
        ),
    }


def wipe():
    from entreprises.models import ActionEntreprise, Convention, Employeur, Marche, MiseEnRelation, Offre
    from finances.models import Affectation, Depense, FicheTemps, LigneTemps, Personnel, Ressource
    from parcours.models import Commission, Decision, Parcours, Sortie, TypeSortie

    LigneTemps.objects.all().delete()
    FicheTemps.objects.all().delete()
    Affectation.objects.all().delete()
    Depense.objects.all().delete()
    Ressource.objects.all().delete()
    Personnel.objects.all().delete()  # their salaries go with them
    MiseEnRelation.objects.all().delete()
    ActionEntreprise.objects.all().delete()
    Marche.objects.all().delete()
    Convention.objects.all().delete()
    Offre.objects.all().delete()
    Employeur.objects.all().delete()

    Decision.objects.all().delete()
    Sortie.objects.all().delete()
    TypeSortie.objects.all().delete()
    Parcours.objects.all().delete()
    Commission.objects.all().delete()
    Participant.objects.all().delete()
    from operations.models import Operation

    Operation.objects.all().delete()  # their enrolments went with the participants
    User.objects.all().delete()
    Structure.objects.exclude(kind=StructureKind.OI).delete()
    Structure.objects.all().delete()


@pytest.mark.django_db
def test_same_arguments_give_the_same_world():
    seed(participants=60, plie=2, seed=7)
    first = snapshot()
    wipe()
    seed(participants=60, plie=2, seed=7)
    assert snapshot() == first
    assert len(first["participants"]) == 60
    wipe()
    seed(participants=60, plie=2, seed=8)
    assert snapshot()["participants"] != first["participants"]


@pytest.mark.django_db
def test_the_world_has_an_oi_plies_with_codes_partners_and_every_role():
    seed(participants=200, plie=3)
    oi = Structure.objects.get(kind=StructureKind.OI)
    plies = list(Structure.objects.plies().order_by("id"))
    assert [plie.code for plie in plies] == ["plie-lyon-sud", "plie-nord-isere", "plie-villeurbanne"]
    assert all(plie.oi == oi for plie in plies)
    for plie in plies:
        kinds = set(plie.partenaires.values_list("kind", flat=True))
        assert kinds == {StructureKind.OPERATEUR, StructureKind.PRESCRIPTEUR, StructureKind.FINANCEUR}
        roles = set(Membership.objects.filter(structure=plie).values_list("role", flat=True))
        assert roles == set(Role.values) - {Role.FINANCEUR}
        # about one référent per 80 parcours of the file active, at least two
        referents = Membership.objects.filter(structure=plie, role=Role.REFERENT).count()
        assert referents == demo.referent_count(plie.participants.count())
        # every role of the PLIE, the financeur included, sees it
        for role in Role.values:
            assert any(
                scope_for(user).has_role(role, plie_id=plie.id)
                for user in User.objects.filter(memberships__role=role)
            ), role
    assert Participant.objects.count() == 200
    assert set(scope_for(User.objects.get(email="direction@oi-auvergne-rhone-alpes.demo")).plie_ids) == {
        plie.id for plie in plies
    }
    assert User.objects.get(email=demo.SUPERUSER_EMAIL).is_superuser
    # the partner accounts (issue 16): a France Travail conseiller, an opérateur's référent
    conseiller = scope_for(User.objects.get(email="conseiller@francetravail-plie-lyon-sud.demo"))
    assert conseiller.prescripteur_structure_ids and not conseiller.personal_plie_ids
    operateur = User.objects.get(email="referent@operateur-plie-lyon-sud.demo")
    assert scope_for(operateur).assigned_only_plie_ids == {plies[0].id}
    assert operateur.parcours_suivis.exists()


@pytest.mark.django_db
def test_participants_are_plausible():
    seed(participants=300, plie=3)
    participants = list(Participant.objects.all())
    assert {p.sexe for p in participants} == {"F", "M"}
    for participant in participants:
        age = (
            demo.PINNED_DATE.year
            - participant.date_naissance.year
            - (
                (demo.PINNED_DATE.month, demo.PINNED_DATE.day)
                < (participant.date_naissance.month, participant.date_naissance.day)
            )
        )
        assert participants_demo.MIN_AGE <= age <= participants_demo.MAX_AGE
        assert participant.nom and participant.prenom
        if participant.nom_naissance:
            assert participant.sexe == "F"
            assert participant.nom_naissance != participant.nom
    assert any(p.nom_naissance for p in participants)
    # bulk data writes no history
    assert not Participant.history.exists()


@pytest.mark.django_db
def test_a_demo_login_works_with_the_demo_password(client):
    seed(participants=0, plie=1)
    user = User.objects.get(email="gestionnaire@plie-lyon-sud.demo")
    assert check_password(demo.DEMO_PASSWORD, user.password)
    # hashed once for everybody
    assert set(User.objects.values_list("password", flat=True)) == {user.password}
    assert client.login(email="referent@plie-lyon-sud.demo", password=demo.DEMO_PASSWORD)
    assert client.get("/participants/").status_code == 200


@pytest.mark.django_db
def test_zero_participants_creates_structures_and_users_only():
    seed(participants=0, plie=2)
    assert Participant.objects.count() == 0
    assert Structure.objects.plies().count() == 2
    # the minimum of two per PLIE (the demo's partner accounts are référents of their structure)
    assert Membership.objects.filter(role=Role.REFERENT, structure__kind=StructureKind.PLIE).count() == 4


@pytest.mark.django_db
def test_if_empty_does_nothing_when_a_plie_exists():
    seed(participants=10, plie=1)
    before = snapshot()
    out = io.StringIO()
    call_command("seed_demo", "--if-empty", stdout=out)
    assert "déjà" in out.getvalue()
    assert snapshot() == before
    with pytest.raises(CommandError, match="déjà des PLIE"):
        seed(participants=10)


@pytest.mark.django_db
def test_if_empty_seeds_an_empty_database():
    call_command("seed_demo", "--if-empty", "--participants", "5", stdout=io.StringIO())
    assert Participant.objects.count() == 5


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"participants": -1}, "--participants doit être positif"),
        ({"plie": 0}, "--plie doit valoir au moins 1"),
    ],
)
@pytest.mark.django_db
def test_bad_arguments_are_refused(options, message):
    with pytest.raises(CommandError, match=message):
        seed(**options)
    assert not Structure.objects.exists()


@pytest.mark.django_db
def test_demo_logins_lists_the_existing_demo_users():
    out = io.StringIO()
    call_command("demo_logins", stdout=out)
    assert "Aucun compte" in out.getvalue()
    # 5 référents (the last ones are summarised): the core steps are enough
    demo.build_world(
        participants=1600, plies=1, today=demo.PINNED_DATE, stdout=io.StringIO(), steps=demo.CORE_STEPS
    )
    out = io.StringIO()
    call_command("demo_logins", stdout=out)
    text = out.getvalue()
    assert demo.DEMO_PASSWORD in text
    for email in (
        demo.SUPERUSER_EMAIL,
        "direction@oi-auvergne-rhone-alpes.demo",
        "gestionnaire@plie-lyon-sud.demo",
    ):
        assert email in text
    assert "PLIE Lyon Sud" in text
    assert "Démonstration du 01/01/2026 (graine 42)." in text
    assert "… et 2 autres (referent-5@plie-lyon-sud.demo)" in text


def test_plie_codes_are_stable_then_numbered():
    assert demo.plie_identity(0)[0] == "plie-lyon-sud"
    assert demo.plie_identity(1)[0] == "plie-nord-isere"
    assert demo.plie_identity(len(demo.PLIE_CATALOGUE))[0] == f"plie-{len(demo.PLIE_CATALOGUE) + 1}"
    codes = [demo.plie_identity(i)[0] for i in range(30)]
    assert len(set(codes)) == 30


@pytest.mark.parametrize(
    ("total", "weights", "parts"),
    [(10, [1, 1], [5, 5]), (10, [1, 1, 1], [4, 3, 3]), (0, [1, 2], [0, 0]), (7, [1.4, 0.6], [5, 2])],
)
def test_split_participants_sums_to_the_total(total, weights, parts):
    assert demo.split_participants(total, weights) == parts


@pytest.mark.parametrize(
    ("participants", "referents"), [(0, 2), (100, 2), (600, 2), (1000, 3), (1600, 5), (10000, 31)]
)
def test_referent_count(participants, referents):
    assert demo.referent_count(participants) == referents


def test_the_apps_steps_run_after_the_core_steps_in_app_order():
    steps = demo.demo_steps()
    assert steps[: len(demo.CORE_STEPS)] == list(demo.CORE_STEPS)
    assert [registry.key_of(step) for step in steps[len(demo.CORE_STEPS) :]] == [
        "participants.demo.create_participants",
        "participants.demo.create_situations_and_freins",
        "parcours.demo.create_parcours",
        "parcours.demo.create_partner_accounts",
        "entreprises.demo.create_entreprises",
        "operations.demo.create_operations",
        "finances.demo.create_finances",
    ]


@pytest.mark.django_db
def test_an_app_adds_its_steps_through_the_registry():
    def count_plies(world):
        world.created["extension"] = len(world.plies)
        world.extension_draw = world.random("fakeapp").random()

    registry.register_demo_step(count_plies)
    try:
        steps = demo.demo_steps()
        names = [step.__name__ for step in steps]
        assert names[: len(demo.CORE_STEPS)] == [step.__name__ for step in demo.CORE_STEPS]
        assert "create_situations_and_freins" in names  # registered by ParticipantsConfig.ready()
        assert names[-1] == "count_plies"  # registered last, as a later app would
        world = demo.build_world(participants=5, plies=2, seed=3, stdout=io.StringIO())
    finally:
        registry.DEMO_STEPS.unregister(count_plies)
    assert count_plies not in demo.demo_steps()
    assert world.created["extension"] == 2
    assert world.extension_draw == random.Random("3:fakeapp").random()


# --- the reference day, an old demo, the reset ----------------------------------------------------


@pytest.mark.parametrize("typed", ["15/03/2027", "2027-03-15"])
@pytest.mark.django_db
def test_date_pins_the_reference_day(typed):
    from plie.core.models import DemoDataset

    call_command("seed_demo", participants=40, plie=1, date=typed, sans_nocturne=True, stdout=io.StringIO())
    dataset = DemoDataset.objects.get()
    assert dataset.reference_date == datetime.date(2027, 3, 15)
    assert (dataset.seed, dataset.participants, dataset.plies) == (42, 40, 1)
    # every date drawn relative to it: the last entries are before it, the first within seven years
    from participants.models import SituationEntree

    entries = SituationEntree.objects.values_list("date_entree", flat=True)
    assert max(entries) <= dataset.reference_date
    assert min(entries) >= datetime.date(2020, 3, 15)


@pytest.mark.django_db
def test_a_bad_date_is_refused_in_french():
    with pytest.raises(CommandError, match="--date : « 31/02/2027 » n'est pas une date qui existe"):
        seed(participants=5, date="31/02/2027")
    assert not Structure.objects.exists()


@pytest.mark.django_db
def test_the_same_seed_and_day_give_the_same_world_another_day_shifts_it():
    seed(participants=30, plie=1, date="10/03/2027")
    first = snapshot()
    wipe()
    seed(participants=30, plie=1, date="10/03/2027")
    assert snapshot() == first
    wipe()
    seed(participants=30, plie=1, date="10/03/2028")
    later = snapshot()
    # the same people, a year older on paper: born a year later
    assert [row[:5] for row in later["participants"]] == [row[:5] for row in first["participants"]]
    assert later["participants"] != first["participants"]


@pytest.mark.django_db
def test_if_empty_says_when_the_demo_is_old(time_machine):
    time_machine.move_to(datetime.datetime(2027, 3, 20, 9, 0, tzinfo=PARIS), tick=False)
    seed(participants=10, plie=1, date="16/03/2027", sans_nocturne=True)  # 4 days old
    out = io.StringIO()
    call_command("seed_demo", "--if-empty", stdout=out)
    text = out.getvalue()
    assert "La démonstration date du 16/03/2027 (il y a 4 jours)" in text
    assert "make demo-reset" in text
    # three days old: nothing said
    time_machine.move_to(datetime.datetime(2027, 3, 19, 9, 0, tzinfo=PARIS), tick=False)
    out = io.StringIO()
    call_command("seed_demo", "--if-empty", stdout=out)
    assert "La démonstration date" not in out.getvalue()
    assert demo.staleness_message(datetime.date(2027, 3, 19)) is None


@pytest.mark.django_db(transaction=True)  # flush truncates: not inside the test's transaction
def test_reset_empties_the_database_and_loads_a_demo_of_the_day(time_machine):
    from parcours.models import Alerte
    from plie.core.models import DemoDataset

    time_machine.move_to(datetime.datetime(2027, 3, 20, 9, 0, tzinfo=PARIS), tick=False)
    seed(participants=10, plie=2, date="01/01/2027", sans_nocturne=True)
    out = io.StringIO()
    call_command("seed_demo", "--reset", "--participants", "60", "--plie", "1", stdout=out)
    assert "Base vidée" in out.getvalue()
    assert DemoDataset.objects.get().reference_date == datetime.date(2027, 3, 20)
    assert Structure.objects.plies().count() == 1
    assert Participant.objects.count() == 60
    # the night of the loading day ran: the alerts are there
    assert set(Alerte.objects.values_list("computed_on", flat=True)) == {datetime.date(2027, 3, 20)}
