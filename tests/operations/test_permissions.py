import pytest

from operations.models import Inscription, Operation
from operations.permissions import can_fill, can_manage, can_see_inscriptions, manageable_plie_ids
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
    "oi_user": (True, True, False, False),
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
    assert Operation.objects.visible_to(user).filter(pk=inscription.operation_id).exists() is sees
    assert Inscription.objects.visible_to(user).filter(pk=inscription.pk).exists() is sees_people
    assert can_see_inscriptions(user, plie_id) is sees_people
    assert can_manage(user, plie_id) is manages
    assert (plie_id in manageable_plie_ids(user)) is manages
    assert can_fill(user, inscription) is fills


def test_a_referent_fills_only_the_participants_they_follow(world, inscription):
    other = InscriptionFactory(operation=inscription.operation)  # no parcours
    assert not can_fill(world.referent_a, other)
    ParcoursFactory(plie=world.plie_a, participant=other.participant, referent=world.referent_a)
    assert can_fill(world.referent_a, other)  # a parcours of the participant is theirs


def test_a_referent_who_left_the_plie_no_longer_fills(world, inscription):
    world.referent_a.memberships.all().delete()
    assert not can_fill(world.referent_a, inscription)


def test_the_superuser_manages_everything(world, inscription):
    admin = UserFactory(is_superuser=True, is_staff=True)
    assert can_manage(admin, world.plie_c.pk) and can_fill(admin, inscription)
