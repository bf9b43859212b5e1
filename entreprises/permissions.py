"""Who may do what on the employer side: every predicate of the entreprises app.

Seeing is ``visible_to(scope)`` (``Scope.employer_plie_ids``, ``plie.core.scoping``). Each
predicate takes the :class:`~plie.core.scoping.Scope` of whoever acts and the object (or the
PLIE id) it is about, makes no query beyond the object's already loaded relations, and names
the roles in its docstring.

The chargé(e) de relations entreprises prospects employers, logs the exchanges, records the
offers and follows the clause markets (docs/domaine.md §2, seed 004 l.788–836); the animation and the
administrateur of the PLIE may do the same. The référent puts the participants they follow
forward on offers. A hire creates a contract in the parcours: only those who write the
parcours' follow-up (``parcours.permissions.can_write_suivi``) record it."""

from parcours.permissions import can_write_suivi
from plie.core.enums import Role

EMPLOYER_SIDE_ROLES = (Role.RELATIONS_ENTREPRISES, Role.ANIMATION, Role.ADMINISTRATEUR)
PROPOSER_ROLES = (Role.RELATIONS_ENTREPRISES, Role.REFERENT, Role.ANIMATION, Role.ADMINISTRATEUR)
PREUVES_ROLES = (
    Role.RELATIONS_ENTREPRISES,
    Role.GESTIONNAIRE,
    Role.ANIMATION,
    Role.DIRECTION,
    Role.ADMINISTRATEUR,
)
SUIVI_SORTIE_ROLES = (Role.GESTIONNAIRE, Role.ANIMATION, Role.ADMINISTRATEUR)


def _employer_role(scope, plie_id, roles):
    return plie_id in scope.employer_plie_ids and scope.has_role(*roles, plie_id=plie_id)


def can_view_entreprises(scope, plie_id):
    """See the employers, offers, mises en relation and clause markets of the PLIE ``plie_id``:
    **chargé(e) de relations entreprises**, **référent**, **animation**, **gestionnaire**,
    **direction**, **administrateur** (not the financeur, not the DPO)."""
    return plie_id in scope.employer_plie_ids


def can_manage_employeurs(scope, plie_id):
    """Create and change employers, their contacts, log exchanges, record and close offers:
    **chargé(e) de relations entreprises**, **animation**, **administrateur** of the PLIE."""
    return _employer_role(scope, plie_id, EMPLOYER_SIDE_ROLES)


def can_propose_candidats(scope, offre):
    """Open the form putting participants forward on ``offre``: **chargé(e) de relations
    entreprises**, **référent**, **animation**, **administrateur** of the offer's PLIE."""
    return _employer_role(scope, offre.plie_id, PROPOSER_ROLES)


def can_propose_candidat(scope, mise):
    """Put ``mise.participant`` (in ``mise.parcours``) forward on ``mise.offre``:
    **chargé(e) de relations entreprises**, **animation**, **administrateur** of the offer's
    PLIE, or the **référent** who follows that parcours."""
    if _employer_role(scope, mise.offre.plie_id, EMPLOYER_SIDE_ROLES):
        return True
    return _is_referent_of(scope, mise.parcours, mise.offre.plie_id)


def _is_referent_of(scope, parcours, plie_id):
    return (
        parcours.referent_id is not None
        and parcours.referent_id == scope.user_id
        and scope.has_role(Role.REFERENT, plie_id=plie_id)
    )


def can_record_resultat(scope, mise):
    """Record a mise en relation's outcome other than a hire (candidature envoyée, entretien,
    non retenu, désistement): **chargé(e) de relations entreprises**, **animation**,
    **administrateur** of the offer's PLIE, or the **référent** of the participant's parcours."""
    if _employer_role(scope, mise.offre.plie_id, EMPLOYER_SIDE_ROLES):
        return True
    return _is_referent_of(scope, mise.parcours, mise.offre.plie_id)


def can_record_embauche(scope, mise):
    """Record the hire (« retenu »), which creates the contract and its étape in the parcours:
    whoever writes the parcours' follow-up — its **référent**, the **animation** and the
    **administrateur** of its PLIE (the chargé(e) de relations entreprises tells them)."""
    return can_write_suivi(scope, mise.parcours)


def can_manage_clauses(scope, plie_id):
    """Create clause markets, place participants, declare the monthly hours: **chargé(e) de
    relations entreprises**, **animation**, **administrateur** of the PLIE."""
    return _employer_role(scope, plie_id, EMPLOYER_SIDE_ROLES)


def can_manage_conventions(scope, plie_id):
    """Record and change the partnership conventions (donneurs d'ordre, SIAE, employing
    structures) and their signed copy: **chargé(e) de relations entreprises**, **animation**,
    **administrateur** of the PLIE. Everyone who sees the employer side
    (:func:`can_view_entreprises`) reads them."""
    return _employer_role(scope, plie_id, EMPLOYER_SIDE_ROLES)


def can_export_preuves(scope, plie_id):
    """Download the proof extractions (employers and offers, mises en relation, clause hours) and
    the tableau d'impact: **chargé(e) de relations entreprises**, **gestionnaire**,
    **animation**, **direction**, **administrateur** of the PLIE."""
    return _employer_role(scope, plie_id, PREUVES_ROLES)


def can_view_suivis_sortie(scope, plie_id):
    """See the follow-ups six months after exit of the PLIE: **référent** (theirs),
    **gestionnaire**, **animation**, **direction**, **administrateur** (personal data)."""
    return scope.sees_personal_data(plie_id) and scope.has_role(
        Role.REFERENT, Role.GESTIONNAIRE, Role.ANIMATION, Role.DIRECTION, Role.ADMINISTRATEUR, plie_id=plie_id
    )


def can_record_suivi_sortie(scope, parcours):
    """Record the situation six months after exit: the **référent** of the parcours, the
    **gestionnaire**, **animation** and **administrateur** of its PLIE."""
    if not scope.sees_personal_data(parcours.plie_id):
        return False
    if scope.has_role(*SUIVI_SORTIE_ROLES, plie_id=parcours.plie_id):
        return True
    return parcours.referent_id is not None and parcours.referent_id == scope.user_id
