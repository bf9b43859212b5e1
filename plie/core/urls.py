from django.urls import path

from plie.core import views, views_identite, views_jetons

app_name = "core"

urlpatterns = [
    path("taches/", views.taskrun_list, name="taskrun_list"),
    path("identite/", views_identite.identite_edit, name="identite"),
    path("plies/<int:pk>/logo/", views_identite.logo, name="plie_logo"),
    path("jetons/", views_jetons.jetons, name="jetons"),
    path("jetons/<int:pk>/revoquer/", views_jetons.jeton_revoquer, name="jeton_revoquer"),
]
