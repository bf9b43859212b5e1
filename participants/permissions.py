"""Who may do what with a dossier: every predicate of the participants app.

Seeing a dossier is ``Participant.objects.visible_to(scope)`` (``plie.core.scoping``); the
predicates below decide the rest. Each takes the :class:`~plie.core.scoping.Scope` of whoever
acts and the object (or the PLIE id) it is about, and makes no query.

Seed rule (docs/domaine.md §2, the « référent de parcours » and the « équipe d'animation »): the people
who accompany participants keep their dossier; the PLIE's managers read it."""

from plie.core.enums import Role

EDIT_ROLES = frozenset({Role.REFERENT, Role.ANIMATION, Role.ADMINISTRATEUR})


def can_create_participant(scope, plie_id):
    """Create and change dossiers in the PLIE ``plie_id``: its **référent**, **animation** and
    **administrateur** (gestionnaire and direction only read; a financeur sees no participant)."""
    return scope.sees_personal_data(plie_id) and scope.has_role(*EDIT_ROLES, plie_id=plie_id)


def can_edit_participant(scope, participant):
    """Change ``participant``'s dossier (identity, contacts, situation at entry, freins,
    documents): the same people as :func:`can_create_participant`, in the participant's PLIE."""
    return can_create_participant(scope, participant.plie_id)


def can_view_sensitive_data(scope, participant):
    """See and record health and justice freins and the disability (Q3) of ``participant``:
    **référent** and **animation** of the participant's PLIE only, who accompany the person."""
    return scope.sees_sensitive_data(participant.plie_id)


def creatable_plie_ids(scope):
    """The PLIE where ``scope`` may create a participant (no query)."""
    return frozenset(plie_id for plie_id in scope.personal_plie_ids if can_create_participant(scope, plie_id))


def can_review_doublon(scope, signalement):
    """Compare the two identities of a duplicate flagged across PLIE and decide: the
    **animation** of either PLIE (the référent who saved the dossier was told only « a dossier
    may exist elsewhere in the OI, ask the animation »; no other role reads the other side)."""
    return any(
        scope.sees_personal_data(plie_id) and scope.has_role(Role.ANIMATION, plie_id=plie_id)
        for plie_id in (signalement.participant.plie_id, signalement.autre.plie_id)
    )
