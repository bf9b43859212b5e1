"""The follow-up of operations: completeness board, occupancy, results against targets."""

from django.urls import path

from operations import views_suivi

urlpatterns = [
    path("completude/", views_suivi.completude_globale, name="completude_globale"),
    path("<int:pk>/completude/", views_suivi.completude, name="completude"),
    path("<int:pk>/occupation/", views_suivi.occupation, name="occupation"),
    path("<int:pk>/resultats/", views_suivi.resultats, name="resultats"),
]
