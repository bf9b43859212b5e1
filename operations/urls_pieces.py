"""Proofs of realisation: collective sessions and their attendance sheets, attestations, the
extraction of the entretiens and the pièces checklist (see ``operations.views_pieces``)."""

from django.urls import path

from operations import views_pieces as views

urlpatterns = [
    path("<int:pk>/pieces/", views.pieces_checklist, name="pieces"),
    path("<int:pk>/actions/", views.action_list, name="action_list"),
    path("<int:pk>/actions/nouvelle/", views.action_create, name="action_create"),
    path("actions/<int:pk>/", views.action_detail, name="action_detail"),
    path("actions/<int:pk>/modifier/", views.action_update, name="action_update"),
    path("actions/<int:pk>/participants/", views.action_participants, name="action_participants"),
    path("actions/<int:pk>/presences/", views.action_presences, name="action_presences"),
    path("actions/<int:pk>/emargement.pdf", views.emargement, name="emargement"),
    path(
        "actions/<int:pk>/attestation/<int:participant_pk>.pdf",
        views.attestation_action,
        name="attestation_action",
    ),
    path("etapes/<int:pk>/attestation.pdf", views.attestation_etape, name="attestation_etape"),
    path("<int:pk>/entretiens/", views.extraction_entretiens, name="extraction_entretiens"),
]
