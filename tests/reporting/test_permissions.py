"""Who may do what with the reports (``reporting/permissions.py``): role × PLIE × object."""

import pytest

from plie.core.scoping import forget_scope, scope_for
from reporting import permissions
from reporting.models import ExportDemande
from tests.permissions_table import PERSONAS, allowed_by, assert_every_predicate_tabled, check_table


def plie_a(world):
    return world.plie_a.pk


def bilan_of_gestionnaire_a(world):
    return ExportDemande.objects.create(
        user=world.gestionnaire_a, kind=ExportDemande.Kind.BILAN_XLSX, params={"plie_ids": [world.plie_a.pk]}
    )


ROWS = [
    # dashboards with links to the participants: the PLIE's managers and direction
    ("can_view_dashboard", plie_a, allowed_by("animateur_a", "gestionnaire_a", "direction_a", "admin_a")),
    # the consolidated dashboard's figures: the same, and the OI's direction (aggregates only)
    (
        "can_view_consolidated_dashboard",
        plie_a,
        allowed_by("animateur_a", "gestionnaire_a", "direction_a", "admin_a", "oi_user"),
    ),
    # a file is its requester's only (a superuser is no exception: the file names people)
    ("can_download_export", bilan_of_gestionnaire_a, {p: p == "gestionnaire_a" for p in PERSONAS}),
    # closing a month or a year of PLIE A: its gestionnaire and administrateur
    ("can_close_periode", plie_a, allowed_by("gestionnaire_a", "admin_a")),
    # the closures page of PLIE A: its gestionnaire, direction, administrateur (an OI's direction)
    ("can_view_clotures", plie_a, allowed_by("gestionnaire_a", "direction_a", "admin_a", "oi_user")),
    # the participants behind a rectificatif: whoever sees PLIE A's personal data (no financeur)
    (
        "can_view_rectificatif_participants",
        plie_a,
        # an OI account reads figures only (plie/core/scoping.py): a count, never names
        allowed_by("referent_a", "animateur_a", "gestionnaire_a", "direction_a", "admin_a"),
    ),
]


def test_every_predicate_has_its_row():
    assert_every_predicate_tabled(permissions, ROWS)


@pytest.mark.parametrize("persona", PERSONAS)
def test_the_table(world, persona):
    assert check_table(world, permissions, ROWS, persona) == []


def test_a_revoked_membership_revokes_the_download(world):
    demande = bilan_of_gestionnaire_a(world)
    world.gestionnaire_a.memberships.update(is_active=False)
    forget_scope(world.gestionnaire_a)
    assert not permissions.can_download_export(scope_for(world.gestionnaire_a), demande)


def test_exportable_plie_ids(world):
    financeur = scope_for(world.financeur)
    assert permissions.exportable_plie_ids(financeur, ExportDemande.Kind.BILAN_XLSX) == {world.plie_a.pk}
    assert permissions.exportable_plie_ids(financeur, ExportDemande.Kind.PARTICIPANTS_XLSX) == frozenset()
    oi = scope_for(world.oi_user)  # an OI membership: aggregates only (plie.core.scoping)
    assert permissions.dashboard_plie_ids(oi) == frozenset()
    assert permissions.consolidated_plie_ids(oi) == {world.plie_a.pk, world.plie_b.pk}
