"""Who may change a dossier: the one place that decides it.

Seeing a dossier is ``Participant.objects.visible_to(user)`` (``plie.core.scoping``). Changing it
(creating a participant, editing identity and contacts, the situation at entry, freins) is for
the **référent**, **animation** and **administrateur** of the participant's PLIE; gestionnaire
and direction only read, the financeur sees no participant at all."""

from plie.core.enums import Role
from plie.core.scoping import scope_for

EDIT_ROLES = frozenset({Role.REFERENT, Role.ANIMATION, Role.ADMINISTRATEUR})


def can_edit_in_plie(user, plie_id):
    """``user`` may create and change the dossiers of the PLIE ``plie_id``."""
    scope = scope_for(user)
    return scope.can_see_personal_data(plie_id) and scope.has_role(*EDIT_ROLES, plie_id=plie_id)


def can_edit(user, participant):
    """``user`` may change ``participant``'s dossier."""
    return can_edit_in_plie(user, participant.plie_id)


def creatable_plie_ids(user):
    """The PLIE where ``user`` may create a participant (no query once the scope is known)."""
    scope = scope_for(user)
    return frozenset(plie_id for plie_id in scope.personal_plie_ids if can_edit_in_plie(user, plie_id))


def can_see_sensitive(user, participant):
    """Health and justice freins, disability: référent and animation of the PLIE only."""
    return scope_for(user).can_see_sensitive_data(participant.plie_id)
