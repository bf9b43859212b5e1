"""Personal API tokens: created, shown once, stored hashed, revoked.

A token is ``plie_`` followed by 43 random URL-safe characters (256 bits from :mod:`secrets`);
the database keeps its SHA-256 (``empreinte``) and its first characters (``prefixe``, to
recognise it in a list), never the secret. A token acts with its user's
:class:`~plie.core.scoping.Scope` (``scope_for(token.user)``) and nothing more.
"""

import hashlib
import secrets
from datetime import timedelta
from typing import NamedTuple

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from plie.core.enums import Role
from plie.core.models import ApiToken, Membership, Structure, User
from plie.core.scoping import scope_for

TOKEN_PREFIX = "plie_"
PREFIX_LENGTH = 12
# last_used_at is written at most once per this delay (not one UPDATE per API call).
LAST_USED_PRECISION = timedelta(minutes=1)


def generate_secret():
    """A new token secret (never stored)."""
    return TOKEN_PREFIX + secrets.token_urlsafe(32)


def hash_secret(secret):
    """The SHA-256 (hex) of a token secret: what the database keeps."""
    return hashlib.sha256(secret.encode()).hexdigest()


class Holder(NamedTuple):
    """A token's user and the PLIE it is attached to (what ``can_manage_api_token`` reads)."""

    user: object
    plie_ids: frozenset


def holder_of(user):
    """``user`` with the PLIE it is attached to (the PLIE whose figures its scope shows)."""
    return Holder(user, scope_for(user).plie_ids)


def administered_users(scope):
    """The users whose tokens ``scope`` manages besides its own: for an administrateur, every
    user attached to a PLIE it administers (through the PLIE itself, its OI or a partner
    structure); for a superuser, everyone."""
    if scope.is_superuser:
        return User.objects.all()
    plie_ids = [p for p in scope.plie_ids if Role.ADMINISTRATEUR in scope.roles_in(p)]
    if not plie_ids:
        return User.objects.filter(pk=scope.user_id)
    structures = Structure.objects.filter(
        Q(id__in=plie_ids) | Q(plies_geres__id__in=plie_ids) | Q(plies__id__in=plie_ids)
    ).values("id")
    user_ids = Membership.objects.active().filter(structure_id__in=structures).values("user_id")
    return User.objects.filter(Q(pk__in=user_ids) | Q(pk=scope.user_id)).distinct()


def tokens_visible_to(scope):
    """The tokens ``scope`` sees on the tokens page: its own and those of the users it administers."""
    return ApiToken.objects.filter(user__in=administered_users(scope)).select_related("user", "created_by")


@transaction.atomic
def token_create(*, scope, owner, nom, ecriture=False):
    """Create a token for ``owner``, named ``nom``; returns ``(token, secret)``. The secret is
    not stored: the caller shows it once. ``scope`` is who creates it (the owner, their
    administrateur, or a command's system scope)."""
    nom = (nom or "").strip()
    if not nom:
        raise ValidationError({"nom": "Donnez un nom au jeton (par exemple l'outil qui l'utilise)."})
    if not owner.is_active:
        raise ValidationError({"utilisateur": "Ce compte est désactivé : il ne peut pas recevoir de jeton."})
    secret = generate_secret()
    token = ApiToken.objects.create(
        user=owner,
        nom=nom[:100],
        prefixe=secret[:PREFIX_LENGTH],
        empreinte=hash_secret(secret),
        ecriture=bool(ecriture),
        created_by=scope.user,
    )
    return token, secret


def token_revoke(*, scope, token):
    """Revoke ``token`` (kept for the record, refused from now on)."""
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
    return token


def token_for_secret(secret):
    """The active token whose secret is ``secret``, with its user, or ``None``. Touches
    ``last_used_at`` (at most once per :data:`LAST_USED_PRECISION`)."""
    if not secret or not secret.startswith(TOKEN_PREFIX):
        return None
    token = ApiToken.objects.active().select_related("user").filter(empreinte=hash_secret(secret)).first()
    if token is None:
        return None
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at >= LAST_USED_PRECISION:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
    return token
