"""Who may do what in ``plie.core`` (see ``docs/architecture.md``)."""

from plie.core.enums import Role


def can_manage_api_token(scope, holder):
    """Create, see and revoke the API tokens of ``holder`` (a :class:`plie.core.tokens.Holder`:
    a user and the PLIE it is attached to): the user themself, an **administrateur** of one of
    those PLIE, a superuser."""
    if scope.user is None:
        return False
    if scope.is_superuser or scope.user_id == holder.user.pk:
        return True
    return any(Role.ADMINISTRATEUR in scope.roles_in(plie_id) for plie_id in holder.plie_ids)
