"""Who may do what on a parcours: every predicate of the parcours app.

Seeing a parcours is ``Parcours.objects.visible_to(scope)`` (``plie.core.scoping``). Each
predicate takes the :class:`~plie.core.scoping.Scope` of whoever acts and the object (or the
PLIE id) it is about, makes no query, and names the roles in its docstring. Views, templates
(``{% can "parcours.<verb>_<noun>" obj as ok %}``), services and the API call these and nothing
else.

Seed rules (docs/domaine.md §2–§5): the référent de parcours accompanies the person and proposes;
the équipe d'animation runs the commission d'intégration, which admits and validates; the
PLIE's administrateur keeps its referentials and may correct a closed parcours."""

from django.utils import timezone

from parcours.enums import StatutParcours
from participants.permissions import can_create_participant
from plie.core.enums import Role

COMMISSION_ROLES = (Role.ANIMATION, Role.ADMINISTRATEUR)
SUIVI_ROLES = (Role.ANIMATION, Role.ADMINISTRATEUR)
PICK_REFERENT_ROLES = (Role.ANIMATION, Role.ADMINISTRATEUR)
REFERENTIEL_READER_ROLES = (Role.ADMINISTRATEUR, Role.ANIMATION, Role.DIRECTION, Role.GESTIONNAIRE)


def _personal_role(scope, plie_id, roles):
    return scope.sees_personal_data(plie_id) and scope.has_role(*roles, plie_id=plie_id)


def can_follow_parcours(scope, plie_id):
    """Propose a candidature, suspend, record or withdraw an exit in the PLIE ``plie_id``:
    its **référent**, **animation** and **administrateur** (those who keep the dossiers)."""
    return can_create_participant(scope, plie_id)


def can_run_commissions(scope, plie_id):
    """Create sessions, set their agenda, record decisions, close them: **animation** and
    **administrateur** of the PLIE (the commission d'intégration decides, docs/domaine.md §3)."""
    return _personal_role(scope, plie_id, COMMISSION_ROLES)


def can_change_referent(scope, parcours):
    """Give ``parcours`` another référent: **animation** and **administrateur** of its PLIE, or
    its current **référent** handing over."""
    if can_run_commissions(scope, parcours.plie_id):
        return True
    return (
        scope.user_id is not None
        and parcours.referent_id == scope.user_id
        and can_follow_parcours(scope, parcours.plie_id)
    )


def can_write_suivi(scope, parcours):
    """Log entretiens, étapes and contracts on ``parcours``: its **référent**, or the
    **animation** or **administrateur** of its PLIE."""
    plie_id = parcours.plie_id
    if _personal_role(scope, plie_id, SUIVI_ROLES):
        return True
    return (
        scope.user_id is not None
        and parcours.referent_id == scope.user_id
        and can_create_participant(scope, plie_id)
    )


def can_cancel_etape(scope, etape, today=None):
    """Cancel a planned étape (it starts after ``today``, is not cancelled yet) of a parcours
    still open: whoever may :func:`write its suivi <can_write_suivi>` (its **référent**, the
    **animation** and **administrateur** of its PLIE). The étape stays in the history."""
    today = today or timezone.localdate()
    if etape.annulee or etape.date_debut <= today:
        return False
    parcours = etape.parcours
    if parcours.status in (StatutParcours.SORTI, StatutParcours.NON_ADMIS):
        return False
    return can_write_suivi(scope, parcours)


def can_edit_closed_parcours(scope, plie_id):
    """Change a parcours that is « sorti » (giving the reason) or cancel its validated exit:
    the **administrateur** of the PLIE only."""
    return scope.has_role(Role.ADMINISTRATEUR, plie_id=plie_id)


def can_cancel_sortie(scope, sortie):
    """Cancel a validated exit (the parcours goes back « en parcours »): the **administrateur**
    of the parcours' PLIE only."""
    return can_edit_closed_parcours(scope, sortie.parcours.plie_id)


def pick_referent_plie_ids(scope):
    """The PLIE in which ``scope`` may open the file active of any référent (no query)."""
    return frozenset(
        plie_id for plie_id in scope.personal_plie_ids if _personal_role(scope, plie_id, PICK_REFERENT_ROLES)
    )


