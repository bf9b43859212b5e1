"""Every URL of the rgpd app (namespace ``rgpd``)."""

from django.urls import path

from rgpd import views

app_name = "rgpd"

urlpatterns = [
    path("journal/", views.journal_list, name="journal_list"),
    path("journal/export.csv", views.journal_export, name="journal_export"),
    path("participants/<int:pk>/droit-acces.json", views.acces_export, {"format": "json"}, name="acces_json"),
    path("participants/<int:pk>/droit-acces.pdf", views.acces_export, {"format": "pdf"}, name="acces_pdf"),
    path("participants/<int:pk>/opposition/", views.opposition_create, name="opposition_create"),
    path("plie/<int:plie_id>/mention-information.pdf", views.mention_pdf, name="mention_pdf"),
    path("plie/<int:plie_id>/conservation/", views.conservation_report, name="conservation_report"),
]
