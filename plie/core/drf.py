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
from django.db import connections
from django.http import Http404
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import exceptions, serializers, status
from rest_framework.authentication import BaseAuthentication, get_authorization_header
from rest_framework.pagination import CursorPagination
from rest_framework.permissions import SAFE_METHODS, BasePermission
from rest_framework.response import Response
from rest_framework.throttling import SimpleRateThrottle

from plie.core.filters import INVALID_ISO, parse_iso_datetime
from plie.core.models import ApiToken
from plie.core.scoping import scope_for
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


class TokenAuthenticationScheme(OpenApiAuthenticationExtension):
    """How the schema documents :class:`TokenAuthentication` (HTTP bearer)."""

    target_class = "plie.core.drf.TokenAuthentication"
    name = "jeton"

    def get_security_definition(self, auto_schema):
        return {
            "type": "http",
            "scheme": "bearer",
            "description": "Jeton personnel (plie_…) : page « Jetons d'API » ou manage.py creer_jeton.",
        }


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


class PliePagination(Pagination):
    """The cursor pagination of a table scoped on its own ``plie_id`` and indexed on
    ``(plie, id)`` (a parcours' entretiens and étapes): a page's ids are read before its rows, in
    the same query (``WHERE id IN (SELECT id … ORDER BY id DESC LIMIT n)``), PLIE by PLIE when the
    caller sees several (``UNION ALL`` of each PLIE's first ids, then the first of those).

    Each PLIE's ids then come from an index-only scan of ``(plie, id)`` (a few pages). Asked for
    the rows directly, PostgreSQL walks the primary key backwards filtering on the PLIE instead,
    because it assumes a PLIE's rows spread evenly over the ids: when they do not (a PLIE with
    older or fewer rows than the others), it reads hundreds of thousands of rows before finding a
    page (docs/scaling.md). The view is a :class:`ScopedViewSetMixin`: its PLIE are the scope's."""

    def paginate_queryset(self, queryset, request, view=None):
        plie_ids = sorted(view.scope.personal_plie_ids)
        return super().paginate_queryset(_IdsFirst(queryset, plie_ids), request, view)


class _IdsFirst:
    """``queryset`` as :class:`CursorPagination` uses it (ordered by id, filtered on the cursor's
    position, sliced), the slice read as ``pk IN (the slice's ids)``: the same rows in the same
    order."""

    def __init__(self, queryset, plie_ids, ordering=()):
        self.queryset = queryset
        self.plie_ids = plie_ids
        self.ordering = ordering

    def order_by(self, *ordering):
        assert [field.lstrip("-") for field in ordering] == ["id"], ordering
        return _IdsFirst(self.queryset.order_by(*ordering), self.plie_ids, ordering)

    def filter(self, *args, **kwargs):
        return _IdsFirst(self.queryset.filter(*args, **kwargs), self.plie_ids, self.ordering)

    def __getitem__(self, window):
        ids = self.queryset.values("id")
        # SQLite (the embedded default) cannot slice the branches of a UNION: one plain query
        # there, as its small tables need nothing more.
        features = connections[self.queryset.db].features
        if len(self.plie_ids) > 1 and features.supports_slicing_ordering_in_compound:
            firsts = [ids.filter(plie_id=plie_id)[: window.stop] for plie_id in self.plie_ids]
            ids = firsts[0].union(*firsts[1:], all=True).order_by(*self.ordering)
        return self.queryset.filter(pk__in=ids[window])


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


class ScopedViewSetMixin:
    """A viewset whose rows come from ``visible_to(scope)``, the scope of DRF's ``request.user``
    (a token's user or the session's): an object outside it is a 404. Subclasses define
    :meth:`base_queryset` and, for the ``supprimes`` list, :meth:`tombstone_filter`."""

    @property
    def scope(self):
        return scope_for(self.request.user)

    def base_queryset(self, scope):
        raise NotImplementedError

    def get_queryset(self):
        return self.base_queryset(self.scope)

    def tombstone_filter(self, scope):
        """A ``Q`` on the model's historical records: the deletions ``scope`` may know of."""
        raise NotImplementedError

    def tombstones(self, request):
        """The deletions visible to the caller since ``?modifie_depuis=`` (id and date)."""
        model = self.base_queryset(self.scope).model
        records = model.history.filter(history_type="-").filter(self.tombstone_filter(self.scope))
        since = request.query_params.get("modifie_depuis")
        if since:
            when = parse_iso_datetime(since)
            if when is None:
                raise exceptions.ValidationError({"modifie_depuis": [INVALID_ISO]})
            records = records.filter(history_date__gte=when)
        paginator = TombstonePagination()
        page = paginator.paginate_queryset(
            records.values("id", "history_date", "history_id"), request, view=self
        )
        data = [{"id": row["id"], "supprime": True, "supprime_le": row["history_date"]} for row in page]
        return paginator.get_paginated_response(data)


