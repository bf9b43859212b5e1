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


def can_change_identite(scope, plie):
    """Change the name and the logo of the PLIE ``plie`` (shown in the header and on the PDFs):
    its **administrateur** (held in the PLIE itself, not through an OI), a superuser."""
    if scope.user is None or plie is None:
        return False
    if scope.is_superuser:
        return True
    return plie.id in scope.personal_plie_ids and Role.ADMINISTRATEUR in scope.roles_in(plie.id)
