"""URLs of the PLIE's exit and step referentials (its administrateur's pages); included at the end of
``parcours/urls.py`` (namespace ``parcours``)."""

from django.urls import path

from parcours import views_referentiel as views

urlpatterns = [
    path("referentiel/sorties/", views.referentiel_sorties, name="referentiel_sorties"),
    path("referentiel/sorties/nouveau/", views.type_sortie_create, name="type_sortie_create"),
    path("referentiel/sorties/<int:pk>/modifier/", views.type_sortie_update, name="type_sortie_update"),
    path("referentiel/etapes/", views.referentiel_etapes, name="referentiel_etapes"),
    path("referentiel/etapes/nouveau/", views.type_etape_create, name="type_etape_create"),
    path("referentiel/etapes/<int:pk>/modifier/", views.type_etape_update, name="type_etape_update"),
]
