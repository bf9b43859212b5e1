"""Dashboards (namespace ``reporting``)."""

from django.urls import path

from reporting import views

app_name = "reporting"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("oi/", views.dashboard_oi, name="dashboard_oi"),
    path("financeur/", views.dashboard_financeur, name="dashboard_financeur"),
    path("participants/", views.participants_liste, name="participants_liste"),
]
