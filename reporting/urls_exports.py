"""Long exports as background jobs (mounted at ``/rapports/exports/``, namespace ``rapports``)."""

from django.urls import path

from reporting import views_exports

urlpatterns = [
    path("", views_exports.export_list, name="export_list"),
    path("nouveau/", views_exports.export_create, name="export_create"),
    path("<int:pk>/", views_exports.export_detail, name="export_detail"),
    path("<int:pk>/progression/", views_exports.export_progress, name="export_progress"),
    path("<int:pk>/relancer/", views_exports.export_retry, name="export_retry"),
    path("<int:pk>/telecharger/", views_exports.export_download, name="export_download"),
]
