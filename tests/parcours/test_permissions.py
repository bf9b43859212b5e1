"""Who may do what on a parcours (``parcours/permissions.py``): role × PLIE × object state."""

import pytest

from parcours import permissions
from plie.core.scoping import scope_for
from tests.parcours.factories import ParcoursFactory, SortieFactory
from tests.permissions_table import PERSONAS, allowed_by, assert_every_predicate_tabled, check_table


def plie_a(world):
    return world.plie_a.pk


def own_parcours(world):
    """A parcours of PLIE A followed by referent_a."""
    return ParcoursFactory(
        plie=world.plie_a, participant__plie=world.plie_a, en_parcours=True, referent=world.referent_a
    )


def planned_etape(world):
    """An étape of referent_a's parcours planned to start in ten days."""
    import datetime

    from tests.parcours.factories import EtapeFactory

    start = datetime.date.today() + datetime.timedelta(days=10)
    return EtapeFactory(parcours=own_parcours(world), date_debut=start)


def etape_of_operateur_b(world):
    """An étape of a parcours of PLIE B carried by world.operateur (partner of B), in progress."""
    from tests.parcours.factories import EtapeFactory

    parcours = ParcoursFactory(plie=world.plie_b, participant__plie=world.plie_b, en_parcours=True)
    return EtapeFactory(parcours=parcours, operateur=world.operateur)


def parcours_assigned_to_operateur_referent(world):
    """A parcours of PLIE B whose référent is employed by world.operateur."""
    return ParcoursFactory(
        plie=world.plie_b,
        participant__plie=world.plie_b,
        en_parcours=True,
        referent=world.referent_operateur,
    )


def orientation_a(world):
    """A candidature oriented into PLIE A by a prescripteur partner of A (nobody of the world
    belongs to it: a prescripteur's own member is tested in tests/parcours/test_partenaires.py)."""
    from plie.core.enums import StructureKind
    from tests.factories import StructureFactory

    prescripteur = StructureFactory(kind=StructureKind.PRESCRIPTEUR, nom="France Travail Lyon")
    prescripteur.plies.add(world.plie_a)
    return ParcoursFactory(plie=world.plie_a, participant__plie=world.plie_a, prescripteur=prescripteur)


def nobody(world):
    return None


def sortie_a(world):
    return SortieFactory(
        parcours=ParcoursFactory(plie=world.plie_a, participant__plie=world.plie_a, sorti=True)
    )


FOLLOWERS = ("referent_a", "animateur_a", "admin_a")
COMMISSION = ("animateur_a", "admin_a")

ROWS = [
    ("can_follow_parcours", plie_a, allowed_by(*FOLLOWERS)),
    ("can_run_commissions", plie_a, allowed_by(*COMMISSION)),
    ("can_change_referent", own_parcours, allowed_by(*FOLLOWERS)),  # the référent hands over
    ("can_write_suivi", own_parcours, allowed_by(*FOLLOWERS)),
    ("can_cancel_etape", planned_etape, allowed_by(*FOLLOWERS)),
    ("can_edit_closed_parcours", plie_a, allowed_by("admin_a")),
    ("can_cancel_sortie", sortie_a, allowed_by("admin_a")),
    ("can_pick_referent", nobody, allowed_by(*COMMISSION)),
    # every référent of a PLIE has their own file active; a référent employed by an opérateur
    # works in the partner space (the parcours assigned to them: can_view_assigned_parcours)
    (
        "can_use_workspace",
        nobody,
        allowed_by("referent_a", "animateur_a", "admin_a", "referent_b"),
    ),
    (
        "can_view_referentiel",
        plie_a,
        allowed_by("animateur_a", "gestionnaire_a", "direction_a", "admin_a", "oi_user"),
    ),
    ("can_edit_referentiel", plie_a, allowed_by("admin_a")),
    ("can_import_parcours", plie_a, allowed_by("admin_a")),
    # partners (issue 16): nobody of a PLIE orients or reads an orientation's status as a partner
    ("can_orient", plie_a, allowed_by()),
    ("can_view_orientation", orientation_a, allowed_by()),
    # the opérateur partner of B: its étapes only, never through a PLIE role
    ("can_view_partner_etape", etape_of_operateur_b, allowed_by("referent_operateur")),
    ("can_record_etape_outcome", etape_of_operateur_b, allowed_by("referent_operateur")),
    ("can_view_assigned_parcours", parcours_assigned_to_operateur_referent, allowed_by("referent_operateur")),
]


def test_every_predicate_has_its_row():
    assert_every_predicate_tabled(permissions, ROWS)


@pytest.mark.parametrize("persona", PERSONAS)
def test_the_table(world, persona):
    assert check_table(world, permissions, ROWS, persona) == []


def test_a_referent_acts_on_the_parcours_they_follow_only(world):
    colleague_s = ParcoursFactory(plie=world.plie_a, participant__plie=world.plie_a, en_parcours=True)
    scope = scope_for(world.referent_a)
    assert not permissions.can_write_suivi(scope, colleague_s)
    assert not permissions.can_change_referent(scope, colleague_s)
    assert permissions.can_follow_parcours(scope, colleague_s.plie_id)  # exits and suspensions: the PLIE's


def test_a_system_scope_decides_nothing_a_person_decides(world):
    from plie.core.scoping import Scope

    scope = Scope.system(world.plie_a.pk, label="test")
    parcours = own_parcours(world)
    assert not permissions.can_write_suivi(scope, parcours)
    assert not permissions.can_run_commissions(scope, world.plie_a.pk)
    assert not permissions.can_change_referent(scope, parcours)


def test_pick_referent_plie_ids(world):
    assert permissions.pick_referent_plie_ids(scope_for(world.animateur_a)) == {world.plie_a.pk}
    assert permissions.pick_referent_plie_ids(scope_for(world.oi_user)) == frozenset()
