import pytest

from participants.models import Participant
from plie.core.enums import Role
from plie.core.scoping import EMPTY_SCOPE, scope_for, visible_plies
from tests.factories import MembershipFactory, ParticipantFactory, UserFactory

# persona -> (PLIE with figures, PLIE with personal data, PLIE with sensitive data, home role)
EXPECTED = {
    "referent_a": ({"a"}, {"a"}, {"a"}, Role.REFERENT),
    "animateur_a": ({"a"}, {"a"}, {"a"}, Role.ANIMATION),
    "gestionnaire_a": ({"a"}, {"a"}, set(), Role.GESTIONNAIRE),
    "direction_a": ({"a"}, {"a"}, set(), Role.DIRECTION),
    "admin_a": ({"a"}, {"a"}, set(), Role.ADMINISTRATEUR),
    "referent_b": ({"b"}, {"b"}, {"b"}, Role.REFERENT),
    "oi_user": ({"a", "b"}, set(), set(), Role.DIRECTION),  # an OI membership: aggregates only
    "financeur": ({"a"}, set(), set(), Role.FINANCEUR),
    # an opérateur's référent: no role in the PLIE, the partner space only (assigned parcours)
    "referent_operateur": (set(), set(), set(), None),
    "no_role": (set(), set(), set(), None),
}


def ids(world, letters):
    return frozenset(getattr(world, f"plie_{letter}").id for letter in letters)


@pytest.mark.parametrize("persona", EXPECTED)
def test_scope_of_every_role(world, persona, django_assert_num_queries):
    figures, personal, sensitive, role = EXPECTED[persona]
    user = getattr(world, persona)
    # memberships with their structure kind, then the PLIE of an OI / the partner links if any
    with django_assert_num_queries({"oi_user": 2, "financeur": 2, "referent_operateur": 2}.get(persona, 1)):
        scope = scope_for(user)
    assert scope.plie_ids == ids(world, figures)
    assert scope.personal_plie_ids == ids(world, personal)
    assert scope.sensitive_plie_ids == ids(world, sensitive)
    assert scope.primary_role == role
    # computed once per user object
    with django_assert_num_queries(0):
        assert scope_for(user) is scope


@pytest.mark.parametrize("persona", EXPECTED)
def test_participants_visible_to_every_role(world, persona):
    participants = {letter: ParticipantFactory(plie=getattr(world, f"plie_{letter}")) for letter in "abc"}
    _, personal, _, _ = EXPECTED[persona]
    visible = set(Participant.objects.visible_to(scope_for(getattr(world, persona))))
    assert visible == {participants[letter] for letter in personal}


def test_plie_c_is_never_visible_to_anyone_of_ours(world):
    for persona in EXPECTED:
        assert world.plie_c.id not in scope_for(getattr(world, persona)).plie_ids


def test_superuser_sees_every_plie(world):
    admin = UserFactory(is_superuser=True, is_staff=True)
    scope = scope_for(admin)
    assert scope.plie_ids == ids(world, "abc")
    assert scope.primary_role == Role.ADMINISTRATEUR
    assert set(visible_plies(scope_for(admin))) == {world.plie_a, world.plie_b, world.plie_c}


def test_inactive_user_and_anonymous_see_nothing(world):
    from django.contrib.auth.models import AnonymousUser

    world.referent_a.is_active = False
    assert scope_for(world.referent_a) is EMPTY_SCOPE
    assert scope_for(AnonymousUser()) is EMPTY_SCOPE
    assert scope_for(None) is EMPTY_SCOPE


def test_inactive_membership_gives_nothing(world):
    user = UserFactory()
    MembershipFactory(user=user, structure=world.plie_a, role=Role.REFERENT, is_active=False)
    assert scope_for(user) == EMPTY_SCOPE  # nothing to see; the scope still names who acts
    assert scope_for(user).user == user


def test_roles_in_two_plie_are_kept_apart(world):
    user = UserFactory()
    MembershipFactory(user=user, structure=world.plie_a, role=Role.GESTIONNAIRE)
    MembershipFactory(user=user, structure=world.plie_b, role=Role.REFERENT)
    scope = scope_for(user)
    assert scope.personal_plie_ids == ids(world, "ab")
    assert scope.sensitive_plie_ids == ids(world, "b")
    assert scope.has_role(Role.REFERENT, plie_id=world.plie_b.id)
    assert not scope.has_role(Role.REFERENT, plie_id=world.plie_a.id)
    assert scope.primary_role == Role.GESTIONNAIRE


def test_a_plie_added_to_the_oi_enters_the_oi_users_scope(world):
    from tests.factories import PlieFactory

    plie_d = PlieFactory(oi=world.oi)
    assert plie_d.id in scope_for(world.oi_user).plie_ids
