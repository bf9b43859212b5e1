"""Operations, enrolments, entry questionnaires, exits and the carry-over."""

from django.urls import path

from operations import views_operations as views

urlpatterns = [
    path("", views.operation_list, name="operation_list"),
    path("nouvelle/", views.operation_create, name="operation_create"),
    path("<int:pk>/", views.operation_detail, name="operation_detail"),
    path("<int:pk>/modifier/", views.operation_update, name="operation_update"),
    path("<int:pk>/inscrire/", views.inscription_create, name="inscription_create"),
    path("<int:pk>/report/", views.operation_report, name="operation_report"),
    path(
        "inscriptions/<int:pk>/questionnaire/",
        views.inscription_questionnaire,
        name="inscription_questionnaire",
    ),
    path("inscriptions/<int:pk>/sortie/", views.inscription_sortie, name="inscription_sortie"),
]
