"""Every URL of the entreprises app (namespace ``entreprises``)."""

from django.urls import path

from entreprises import views, views_actions, views_clauses, views_conventions, views_suivi

app_name = "entreprises"

urlpatterns = [
    # --- employers, contacts, exchanges
    path("employeurs/", views.employeur_list, name="employeur_list"),
    path("employeurs/nouveau/", views.employeur_create, name="employeur_create"),
    path("employeurs/<int:pk>/", views.employeur_detail, name="employeur_detail"),
    path("employeurs/<int:pk>/modifier/", views.employeur_update, name="employeur_update"),
    path("employeurs/<int:pk>/contacts/nouveau/", views.contact_create, name="contact_create"),
    path("employeurs/<int:pk>/echanges/nouveau/", views.echange_create, name="echange_create"),
    path("employeurs/<int:pk>/offres/nouvelle/", views.offre_create, name="offre_create"),
    # --- offers and mises en relation
    path("offres/", views.offre_list, name="offre_list"),
    path("offres/<int:pk>/", views.offre_detail, name="offre_detail"),
    path("offres/<int:pk>/modifier/", views.offre_update, name="offre_update"),
    path("offres/<int:pk>/proposer/", views.mise_en_relation_create, name="mise_en_relation_create"),
    path(
        "mises-en-relation/<int:pk>/resultat/",
        views.mise_en_relation_resultat,
        name="mise_en_relation_resultat",
    ),
    path(
        "mises-en-relation/<int:pk>/embauche/",
        views.mise_en_relation_embauche,
        name="mise_en_relation_embauche",
    ),
    path("parcours/<int:pk>/offres/", views.offres_pour_parcours, name="offres_pour_parcours"),
    # --- partner actions with employers and their attendance sheet
    path("actions/", views_actions.action_list, name="action_list"),
    path("actions/nouvelle/", views_actions.action_create, name="action_create"),
    path("actions/<int:pk>/", views_actions.action_detail, name="action_detail"),
    # --- social clauses and the tableau d'impact
    path("clauses/", views_clauses.marche_list, name="marche_list"),
    path("clauses/nouveau/", views_clauses.marche_create, name="marche_create"),
    path("clauses/<int:pk>/", views_clauses.marche_detail, name="marche_detail"),
    path("clauses/<int:pk>/placer/", views_clauses.placement_create, name="placement_create"),
    path("clauses/placements/<int:pk>/heures/", views_clauses.heures_create, name="heures_create"),
    path("clauses/impact/", views_clauses.impact_page, name="impact"),
    path("clauses/impact.xlsx", views_clauses.impact_xlsx, name="impact_xlsx"),
    path("clauses/impact.pdf", views_clauses.impact_pdf, name="impact_pdf"),
    # --- partnership conventions (donneurs d'ordre, SIAE, employing structures)
    path("conventions/", views_conventions.convention_list, name="convention_list"),
    path("conventions/nouvelle/", views_conventions.convention_create, name="convention_create"),
    path("conventions/<int:pk>/", views_conventions.convention_detail, name="convention_detail"),
    path("conventions/<int:pk>/modifier/", views_conventions.convention_update, name="convention_update"),
    path("conventions/<int:pk>/document/", views_conventions.convention_document, name="convention_document"),
    # --- six months after exit, proof extractions
    path("suivis-six-mois/", views_suivi.suivi_list, name="suivi_list"),
    path("suivis-six-mois/<int:pk>/", views_suivi.suivi_record, name="suivi_record"),
    path("preuves/", views_suivi.preuves_page, name="preuves"),
    path("preuves/<slug:kind>.xlsx", views_suivi.preuve_xlsx, name="preuve_xlsx"),
]
