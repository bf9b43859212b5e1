"""The files of an operation: MDFSE participant file and its validator, XLSX, bilan d'exécution annex."""

from django.urls import path

from operations import views_exports

urlpatterns = [
    path("<int:pk>/export-mdfse/", views_exports.export_mdfse, name="export_mdfse"),
    path("<int:pk>/validation-mdfse/", views_exports.validation_mdfse, name="validation_mdfse"),
    path("<int:pk>/export-xlsx/", views_exports.export_xlsx, name="export_xlsx"),
    path("<int:pk>/annexe-bilan/", views_exports.annexe_bilan, name="annexe_bilan"),
]
