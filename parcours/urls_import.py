"""URLs of the legacy import (the PLIE's administrateur); included at the end of
``parcours/urls.py`` (namespace ``parcours``)."""

from django.urls import path

from parcours import views_import as views

urlpatterns = [
    path("import/", views.import_list, name="import_list"),
    path("import/<int:pk>/", views.import_detail, name="import_detail"),
    path("import/<int:pk>/avancement/", views.import_progress, name="import_progress"),
    path("import/<int:pk>/erreurs.csv", views.import_erreurs, name="import_erreurs"),
]
