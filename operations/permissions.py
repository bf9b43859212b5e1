"""Who may see and who may change operations and enrolments: the one place that decides it.

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
from plie.core.scoping import scope_for

MANAGE_ROLES = frozenset({Role.GESTIONNAIRE, Role.ANIMATION, Role.ADMINISTRATEUR})
# Who controls the participants' files of an operation: proofs, attestations, attendance sheets,
# the MDFSE export and its validator, the annex (the managers, and direction reading).
CONTROL_ROLES = MANAGE_ROLES | {Role.DIRECTION}


def can_manage(user, plie_id):
    """``user`` may create and change the operations and enrolments of the PLIE ``plie_id``."""
    scope = scope_for(user)
    return scope.can_see_personal_data(plie_id) and scope.has_role(*MANAGE_ROLES, plie_id=plie_id)


def can_control(user, plie_id):
    """``user`` may open the nominative controls of the PLIE ``plie_id``'s operations (proofs,
    attestations, émargement, exports): gestionnaire, animation, administrateur, direction."""
    scope = scope_for(user)
    return scope.can_see_personal_data(plie_id) and scope.has_role(*CONTROL_ROLES, plie_id=plie_id)


def manageable_plie_ids(user):
    """The PLIE whose operations ``user`` may manage (no query once the scope is known)."""
    scope = scope_for(user)
    return frozenset(plie_id for plie_id in scope.personal_plie_ids if can_manage(user, plie_id))


def can_see_inscriptions(user, plie_id):
    """Enrolments (participants' names) of the PLIE ``plie_id``: not for financeurs."""
    return scope_for(user).can_see_personal_data(plie_id)


def follows(user, inscription):
    """``user`` is the référent of the participant of ``inscription``: of its parcours, or of a
    parcours of the participant when the enrolment has none (at most one query)."""
    if inscription.parcours_id is not None:
        parcours = inscription.parcours
        return parcours.referent_id is not None and parcours.referent_id == user.pk
    from parcours.models import Parcours

    return Parcours.objects.filter(participant_id=inscription.participant_id, referent_id=user.pk).exists()


def can_fill(user, inscription):
    """``user`` may fill the entry questionnaire and the exit data of ``inscription``."""
    plie_id = inscription.operation.plie_id
    if can_manage(user, plie_id):
        return True
    scope = scope_for(user)
    return (
        scope.can_see_personal_data(plie_id)
        and scope.has_role(Role.REFERENT, plie_id=plie_id)
        and follows(user, inscription)
    )
