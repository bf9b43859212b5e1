"""Every URL of the finances app (namespace ``finances``)."""

from django.urls import path

from finances import views

app_name = "finances"

urlpatterns = [
    path("temps/", views.mes_fiches, name="mes_fiches"),
    path("temps/<int:personnel_pk>/<str:semaine>/", views.fiche_semaine, name="fiche_semaine"),
    path("suivi/", views.suivi_fiches, name="suivi_fiches"),
    path("personnel/", views.personnel_list, name="personnel_list"),
    path("personnel/nouveau/", views.personnel_create, name="personnel_create"),
    path("personnel/<int:pk>/modifier/", views.personnel_update, name="personnel_update"),
    path("personnel/<int:pk>/affecter/", views.affectation_create, name="affectation_create"),
    path(
        "affectations/<int:pk>/justificatif/", views.affectation_justificatif, name="affectation_justificatif"
    ),
    path("salaires/", views.salaires, name="salaires"),
    path("plans/", views.plans, name="plans"),
    path("consolidation/", views.consolidation, name="consolidation"),
    path("plans/<int:pk>/", views.plan_financement, name="plan_financement"),
    path("plans/<int:pk>/bilan/", views.bilan, name="bilan"),
    path("pieces/<str:kind>/<int:pk>/", views.piece, name="piece"),
    path("plans/<int:pk>/bilan/export/", views.bilan_export, name="bilan_export"),
    path(
        "temps/<int:personnel_pk>/etat/<int:operation_pk>/<str:mois>/",
        views.etat_mensuel,
        name="etat_mensuel",
    ),
]
