"""Who may do what with the protection of data (``rgpd/permissions.py``): role × PLIE, with the
PLIE A's DPO as an extra column."""

import pytest

from plie.core.enums import Role
from rgpd import permissions
from tests.factories import MembershipFactory, ParticipantFactory, UserFactory
from tests.permissions_table import PERSONAS, allowed_by, assert_every_predicate_tabled, check_table


def plie_a(world):
    return world.plie_a.pk


def participant_a(world):
    return ParticipantFactory(plie=world.plie_a)


def with_dpo(expected, dpo):
    return {**expected, "dpo_a": dpo}


ROWS = [
    ("can_view_journal", plie_a, with_dpo(allowed_by("admin_a"), True)),
    ("can_export_participant_data", participant_a, with_dpo(allowed_by("admin_a"), True)),
    ("can_view_conservation", plie_a, with_dpo(allowed_by("admin_a"), True)),
    (
        "can_object_anonymisation",
        participant_a,
        with_dpo(allowed_by("referent_a", "animateur_a", "admin_a"), False),
    ),
    (
        "can_print_notice",
        plie_a,
        with_dpo(
            allowed_by("referent_a", "animateur_a", "gestionnaire_a", "direction_a", "admin_a", "oi_user"),
            True,
        ),
    ),
]


@pytest.fixture
def world_dpo(world):
    world.dpo_a = UserFactory(email="dpo.a@exemple.fr")
    MembershipFactory(user=world.dpo_a, structure=world.plie_a, role=Role.DPO)
    return world


def test_every_predicate_has_its_row():
    assert_every_predicate_tabled(permissions, ROWS)


@pytest.mark.parametrize("persona", [*PERSONAS, "dpo_a"])
def test_permissions_table(world_dpo, persona):
    assert check_table(world_dpo, permissions, ROWS, persona) == []


def test_a_dpo_of_plie_b_reads_nothing_of_plie_a(world):
    from plie.core.scoping import scope_for

    dpo_b = UserFactory()
    MembershipFactory(user=dpo_b, structure=world.plie_b, role=Role.DPO)
    scope = scope_for(dpo_b)
    assert not permissions.can_view_journal(scope, world.plie_a.pk)
    assert permissions.can_view_journal(scope, world.plie_b.pk)
    assert not permissions.can_export_participant_data(scope, ParticipantFactory(plie=world.plie_a))
