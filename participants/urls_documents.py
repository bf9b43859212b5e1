"""Documents of a dossier and the printable fiche; appended to ``participants.urls``."""

from django.urls import path

from participants import views_documents

urlpatterns = [
    path("<int:pk>/documents/ajouter/", views_documents.document_upload, name="document_upload"),
    path("documents/<int:pk>/", views_documents.document_download, name="document_download"),
    path("documents/<int:pk>/supprimer/", views_documents.document_delete, name="document_delete"),
    path("<int:pk>/fiche.pdf", views_documents.fiche_pdf, name="fiche_pdf"),
]
