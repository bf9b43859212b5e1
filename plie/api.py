"""The REST API router (``/api/v1/``). Each app registers its viewsets here."""

from django.urls import include, path
from rest_framework.decorators import api_view
from rest_framework.response import Response
from rest_framework.routers import DefaultRouter

from plie.core.scoping import scope_for, visible_plies
from reporting.api import bilan_annuel_api, reporting_mensuel_api

router = DefaultRouter()


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


urlpatterns = [
    path("moi/", me, name="api_me"),
    path("plie/<slug:code>/bilan/<int:annee>/", bilan_annuel_api, name="api_bilan_annuel"),
    path("plie/<slug:code>/mensuel/<str:mois>/", reporting_mensuel_api, name="api_reporting_mensuel"),
    path("", include(router.urls)),
]
