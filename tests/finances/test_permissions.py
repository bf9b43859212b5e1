"""Who sees and who signs time sheets: the table (role × PLIE × object) of
``finances.permissions``."""

import datetime
import itertools

import pytest

from finances import permissions
from finances.enums import StatutFiche
from tests.finances.factories import FicheTempsFactory, PersonnelFactory
from tests.permissions_table import PERSONAS, allowed_by, assert_every_predicate_tabled, check_table

FINANCE_A = ("gestionnaire_a", "direction_a", "admin_a", "oi_user")  # the OI's direction holds it in A


def only(*personas):
    """Like ``allowed_by`` but the superuser too is refused: a sheet is filled and signed by its
    person only, and a sheet in the wrong state is refused to everyone."""
    return {persona: persona in personas for persona in PERSONAS}


def plie_a(world):
    return world.plie_a.pk


def fiche_du_referent(statut):
    """The sheet of référent A, whose responsable is the animateur of A."""

    def make(world):
        personnel = PersonnelFactory(plie=world.plie_a, user=world.referent_a, responsable=world.animateur_a)
        semaine = datetime.date(2026, 1, 5) + datetime.timedelta(weeks=next(WEEKS))
        return FicheTempsFactory(personnel=personnel, statut=statut, semaine=semaine)

    return make


WEEKS = itertools.count()


ROWS = [
    ("can_view_finances", plie_a, allowed_by(*FINANCE_A)),
    ("can_manage_finances", plie_a, allowed_by("gestionnaire_a", "admin_a")),
    (
        "can_view_temps",
        lambda world: fiche_du_referent(StatutFiche.BROUILLON)(world).personnel,
        allowed_by(*FINANCE_A, "referent_a", "animateur_a"),
    ),
    (
        "can_view_fiche",
        fiche_du_referent(StatutFiche.BROUILLON),
        allowed_by(*FINANCE_A, "referent_a", "animateur_a"),
    ),
    ("can_fill_fiche", fiche_du_referent(StatutFiche.BROUILLON), only("referent_a")),
    ("can_fill_fiche", fiche_du_referent(StatutFiche.SIGNEE), only()),
    ("can_sign_fiche", fiche_du_referent(StatutFiche.BROUILLON), only("referent_a")),
    ("can_sign_fiche", fiche_du_referent(StatutFiche.VALIDEE), only()),
    (
        "can_validate_fiche",
        fiche_du_referent(StatutFiche.SIGNEE),
        allowed_by("animateur_a", "direction_a", "admin_a", "oi_user"),
    ),
    ("can_validate_fiche", fiche_du_referent(StatutFiche.BROUILLON), only()),
    ("can_validate_fiche", fiche_du_referent(StatutFiche.VALIDEE), only()),
    (
        "can_correct_fiche",
        fiche_du_referent(StatutFiche.VALIDEE),
        allowed_by("referent_a", "gestionnaire_a", "admin_a"),
    ),
    ("can_correct_fiche", fiche_du_referent(StatutFiche.BROUILLON), only()),
    ("can_correct_fiche", fiche_du_referent(StatutFiche.REMPLACEE), only()),
]


def test_every_predicate_has_its_row():
    assert_every_predicate_tabled(permissions, ROWS)


@pytest.mark.parametrize("persona", PERSONAS)
def test_the_table(world, persona):
    assert check_table(world, permissions, ROWS, persona) == []


def test_nobody_countersigns_their_own_sheet(world):
    from plie.core.scoping import scope_for

    personnel = PersonnelFactory(plie=world.plie_a, user=world.direction_a, responsable=world.direction_a)
    fiche = FicheTempsFactory(personnel=personnel, statut=StatutFiche.SIGNEE)
    assert not permissions.can_validate_fiche(scope_for(world.direction_a), fiche)
    assert permissions.can_validate_fiche(scope_for(world.admin_a), fiche)
