"""URLs of the operations app (namespace ``operations``), one module per area."""

from django.urls import include, path

app_name = "operations"

urlpatterns = [
    path("", include("operations.urls_operations")),  # operations, enrolments, questionnaires, carry-over
    path("", include("operations.urls_suivi")),  # completeness board, occupancy, results vs targets
    path("", include("operations.urls_exports")),  # MDFSE export + validator, XLSX, bilan d'exécution annex
    path("", include("operations.urls_pieces")),  # proofs: attestations, entretiens, émargement, checklist
]
