from django.urls import path

from plie.core import views, views_jetons

app_name = "core"

urlpatterns = [
    path("taches/", views.taskrun_list, name="taskrun_list"),
    path("jetons/", views_jetons.jetons, name="jetons"),
    path("jetons/<int:pk>/revoquer/", views_jetons.jeton_revoquer, name="jeton_revoquer"),
]
