"""Template tags that let pages of upstream apps (parcours) link to the operations' proofs
without importing operations from Python (imports go participants ← parcours ← operations)."""

from django import template

from operations.pieces import can_read_pieces

register = template.Library()


@register.simple_tag
def peut_attester(user, plie_id):
    """``user`` may print attestations and other proofs of the PLIE ``plie_id``."""
    return can_read_pieces(user, plie_id)
