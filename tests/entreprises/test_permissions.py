"""Who may do what on the employer side (``entreprises/permissions.py``): role × PLIE × object."""

import pytest

from entreprises import permissions
from entreprises.models import MiseEnRelation
from plie.core.scoping import Scope, scope_for
from tests.entreprises.factories import MiseEnRelationFactory, OffreFactory
from tests.parcours.factories import ParcoursFactory
from tests.permissions_table import PERSONAS, check_table
from tests.permissions_table import assert_every_predicate_tabled as every_predicate_tabled

ALL = (*PERSONAS, "charge_a")


def allowed_by(*personas):
    return {persona: persona in personas or persona == "superuser" for persona in ALL}


def plie_a(world):
    return world.plie_a.pk


def offre_a(world):
    return OffreFactory(plie=world.plie_a, employeur__plie=world.plie_a)


def mise_of_referent_a(world):
    """A mise en relation of PLIE A, on a parcours followed by referent_a."""
    return MiseEnRelationFactory(
        offre=offre_a(world),
        parcours=ParcoursFactory(
            plie=world.plie_a, participant__plie=world.plie_a, en_parcours=True, referent=world.referent_a
        ),
    )


def new_mise_of_referent_a(world):
    parcours = ParcoursFactory(
        plie=world.plie_a, participant__plie=world.plie_a, en_parcours=True, referent=world.referent_a
    )
    return MiseEnRelation(offre=offre_a(world), parcours=parcours, participant=parcours.participant)


def parcours_sorti_a(world):
    return ParcoursFactory(
        plie=world.plie_a, participant__plie=world.plie_a, sorti=True, referent=world.referent_a
    )


EMPLOYER_SIDE = ("charge_a", "animateur_a", "admin_a")
# Not oi_user: an OI account reads figures only (plie/core/scoping.py), and the employer side
# names the participants put forward, placed or invited.
VIEWERS = ("charge_a", "referent_a", "animateur_a", "gestionnaire_a", "direction_a", "admin_a")

ROWS = [
    ("can_view_entreprises", plie_a, allowed_by(*VIEWERS)),
    ("can_manage_employeurs", plie_a, allowed_by(*EMPLOYER_SIDE)),
    ("can_propose_candidats", offre_a, allowed_by(*EMPLOYER_SIDE, "referent_a")),
    ("can_propose_candidat", new_mise_of_referent_a, allowed_by(*EMPLOYER_SIDE, "referent_a")),
    ("can_record_resultat", mise_of_referent_a, allowed_by(*EMPLOYER_SIDE, "referent_a")),
    # the hire writes the parcours: those who write its follow-up, not the chargé(e)
    ("can_record_embauche", mise_of_referent_a, allowed_by("referent_a", "animateur_a", "admin_a")),
    ("can_manage_clauses", plie_a, allowed_by(*EMPLOYER_SIDE)),
    ("can_manage_conventions", plie_a, allowed_by(*EMPLOYER_SIDE)),
    (
        "can_export_preuves",
        plie_a,
        allowed_by("charge_a", "gestionnaire_a", "animateur_a", "direction_a", "admin_a"),
    ),
    (
        "can_view_suivis_sortie",
        plie_a,
        # an OI account reads figures only (plie/core/scoping.py): no list of people
        allowed_by("referent_a", "gestionnaire_a", "animateur_a", "direction_a", "admin_a"),
    ),
    (
        "can_record_suivi_sortie",
        parcours_sorti_a,
        allowed_by("referent_a", "gestionnaire_a", "animateur_a", "admin_a"),
    ),
]


def test_every_predicate_has_its_row():
    every_predicate_tabled(permissions, ROWS)


@pytest.mark.parametrize("persona", ALL)
def test_the_table(world, persona):
    assert check_table(world, permissions, ROWS, persona) == []


def test_a_referent_proposes_only_the_participants_they_follow(world):
    mise = new_mise_of_referent_a(world)
    mise.parcours.referent = None
    mise.parcours.referent_id = None
    assert not permissions.can_propose_candidat(scope_for(world.referent_a), mise)
    assert permissions.can_propose_candidat(scope_for(world.charge_a), mise)


def test_the_chargee_sees_no_participant_dossier(world):
    scope = scope_for(world.charge_a)
    assert world.plie_a.pk in scope.employer_plie_ids
    assert not scope.sees_personal_data(world.plie_a.pk)
    assert not scope.sees_sensitive_data(world.plie_a.pk)


def test_a_system_scope_decides_nothing(world):
    scope = Scope.system(world.plie_a.pk, label="test")
    assert not permissions.can_manage_employeurs(scope, world.plie_a.pk)
    assert not permissions.can_record_resultat(scope, mise_of_referent_a(world))