def can_pick_referent(scope):
    """Open « Ma file active » of another référent of the PLIE: **animation** and
    **administrateur**."""
    return bool(pick_referent_plie_ids(scope))


def can_use_workspace(scope):
    """Open « Ma file active »: a **référent** (their own), or whoever may pick a référent."""
    return scope.has_role(Role.REFERENT) or can_pick_referent(scope)


def can_view_referentiel(scope, plie_id):
    """Read the PLIE's exit and étape referentials: **administrateur**, **animation**,
    **direction** and **gestionnaire**, of the PLIE or of its OI (configuration, no personal
    data: an OI membership reads it too)."""
    return plie_id in scope.plie_ids and scope.has_role(*REFERENTIEL_READER_ROLES, plie_id=plie_id)


def can_edit_referentiel(scope, plie_id):
    """Change the PLIE's exit types (and their validation rules) and étape types: the
    **administrateur** of the PLIE only."""
    return scope.has_role(Role.ADMINISTRATEUR, plie_id=plie_id)


def can_import_parcours(scope, plie_id):
    """Import a legacy tool's file of parcours into the PLIE and read its reports: the
    **administrateur** of the PLIE only."""
    return _personal_role(scope, plie_id, (Role.ADMINISTRATEUR,))


# --- partners (plie.core.scoping's « Partners see what they did »; issue 16) ---------------------
# The same predicates decide the partner space (``/partenaire/``) and the API
# (``/api/v1/partenaire/``). Each needs the object's parcours loaded (``select_related``).

OPEN_STATUSES = (
    StatutParcours.CANDIDAT,
    StatutParcours.EN_PARCOURS,
    StatutParcours.SUSPENDU,
    StatutParcours.EN_SUIVI_EMPLOI,
)


def _partner_of(scope, structure_id, plie_id, structure_ids):
    return structure_id in structure_ids and plie_id in scope.partner_plies.get(structure_id, ())


def can_orient(scope, plie_id):
    """Orient a person into the PLIE ``plie_id`` (identity, reason, contact: a candidature on
    the PLIE's list): a member of a **prescripteur** partner of the PLIE, whatever its role."""
    if scope.is_superuser:
        return True
    return plie_id in scope.partner_plie_ids(scope.prescripteur_structure_ids)


def can_view_orientation(scope, parcours):
    """Read the status of the orientation ``parcours`` (reçue, en commission, the decision with
    its shared motif, sorti with the exit's category; nothing else of the dossier): the members
    of the **prescripteur** that oriented the person, while it partners the parcours' PLIE."""
    if scope.is_superuser:
        return True
    return _partner_of(scope, parcours.prescripteur_id, parcours.plie_id, scope.prescripteur_structure_ids)


def can_view_partner_etape(scope, etape):
    """See ``etape`` and its participant's identity and contact: the members of the
    **opérateur** that carries the étape, while it partners the parcours' PLIE."""
    if scope.is_superuser:
        return True
    return _partner_of(scope, etape.operateur_id, etape.parcours.plie_id, scope.operateur_structure_ids)


def can_record_etape_outcome(scope, etape):
    """Record the presence of the participant and the outcome (end, result) of ``etape``: whoever
    :func:`sees it through its opérateur <can_view_partner_etape>`, while the étape is not
    cancelled and the parcours open."""
    if etape.annulee or etape.parcours.status not in OPEN_STATUSES:
        return False
    return can_view_partner_etape(scope, etape)


def can_view_assigned_parcours(scope, parcours):
    """See ``parcours`` (identity, contact, status, étapes; no frein, document or sensitive
    answer) in the partner space: the **référent employed by an opérateur** to whom the parcours
    is assigned (``Scope.assigned_only_plie_ids``), never another participant of the PLIE."""
    if scope.is_superuser:
        return True
    return (
        scope.user_id is not None
        and parcours.referent_id == scope.user_id
        and parcours.plie_id in scope.assigned_only_plie_ids
    )
