import pytest

from plie.core.enums import Role
from tests.factories import MembershipFactory, UserFactory


@pytest.fixture
def world(world):
    """The common personas plus a chargée de relations entreprises of PLIE A."""
    user = UserFactory(email="entreprises.a@exemple.fr")
    MembershipFactory(user=user, structure=world.plie_a, role=Role.RELATIONS_ENTREPRISES)
    world.charge_a = user
    return world
