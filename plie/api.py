"""The REST API router (``/api/v1/``): each app's viewsets (``<app>/api.py``) registered here,
the existing JSON endpoints (moi, bilan, monthly report), and the OpenAPI schema and its
documentation page (``/api/schema/``, ``/api/docs/``, see ``api_doc_urls``).

Every view computes the caller's scope from DRF's ``request.user`` (a token's user or the
session's): ``scope_for(request.user)``, never the session middleware's ``request.scope``."""

from django.db.models import Q
from django.http import JsonResponse
from django.shortcuts import render
from django.urls import include, path, re_path
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema, extend_schema_view, inline_serializer
from drf_spectacular.views import SpectacularAPIView
from rest_framework import serializers, viewsets
from rest_framework.decorators import api_view
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.routers import DefaultRouter

from operations.api import InscriptionViewSet, OperationViewSet
from parcours.api import (
    AlerteViewSet,
    CommissionViewSet,
    EntretienViewSet,
    EtapeViewSet,
    ParcoursViewSet,
    ReferentViewSet,
    SortieViewSet,
    SuspensionViewSet,
)
from parcours.api_partenaires import OrientationViewSet, PartnerEtapeViewSet, SuiviViewSet
from participants.api import ParticipantViewSet
from plie.core.drf import ScopedViewSetMixin, error_body
from plie.core.models import Structure
from plie.core.scoping import scope_for, visible_plies
from reporting.api import bilan_annuel_api, reporting_mensuel_api


class StructureSerializer(serializers.ModelSerializer):
    type = serializers.CharField(source="kind", read_only=True)

    class Meta:
        model = Structure
        fields = ["id", "type", "nom", "code"]
        read_only_fields = fields


@extend_schema_view(
    list=extend_schema(
        summary="Lister les structures", description="Les PLIE visibles et leurs partenaires."
    ),
    retrieve=extend_schema(summary="Lire une structure"),
)
class StructureViewSet(ScopedViewSetMixin, viewsets.ReadOnlyModelViewSet):
    serializer_class = StructureSerializer
    filterset_class = None

    def base_queryset(self, scope):
        ids = scope.plie_ids
        return Structure.objects.filter(Q(id__in=ids) | Q(plies__in=ids)).distinct()


router = DefaultRouter()
router.register("participants", ParticipantViewSet, basename="participant")
router.register("parcours", ParcoursViewSet, basename="parcours")
router.register("entretiens", EntretienViewSet, basename="entretien")
router.register("etapes", EtapeViewSet, basename="etape")
router.register("suspensions", SuspensionViewSet, basename="suspension")
router.register("sorties", SortieViewSet, basename="sortie")
router.register("commissions", CommissionViewSet, basename="commission")
router.register("alertes", AlerteViewSet, basename="alerte")
router.register("operations", OperationViewSet, basename="operation")
router.register("inscriptions", InscriptionViewSet, basename="inscription")
router.register("structures", StructureViewSet, basename="structure")
router.register("referents", ReferentViewSet, basename="referent")
router.register("partenaire/orientations", OrientationViewSet, basename="partenaire-orientation")
router.register("partenaire/etapes", PartnerEtapeViewSet, basename="partenaire-etape")
router.register("partenaire/suivis", SuiviViewSet, basename="partenaire-suivi")


@extend_schema(
    summary="Qui appelle",
    responses=inline_serializer(
        "Moi",
        {
            "email": serializers.EmailField(),
            "role": serializers.CharField(allow_null=True),
            "plies": inline_serializer(
                "PlieCourt", {"code": serializers.CharField(), "nom": serializers.CharField()}, many=True
            ),
        },
    ),
)
@api_view(["GET"])
def me(request):
    scope = scope_for(request.user)  # DRF authenticates the request: its user, not the session's
    return Response(
        {
            "email": request.user.email,
            "role": scope.primary_role,
            "plies": [{"code": p.code, "nom": p.nom} for p in visible_plies(scope).order_by("code")],
        }
    )


class SchemaView(SpectacularAPIView):
    """The OpenAPI 3 schema (YAML, or JSON with ``?format=json``): public, like the docs."""

    permission_classes = [AllowAny]
    authentication_classes = []


def not_found(request):
    return JsonResponse(error_body(404), status=404)


def docs(request):
    """The documentation page: Swagger UI on the schema, from vendored assets."""
    return render(request, "api/docs.html")


SchemaView.throttle_classes = []

# The existing JSON endpoints (reporting/api.py) documented as free-form objects.
bilan_annuel_api = extend_schema(
    summary="Bilan annuel d'un PLIE",
    description="Agrégats seulement (lisible par un financeur partenaire).",
    responses=OpenApiTypes.OBJECT,
)(bilan_annuel_api)
reporting_mensuel_api = extend_schema(
    summary="Rapport mensuel d'un PLIE",
    description="Mois AAAA-MM ; le mois en cours est « provisoire ».",
    responses=OpenApiTypes.OBJECT,
)(reporting_mensuel_api)

urlpatterns = [
    path("moi/", me, name="api_me"),
    path("plie/<slug:code>/bilan/<int:annee>/", bilan_annuel_api, name="api_bilan_annuel"),
    path("plie/<slug:code>/mensuel/<str:mois>/", reporting_mensuel_api, name="api_reporting_mensuel"),
    path("", include(router.urls)),
    re_path(r"^", not_found),  # an unknown address under /api/v1/: the JSON 404, not the HTML page
]

api_doc_urls = [
    path("schema/", SchemaView.as_view(), name="api_schema"),
    path("docs/", docs, name="api_docs"),
]
