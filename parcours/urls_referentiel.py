"""URLs of the PLIE's exit referential (its administrateur's pages); included at the end of
``parcours/urls.py`` (namespace ``parcours``)."""

from django.urls import path

from parcours import views_referentiel as views

urlpatterns = [
    path("referentiel/sorties/", views.referentiel_sorties, name="referentiel_sorties"),
    path("referentiel/sorties/nouveau/", views.type_sortie_create, name="type_sortie_create"),
    path("referentiel/sorties/<int:pk>/modifier/", views.type_sortie_update, name="type_sortie_update"),
]
