"""Every URL of the operations app (namespace ``operations``)."""

from django.urls import path

from operations import views_exports, views_operations, views_pieces, views_suivi

app_name = "operations"

urlpatterns = [
    # --- operations, enrolments, questionnaires, carry-over
    path("", views_operations.operation_list, name="operation_list"),
    path("nouvelle/", views_operations.operation_create, name="operation_create"),
    path("<int:pk>/", views_operations.operation_detail, name="operation_detail"),
    path("<int:pk>/modifier/", views_operations.operation_update, name="operation_update"),
    path("<int:pk>/inscrire/", views_operations.inscription_create, name="inscription_create"),
    path("<int:pk>/report/", views_operations.operation_report, name="operation_report"),
    path("parcours/<int:pk>/inscrire/", views_operations.inscription_parcours, name="inscription_parcours"),
    path(
        "inscriptions/<int:pk>/questionnaire/",
        views_operations.inscription_questionnaire,
        name="inscription_questionnaire",
    ),
    path("inscriptions/<int:pk>/sortie/", views_operations.inscription_sortie, name="inscription_sortie"),
    # --- completeness board, occupancy, results vs targets
    path("completude/", views_suivi.completude_globale, name="completude_globale"),
    path("<int:pk>/completude/", views_suivi.completude, name="completude"),
    path("<int:pk>/occupation/", views_suivi.occupation, name="occupation"),
    path("<int:pk>/resultats/", views_suivi.resultats, name="resultats"),
    # --- MDFSE export and validator, XLSX, bilan d'exécution annex
    path("<int:pk>/export-mdfse/", views_exports.export_mdfse, name="export_mdfse"),
    path("<int:pk>/validation-mdfse/", views_exports.validation_mdfse, name="validation_mdfse"),
    path("<int:pk>/export-xlsx/", views_exports.export_xlsx, name="export_xlsx"),
    path("<int:pk>/annexe-bilan/", views_exports.annexe_bilan, name="annexe_bilan"),
    # --- proofs: attestations, entretiens, émargement, checklist
    path("<int:pk>/pieces/", views_pieces.pieces_checklist, name="pieces"),
    path("<int:pk>/actions/", views_pieces.action_list, name="action_list"),
    path("<int:pk>/actions/nouvelle/", views_pieces.action_create, name="action_create"),
    path("actions/<int:pk>/", views_pieces.action_detail, name="action_detail"),
    path("actions/<int:pk>/modifier/", views_pieces.action_update, name="action_update"),
    path("actions/<int:pk>/participants/", views_pieces.action_participants, name="action_participants"),
    path("actions/<int:pk>/presences/", views_pieces.action_presences, name="action_presences"),
    path("actions/<int:pk>/emargement.pdf", views_pieces.emargement, name="emargement"),
    path(
        "actions/<int:pk>/attestation/<int:participant_pk>.pdf",
        views_pieces.attestation_action,
        name="attestation_action",
    ),
    path("etapes/<int:pk>/attestation.pdf", views_pieces.attestation_etape, name="attestation_etape"),
    path("<int:pk>/entretiens/", views_pieces.extraction_entretiens, name="extraction_entretiens"),
]
