"""Who may do what with a dossier (``participants/permissions.py``): role × PLIE × object."""

import pytest

from participants import permissions
from plie.core.scoping import scope_for
from tests.factories import ParticipantFactory
from tests.permissions_table import PERSONAS, allowed_by, assert_every_predicate_tabled, check_table


def plie_a(world):
    return world.plie_a.pk


def participant_a(world):
    return ParticipantFactory(plie=world.plie_a)


def signalement_a_b(world):
    from participants.models import SignalementDoublon

    return SignalementDoublon.objects.create(
        participant=ParticipantFactory(plie=world.plie_a), autre=ParticipantFactory(plie=world.plie_b)
    )


ROWS = [
    # référent, animation and administrateur keep the dossiers of their PLIE
    ("can_create_participant", plie_a, allowed_by("referent_a", "animateur_a", "admin_a")),
    ("can_edit_participant", participant_a, allowed_by("referent_a", "animateur_a", "admin_a")),
    # health, justice, disability: those who accompany the person only
    ("can_view_sensitive_data", participant_a, allowed_by("referent_a", "animateur_a")),
    # a duplicate flagged across PLIE: the animation of either PLIE reviews it
    ("can_review_doublon", signalement_a_b, allowed_by("animateur_a")),
]


def test_every_predicate_has_its_row():
    assert_every_predicate_tabled(permissions, ROWS)


@pytest.mark.parametrize("persona", PERSONAS)
def test_the_table(world, persona):
    assert check_table(world, permissions, ROWS, persona) == []


def test_a_participant_of_plie_b_is_not_editable_from_plie_a(world):
    participant_b = ParticipantFactory(plie=world.plie_b)
    assert not permissions.can_edit_participant(scope_for(world.referent_a), participant_b)
    assert permissions.can_edit_participant(scope_for(world.referent_b), participant_b)


def test_creatable_plie_ids(world):
    assert permissions.creatable_plie_ids(scope_for(world.referent_a)) == {world.plie_a.pk}
    assert permissions.creatable_plie_ids(scope_for(world.gestionnaire_a)) == frozenset()
    assert permissions.creatable_plie_ids(scope_for(world.financeur)) == frozenset()


def test_no_query(world, django_assert_num_queries):
    scope = scope_for(world.referent_a)
    participant = ParticipantFactory(plie=world.plie_a)
    with django_assert_num_queries(0):
        assert permissions.can_edit_participant(scope, participant)
        assert permissions.can_view_sensitive_data(scope, participant)
