from django.urls import path

from participants import views

app_name = "participants"

urlpatterns = [
    path("", views.participant_list, name="participant_list"),
    path("nouveau/", views.participant_create, name="participant_create"),
    path("<int:pk>/", views.participant_detail, name="participant_detail"),
    path("<int:pk>/modifier/", views.participant_update, name="participant_update"),
    path("<int:pk>/questionnaire/", views.situation_update, name="situation_update"),
    path("<int:pk>/questionnaire/nouveau/", views.situation_create, name="situation_create"),
    path("<int:pk>/freins/ajouter/", views.frein_create, name="frein_create"),
    path("freins/<int:pk>/lever/", views.frein_lift, name="frein_lift"),
]

from participants.urls_documents import urlpatterns as documents_urlpatterns  # noqa: E402

urlpatterns += documents_urlpatterns
