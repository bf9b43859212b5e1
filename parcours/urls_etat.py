"""URLs of the candidature, the commission, suspensions, exits and changes of référent; included
at the end of ``parcours/urls.py`` (namespace ``parcours``)."""

from django.urls import path

from parcours import views_etat as views

urlpatterns = [
    path("candidature/participant/<int:pk>/", views.candidature_create, name="candidature_create"),
    path("commissions/", views.commission_list, name="commission_list"),
    path("commissions/nouvelle/", views.commission_create, name="commission_create"),
    path("commissions/<int:pk>/", views.commission_detail, name="commission_detail"),
    path("commissions/<int:pk>/modifier/", views.commission_update, name="commission_update"),
    path("commissions/<int:pk>/supprimer/", views.commission_delete, name="commission_delete"),
    path("commissions/<int:pk>/ordre-du-jour/", views.commission_agenda_add, name="commission_agenda_add"),
    path("commissions/<int:pk>/clore/", views.commission_close, name="commission_close"),
    path("commissions/<int:pk>/ordre-du-jour.pdf", views.commission_agenda_pdf, name="commission_agenda_pdf"),
    path("commissions/<int:pk>/proces-verbal.pdf", views.commission_pv_pdf, name="commission_pv_pdf"),
    path("decisions/<int:pk>/", views.decision_record, name="decision_record"),
    path("decisions/<int:pk>/retirer/", views.commission_agenda_remove, name="commission_agenda_remove"),
    path("<int:pk>/suspension/", views.suspension_create, name="suspension_create"),
    path("suspensions/<int:pk>/fin/", views.suspension_end, name="suspension_end"),
    path("<int:pk>/sortie/", views.sortie_create, name="sortie_create"),
    path("sorties/<int:pk>/valider/", views.sortie_validate, name="sortie_validate"),
    path("sorties/<int:pk>/retirer/", views.sortie_withdraw, name="sortie_withdraw"),
    path("<int:pk>/referent/", views.referent_change, name="referent_change"),
]
