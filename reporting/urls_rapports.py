"""Monthly reporting and long exports (namespace ``rapports``)."""

from django.urls import include, path

app_name = "rapports"

urlpatterns = [
    path("", include("reporting.urls_mensuel")),
    path("exports/", include("reporting.urls_exports")),
]
