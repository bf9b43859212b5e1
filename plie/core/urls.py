from django.urls import path

from plie.core import views

app_name = "core"

urlpatterns = [
    path("taches/", views.taskrun_list, name="taskrun_list"),
]
