from django.urls import path

from parcours import views

app_name = "parcours"

urlpatterns = [
    path("ma-file-active/", views.workspace, name="workspace"),
    path("<int:pk>/", views.parcours_detail, name="parcours_detail"),
    path("<int:pk>/entretiens/noter/", views.entretien_create, name="entretien_create"),
    path("entretiens/<int:pk>/rendez-vous.ics", views.entretien_ics, name="entretien_ics"),
    path("<int:pk>/etapes/ajouter/", views.etape_create, name="etape_create"),
    path("etapes/<int:pk>/modifier/", views.etape_update, name="etape_update"),
    path("etapes/<int:pk>/annuler/", views.etape_cancel, name="etape_cancel"),
]

from parcours.urls_etat import urlpatterns as etat_urlpatterns  # noqa: E402

urlpatterns += etat_urlpatterns

from parcours.urls_referentiel import urlpatterns as referentiel_urlpatterns  # noqa: E402

urlpatterns += referentiel_urlpatterns

from parcours.urls_import import urlpatterns as import_urlpatterns  # noqa: E402

urlpatterns += import_urlpatterns
