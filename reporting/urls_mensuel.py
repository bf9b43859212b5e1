"""The monthly reporting (mounted at ``/rapports/`` in the ``rapports`` namespace)."""

from django.urls import path, re_path

from reporting import views_mensuel

urlpatterns = [
    path("", views_mensuel.mensuel_view, name="mensuel"),
    re_path(
        r"^mensuel/(?P<code>[-\w]+)/(?P<mois>\d{4}-\d{2})\.(?P<fmt>[a-z]+)$",
        views_mensuel.mensuel_export,
        name="mensuel_export",
    ),
]