class TombstonePagination(Pagination):
    ordering = "-history_id"


class TombstoneSerializer(serializers.Serializer):
    id = serializers.IntegerField(help_text="Identifiant de la ligne supprimée.")
    supprime = serializers.BooleanField(help_text="Toujours vrai.")
    supprime_le = serializers.DateTimeField()


class TombstonePageSerializer(serializers.Serializer):
    suivant = serializers.URLField(allow_null=True)
    precedent = serializers.URLField(allow_null=True)
    resultats = TombstoneSerializer(many=True)


class ErrorSerializer(serializers.Serializer):
    """The body of every error: a stable code, a French message, the fields in error."""

    code = serializers.CharField(
        help_text="donnees_invalides, non_authentifie, interdit, introuvable, conflit…"
    )
    message = serializers.CharField(help_text="Message en français.")
    champs = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()), help_text="Messages par champ (400)."
    )


ERROR_SCHEMA = {
    "type": "object",
    "description": "Corps de toute erreur de l'API.",
    "required": ["code", "message", "champs"],
    "properties": {
        "code": {"type": "string", "example": "introuvable"},
        "message": {"type": "string", "example": "Ressource introuvable."},
        "champs": {
            "type": "object",
            "additionalProperties": {"type": "array", "items": {"type": "string"}},
            "example": {},
        },
    },
}
ERROR_DESCRIPTIONS = {
    "400": "Données invalides (messages par champ dans `champs`).",
    "401": "Jeton absent, inconnu ou révoqué.",
    "403": "Action interdite sur un objet visible, ou jeton en lecture seule.",
    "404": "Objet inexistant ou hors de votre périmètre.",
    "409": "Conflit : la fiche a changé entre-temps, ou doublon probable.",
    "429": "Trop de requêtes : voyez l'en-tête Retry-After.",
}


def add_error_responses(result, generator, request, public):
    """drf-spectacular hook: the ``Erreur`` component and, on every operation, the error
    responses it may give (400 and 409 only on writes and filtered lists)."""
    result.setdefault("components", {}).setdefault("schemas", {})["Erreur"] = ERROR_SCHEMA
    ref = {"application/json": {"schema": {"$ref": "#/components/schemas/Erreur"}}}
    for path_item in result.get("paths", {}).values():
        for method, operation in path_item.items():
            if method not in {"get", "post", "put", "patch", "delete"}:
                continue
            codes = ["400", "401", "403", "404", "429"]
            if method != "get":
                codes.append("409")
            responses = operation.setdefault("responses", {})
            for code in codes:
                responses.setdefault(code, {"description": ERROR_DESCRIPTIONS[code], "content": ref})
    return result


class BlankChoicesMixin:
    """A ModelSerializer whose read-only choice fields keep ``allow_blank`` from a ``blank=True``
    model field, so the schema admits the empty answer ("") the database holds."""

    def get_fields(self):
        fields = super().get_fields()
        for name, field in fields.items():
            if isinstance(field, serializers.ChoiceField) and field.read_only:
                source = field.source or name
                try:
                    model_field = self.Meta.model._meta.get_field(source)
                except Exception:
                    continue
                if getattr(model_field, "blank", False):
                    field.allow_blank = True
        return fields


def sensitive_field(label):
    """A sensitive answer: present only for the roles that see it (not ``required`` in the
    schema), never written through these serializers."""
    return serializers.BooleanField(
        required=False,
        allow_null=True,
        help_text=f"{label} — sensible : présent seulement pour référent et animation.",
    )
