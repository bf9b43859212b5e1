import pytest

from operations.models import Inscription, Operation
from operations.permissions import (
    can_fill_inscription,
    can_manage_operations,
    can_view_inscriptions,
    manageable_plie_ids,
)
from plie.core.scoping import scope_for
from tests.factories import UserFactory
from tests.operations.factories import InscriptionFactory, OperationFactory
from tests.parcours.factories import ParcoursFactory

# persona -> (sees the operation, sees its enrolments, manages, fills the followed participant's)
EXPECTED = {
    "gestionnaire_a": (True, True, True, True),
    "animateur_a": (True, True, True, True),
    "admin_a": (True, True, True, True),
    "referent_a": (True, True, False, True),  # follows the participant
    "direction_a": (True, True, False, False),
    "oi_user": (True, False, False, False),  # an OI membership: aggregates only (plie.core.scoping)
    "financeur": (True, False, False, False),
    "referent_b": (False, False, False, False),
    "referent_operateur": (False, False, False, False),
    "no_role": (False, False, False, False),
}


@pytest.fixture
def inscription(world):
    operation = OperationFactory(plie=world.plie_a)
    parcours = ParcoursFactory(
        plie=world.plie_a, participant__plie=world.plie_a, en_parcours=True, referent=world.referent_a
    )
    return InscriptionFactory(operation=operation, participant=parcours.participant, parcours=parcours)


@pytest.mark.parametrize("persona", sorted(EXPECTED))
def test_who_sees_and_who_changes(world, inscription, persona):
    user = getattr(world, persona)
    sees, sees_people, manages, fills = EXPECTED[persona]
    plie_id = world.plie_a.pk
    assert Operation.objects.visible_to(scope_for(user)).filter(pk=inscription.operation_id).exists() is sees
    assert Inscription.objects.visible_to(scope_for(user)).filter(pk=inscription.pk).exists() is sees_people
    assert can_view_inscriptions(scope_for(user), plie_id) is sees_people
    assert can_manage_operations(scope_for(user), plie_id) is manages
    assert (plie_id in manageable_plie_ids(scope_for(user))) is manages
    assert can_fill_inscription(scope_for(user), inscription) is fills


def test_a_referent_fills_only_the_participants_they_follow(world, inscription):
    other = InscriptionFactory(operation=inscription.operation)  # no parcours
    assert not can_fill_inscription(scope_for(world.referent_a), other)
    ParcoursFactory(plie=world.plie_a, participant=other.participant, referent=world.referent_a)
    assert can_fill_inscription(scope_for(world.referent_a), other)  # a parcours of the participant is theirs


def test_a_referent_who_left_the_plie_no_longer_fills(world, inscription):
    world.referent_a.memberships.all().delete()
    assert not can_fill_inscription(scope_for(world.referent_a), inscription)


def test_the_superuser_manages_everything(world, inscription):
    admin = UserFactory(is_superuser=True, is_staff=True)
    assert can_manage_operations(scope_for(admin), world.plie_c.pk) and can_fill_inscription(
        scope_for(admin), inscription
    )


# --- the table: role × PLIE × object ----------------------------------------------------------

from operations import permissions  # noqa: E402
from tests.permissions_table import PERSONAS, allowed_by, assert_every_predicate_tabled, check_table  # noqa: E402


def plie_a(world):
    return world.plie_a.pk


def followed_inscription(world):
    operation = OperationFactory(plie=world.plie_a)
    parcours = ParcoursFactory(
        plie=world.plie_a, participant__plie=world.plie_a, en_parcours=True, referent=world.referent_a
    )
    return InscriptionFactory(operation=operation, participant=parcours.participant, parcours=parcours)


MANAGERS = ("gestionnaire_a", "animateur_a", "admin_a")
PERSONAL_A = ("referent_a", "animateur_a", "gestionnaire_a", "direction_a", "admin_a")

ROWS = [
    ("can_manage_operations", plie_a, allowed_by(*MANAGERS)),
    ("can_control_operations", plie_a, allowed_by(*MANAGERS, "direction_a")),
    ("can_export_mdfse", plie_a, allowed_by(*MANAGERS)),  # Q3 in clear: not direction
    ("can_manage_actions_collectives", plie_a, allowed_by(*MANAGERS)),
    ("can_view_inscriptions", plie_a, allowed_by(*PERSONAL_A)),
    ("can_fill_inscription", followed_inscription, allowed_by(*MANAGERS, "referent_a")),
]


def test_every_predicate_has_its_row():
    assert_every_predicate_tabled(permissions, ROWS)


@pytest.mark.parametrize("persona", PERSONAS)
def test_the_table(world, persona):
    assert check_table(world, permissions, ROWS, persona) == []
