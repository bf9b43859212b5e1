"""Every URL of the parcours app (namespace ``parcours``)."""

from django.urls import path

from parcours import views, views_etat, views_import, views_partenaires, views_referentiel

app_name = "parcours"

urlpatterns = [
    # --- file active, parcours page, entretiens, étapes
    path("ma-file-active/", views.workspace, name="workspace"),
    path("<int:pk>/", views.parcours_detail, name="parcours_detail"),
    path("<int:pk>/entretiens/noter/", views.entretien_create, name="entretien_create"),
    path("entretiens/<int:pk>/rendez-vous.ics", views.entretien_ics, name="entretien_ics"),
    path("<int:pk>/etapes/ajouter/", views.etape_create, name="etape_create"),
    path("etapes/<int:pk>/modifier/", views.etape_update, name="etape_update"),
    # --- candidature, commission, suspensions, exits, référent
    path("candidature/participant/<int:pk>/", views_etat.candidature_create, name="candidature_create"),
    path("commissions/", views_etat.commission_list, name="commission_list"),
    path("commissions/nouvelle/", views_etat.commission_create, name="commission_create"),
    path("commissions/<int:pk>/", views_etat.commission_detail, name="commission_detail"),
    path("commissions/<int:pk>/modifier/", views_etat.commission_update, name="commission_update"),
    path("commissions/<int:pk>/supprimer/", views_etat.commission_delete, name="commission_delete"),
    path(
        "commissions/<int:pk>/ordre-du-jour/", views_etat.commission_agenda_add, name="commission_agenda_add"
    ),
    path("commissions/<int:pk>/clore/", views_etat.commission_close, name="commission_close"),
    path(
        "commissions/<int:pk>/ordre-du-jour.pdf",
        views_etat.commission_agenda_pdf,
        name="commission_agenda_pdf",
    ),
    path("commissions/<int:pk>/proces-verbal.pdf", views_etat.commission_pv_pdf, name="commission_pv_pdf"),
    path("decisions/<int:pk>/", views_etat.decision_record, name="decision_record"),
    path("decisions/<int:pk>/retirer/", views_etat.commission_agenda_remove, name="commission_agenda_remove"),
    path("<int:pk>/suspension/", views_etat.suspension_create, name="suspension_create"),
    path("suspensions/<int:pk>/fin/", views_etat.suspension_end, name="suspension_end"),
    path("<int:pk>/sortie/", views_etat.sortie_create, name="sortie_create"),
    path("sorties/<int:pk>/valider/", views_etat.sortie_validate, name="sortie_validate"),
    path("sorties/<int:pk>/retirer/", views_etat.sortie_withdraw, name="sortie_withdraw"),
    path("<int:pk>/referent/", views_etat.referent_change, name="referent_change"),
    # --- the PLIE's referentials (its administrateur)
    path("referentiel/sorties/", views_referentiel.referentiel_sorties, name="referentiel_sorties"),
    path("referentiel/sorties/nouveau/", views_referentiel.type_sortie_create, name="type_sortie_create"),
    path(
        "referentiel/sorties/<int:pk>/modifier/",
        views_referentiel.type_sortie_update,
        name="type_sortie_update",
    ),
    path("referentiel/etapes/", views_referentiel.referentiel_etapes, name="referentiel_etapes"),
    path("referentiel/etapes/nouveau/", views_referentiel.type_etape_create, name="type_etape_create"),
    path(
        "referentiel/etapes/<int:pk>/modifier/", views_referentiel.type_etape_update, name="type_etape_update"
    ),
    # --- legacy import (the PLIE's administrateur)
    path("import/", views_import.import_list, name="import_list"),
    path("import/<int:pk>/", views_import.import_detail, name="import_detail"),
    path("import/<int:pk>/avancement/", views_import.import_progress, name="import_progress"),
    path("import/<int:pk>/erreurs.csv", views_import.import_erreurs, name="import_erreurs"),
    path("etapes/<int:pk>/annuler/", views.etape_cancel, name="etape_cancel"),
    # --- the partner space (prescripteurs, opérateurs, their référents; issue 16)
    path("partenaire/", views_partenaires.partenaire_home, name="partenaire"),
    path("partenaire/orienter/", views_partenaires.orientation_create, name="orientation_create"),
    path(
        "partenaire/orientations/<int:pk>/", views_partenaires.orientation_detail, name="orientation_detail"
    ),
    path("partenaire/etapes/<int:pk>/", views_partenaires.partenaire_etape, name="partenaire_etape"),
    path(
        "partenaire/etapes/<int:pk>/presence/",
        views_partenaires.partenaire_presence,
        name="partenaire_presence",
    ),
    path(
        "partenaire/etapes/<int:pk>/resultat/",
        views_partenaires.partenaire_resultat,
        name="partenaire_resultat",
    ),
    path("partenaire/suivis/<int:pk>/", views_partenaires.partenaire_suivi, name="partenaire_suivi"),
]
