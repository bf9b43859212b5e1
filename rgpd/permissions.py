"""Who may do what with the protection of data: every predicate of the rgpd app. Each takes the
:class:`~plie.core.scoping.Scope` of whoever acts and a PLIE id or an object, and makes no query.

The PLIE's **DPO** and **administrateur** hold the journal and the participants' rights
(``Scope.journal_plie_ids``); the people who accompany a person (référent, animation) may keep
their dossier from an anonymisation; everyone working in the PLIE may print the information
notice handed to participants."""

from plie.core.enums import Role

OBJECTION_ROLES = frozenset({Role.REFERENT, Role.ANIMATION, Role.ADMINISTRATEUR})


def can_view_journal(scope, plie_id):
    """Search and export the access journal of the PLIE ``plie_id``: its **DPO** and its
    **administrateur** (and the superuser)."""
    return plie_id in scope.journal_plie_ids


def can_export_participant_data(scope, participant):
    """Export everything held about ``participant`` (right of access, RGPD art. 15) and read the
    retention report of its PLIE: the PLIE's **DPO** and **administrateur**."""
    return can_view_journal(scope, participant.plie_id)


def can_view_conservation(scope, plie_id):
    """Read the report of the next anonymisation run of the PLIE ``plie_id``: its **DPO** and
    **administrateur**."""
    return can_view_journal(scope, plie_id)


def can_object_anonymisation(scope, participant):
    """Object to the anonymisation of ``participant`` (a person still followed): the
    **référent**, **animation** and **administrateur** of the participant's PLIE."""
    return scope.sees_personal_data(participant.plie_id) and scope.has_role(
        *OBJECTION_ROLES, plie_id=participant.plie_id
    )


def can_print_notice(scope, plie_id):
    """Print the PLIE's information notice (mention d'information): anyone holding a role that
    meets participants or answers for the processing in the PLIE — référent, animation,
    gestionnaire, direction, administrateur, DPO (not a financeur)."""
    return (
        scope.has_role(
            Role.REFERENT,
            Role.ANIMATION,
            Role.GESTIONNAIRE,
            Role.DIRECTION,
            Role.ADMINISTRATEUR,
            Role.DPO,
            plie_id=plie_id,
        )
        and plie_id in scope.plie_ids
    )
