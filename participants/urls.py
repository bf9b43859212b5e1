"""Every URL of the participants app (namespace ``participants``)."""

from django.urls import path

from participants import views, views_documents

app_name = "participants"

urlpatterns = [
    # --- dossiers, situation at entry, freins
    path("", views.participant_list, name="participant_list"),
    path("nouveau/", views.participant_create, name="participant_create"),
    path("<int:pk>/", views.participant_detail, name="participant_detail"),
    path("<int:pk>/modifier/", views.participant_update, name="participant_update"),
    path("<int:pk>/questionnaire/", views.situation_update, name="situation_update"),
    path("<int:pk>/questionnaire/nouveau/", views.situation_create, name="situation_create"),
    path("<int:pk>/freins/ajouter/", views.frein_create, name="frein_create"),
    path("freins/<int:pk>/lever/", views.frein_lift, name="frein_lift"),
    path("doublons/", views.doublon_list, name="doublon_list"),
    # --- documents and the printable fiche
    path("<int:pk>/documents/ajouter/", views_documents.document_upload, name="document_upload"),
    path("documents/<int:pk>/", views_documents.document_download, name="document_download"),
    path("documents/<int:pk>/supprimer/", views_documents.document_delete, name="document_delete"),
    path("<int:pk>/fiche.pdf", views_documents.fiche_pdf, name="fiche_pdf"),
]
