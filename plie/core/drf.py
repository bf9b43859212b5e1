"""The REST API's shared machinery: token authentication, the read-only token rule, throttling
per token, cursor pagination and the uniform error body.

Every error of ``/api/v1/`` has one shape::

    {"code": "introuvable", "message": "Ressource introuvable.", "champs": {}}

``champs`` maps a field to its French messages (400 only). Codes: ``donnees_invalides`` (400),
``non_authentifie`` (401), ``interdit`` (403), ``introuvable`` (404), ``methode_non_autorisee``
(405), ``conflit`` (409), ``trop_de_requetes`` (429).
"""

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from rest_framework import exceptions, status
from rest_framework.authentication import BaseAuthentication, get_authorization_header
from rest_framework.pagination import CursorPagination
from rest_framework.permissions import SAFE_METHODS, BasePermission
from rest_framework.response import Response
from rest_framework.throttling import SimpleRateThrottle

from plie.core.models import ApiToken
from plie.core.tokens import token_for_secret

AUTH_KEYWORD = "Bearer"


def has_token_header(request):
    """Whether the request carries ``Authorization: Bearer …`` (then the token alone decides who
    calls: a session cookie sent alongside is ignored)."""
    return get_authorization_header(request).split(b" ", 1)[0].lower() == AUTH_KEYWORD.lower().encode()


class TokenAuthentication(BaseAuthentication):
    """``Authorization: Bearer plie_…``: the token's user; ``request.auth`` is the
    :class:`~plie.core.models.ApiToken`. A revoked, unknown or malformed token is a 401."""

    def authenticate(self, request):
        parts = get_authorization_header(request).split()
        if not parts or parts[0].lower() != AUTH_KEYWORD.lower().encode():
            return None
        if len(parts) != 2:
            raise exceptions.AuthenticationFailed(
                "En-tête Authorization invalide : « Bearer <jeton> » attendu."
            )
        try:
            secret = parts[1].decode()
        except UnicodeError as error:
            raise exceptions.AuthenticationFailed("Jeton invalide.") from error
        token = token_for_secret(secret)
        if token is None or not token.user.is_active:
            raise exceptions.AuthenticationFailed("Jeton inconnu ou révoqué.")
        return token.user, token

    def authenticate_header(self, request):
        return f'{AUTH_KEYWORD} realm="api"'


class TokenWritePermission(BasePermission):
    """A read token (``ecriture`` off) may only read: any write is a 403."""

    message = "Ce jeton est en lecture seule : il ne permet pas de modifier des données."

    def has_permission(self, request, view):
        token = request.auth
        if isinstance(token, ApiToken) and not token.ecriture:
            return request.method in SAFE_METHODS
        return True


class TokenRateThrottle(SimpleRateThrottle):
    """Requests per token (rate ``token`` of ``DEFAULT_THROTTLE_RATES``); a session is
    throttled per user. Over the rate: 429 with ``Retry-After``."""

    scope = "token"

    def get_rate(self):
        # read at each request (DRF binds the rates at import), so a test may change them
        from rest_framework.settings import api_settings

        return api_settings.DEFAULT_THROTTLE_RATES.get(self.scope)

    def get_cache_key(self, request, view):
        if isinstance(request.auth, ApiToken):
            ident = f"jeton-{request.auth.pk}"
        elif request.user and request.user.is_authenticated:
            ident = f"user-{request.user.pk}"
        else:
            ident = self.get_ident(request)
        return self.cache_format % {"scope": self.scope, "ident": ident}


class Pagination(CursorPagination):
    """Cursor pagination (stable under inserts, fit for a nightly sync): ``?curseur=`` from the
    ``suivant`` / ``precedent`` links, ``?taille=`` up to 200 rows per page."""

    cursor_query_param = "curseur"
    page_size = 50
    page_size_query_param = "taille"
    max_page_size = 200
    ordering = "-id"

    def get_paginated_response(self, data):
        return Response(
            {"suivant": self.get_next_link(), "precedent": self.get_previous_link(), "resultats": data}
        )

    def get_paginated_response_schema(self, schema):
        return {
            "type": "object",
            "required": ["resultats"],
            "properties": {
                "suivant": {"type": "string", "nullable": True, "format": "uri"},
                "precedent": {"type": "string", "nullable": True, "format": "uri"},
                "resultats": schema,
            },
        }


class Conflict(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_detail = "La fiche a été modifiée entre-temps : rechargez-la avant de recommencer."
    default_code = "conflit"


CODES = {
    400: ("donnees_invalides", "Données invalides : voyez les champs en erreur."),
    401: ("non_authentifie", "Authentification requise : jeton absent, inconnu ou révoqué."),
    403: ("interdit", "Action non autorisée."),
    404: ("introuvable", "Ressource introuvable."),
    405: ("methode_non_autorisee", "Méthode non autorisée."),
    406: ("non_acceptable", "Format de réponse non disponible."),
    409: ("conflit", Conflict.default_detail),
    415: ("type_non_supporte", "Type de contenu non pris en charge : envoyez du JSON."),
    429: ("trop_de_requetes", "Trop de requêtes : réessayez plus tard."),
}


def _messages(value):
    if isinstance(value, list | tuple):
        out = []
        for item in value:
            out.extend(_messages(item))
        return out
    if isinstance(value, dict):
        out = []
        for item in value.values():
            out.extend(_messages(item))
        return out
    return [str(value)]


def error_body(status_code, message=None, champs=None):
    code, default = CODES.get(status_code, ("erreur", "Erreur."))
    return {"code": code, "message": message or default, "champs": champs or {}}


def api_exception_handler(exc, context):
    """DRF's handler, then the body rewritten to ``{code, message, champs}``. A Django
    ``ValidationError`` raised by a service becomes a 400 with its fields."""
    from rest_framework.views import exception_handler  # not at import: DRF's settings load this module

    if isinstance(exc, DjangoValidationError):
        if hasattr(exc, "error_dict"):
            detail = {
                ("non_field_errors" if field == "__all__" else field): [str(m) for e in errors for m in e]
                for field, errors in exc.error_dict.items()
            }
        else:
            detail = {"non_field_errors": [str(m) for m in exc.messages]}
        exc = exceptions.ValidationError(detail)
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()
    response = exception_handler(exc, context)
    if response is None:
        return None
    data = response.data
    message, champs = None, {}
    if isinstance(exc, exceptions.ValidationError):
        if isinstance(data, dict):
            champs = {
                ("non_field_errors" if key == "__all__" else key): _messages(value)
                for key, value in data.items()
            }
            general = champs.get("non_field_errors")
            if general:
                message = " ".join(general)
        else:
            champs = {"non_field_errors": _messages(data)}
            message = " ".join(champs["non_field_errors"])
    elif isinstance(data, dict) and "detail" in data:
        message = str(data["detail"])
    if isinstance(exc, exceptions.Throttled):
        wait = exc.wait
        message = (
            f"Trop de requêtes : réessayez dans {int(wait) + 1} s." if wait is not None else CODES[429][1]
        )
    if isinstance(exc, exceptions.NotFound):
        message = CODES[404][1]
    if isinstance(exc, exceptions.NotAuthenticated):
        message = CODES[401][1]
    response.data = error_body(response.status_code, message, champs)
    return response
