"""Who may see and who may change operations and enrolments: every predicate of the operations app.

Each takes the :class:`~plie.core.scoping.Scope` of whoever acts and the object (or the PLIE id)
it is about; views, templates (``{% can "operations.<verb>_<noun>" obj as ok %}``), services
and the API call these and nothing else.

Seeing:

- an **operation** (its period, budget, places, targets, counts) is for everyone who sees the
  figures of its PLIE (``Operation.objects.visible_to``), financeurs included;
- an **enrolment** carries personal data: ``Inscription.objects.visible_to`` (the participant's
  PLIE among the user's ``personal_plie_ids``); a financeur sees none (404).

Changing:

- **gestionnaire**, **animation** and **administrateur** of the operation's PLIE manage
  operations (create, update, carry-over) and enrolments (enrol, questionnaire, exit);
- the participant's **référent** (the référent of the enrolment's parcours, or of a parcours of
  the participant when the enrolment has none) fills the entry questionnaire and the exit data
  of the enrolments of the participants they follow;
- direction, OI and financeur only read (403 on the pages that write)."""

from plie.core.enums import Role

MANAGE_ROLES = frozenset({Role.GESTIONNAIRE, Role.ANIMATION, Role.ADMINISTRATEUR})
# Who controls the participants' files of an operation: proofs, attestations, attendance sheets,
# the MDFSE export and its validator, the annex (the managers, and direction reading).
CONTROL_ROLES = MANAGE_ROLES | {Role.DIRECTION}


def can_manage_operations(scope, plie_id):
    """Create and change the operations of the PLIE ``plie_id``, carry enrolments over, enrol
    participants and record their exit: **gestionnaire**, **animation** and **administrateur**
    (the FSE operation is the PLIE's, docs/domaine.md §6)."""
    return scope.sees_personal_data(plie_id) and scope.has_role(*MANAGE_ROLES, plie_id=plie_id)


def can_control_operations(scope, plie_id):
    """Open the nominative controls of the PLIE ``plie_id``'s operations (proofs, attestations,
    émargement, MDFSE file and its check, annex, extractions): **gestionnaire**, **animation**,
    **administrateur** and **direction** (reading)."""
    return scope.sees_personal_data(plie_id) and scope.has_role(*CONTROL_ROLES, plie_id=plie_id)


def can_export_mdfse(scope, plie_id):
    """Produce the MDFSE file (the CSV declared to Ma Démarche FSE) of the PLIE ``plie_id``'s
    operations: **gestionnaire**, **animation** and **administrateur**, who declare to the FSE.
    The file carries the disability answer (Q3) in clear, the one place a manager reads it
    (``plie.core.scoping``'s rule); direction does not produce it (it reads the check and the
    XLSX, where Q3 is masked)."""
    return can_manage_operations(scope, plie_id)


def can_manage_actions_collectives(scope, plie_id):
    """Organise the collective sessions of the PLIE's operations and take attendance: the same
    people as :func:`can_manage_operations` (**gestionnaire**, **animation**,
    **administrateur**)."""
    return can_manage_operations(scope, plie_id)


def can_view_inscriptions(scope, plie_id):
    """See the enrolments (participants' names) of the PLIE ``plie_id``'s operations: whoever sees
    its participants; never a **financeur** (aggregates only)."""
    return scope.sees_personal_data(plie_id)


def follows(scope, inscription):
    """``scope`` acts for the référent of the participant of ``inscription``: of its parcours, or
    of a parcours of the participant when the enrolment has none (at most one query)."""
    if scope.user_id is None:
        return False
    if inscription.parcours_id is not None:
        return inscription.parcours.referent_id == scope.user_id
    from parcours.models import Parcours

    followed = Parcours.objects.filter(participant_id=inscription.participant_id, referent_id=scope.user_id)
    return followed.exists()


def can_fill_inscription(scope, inscription):
    """Fill the FSE entry questionnaire and the exit data of ``inscription``: whoever may
    :func:`manage the operations <can_manage_operations>` of its PLIE, or the participant's
    **référent** (:func:`follows`)."""
    plie_id = inscription.operation.plie_id
    if can_manage_operations(scope, plie_id):
        return True
    return (
        scope.sees_personal_data(plie_id)
        and scope.has_role(Role.REFERENT, plie_id=plie_id)
        and follows(scope, inscription)
    )


def manageable_plie_ids(scope):
    """The PLIE whose operations ``scope`` may manage (no query)."""
    return frozenset(plie_id for plie_id in scope.personal_plie_ids if can_manage_operations(scope, plie_id))
