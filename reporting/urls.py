"""Every URL of the reporting app, in two namespaces: the dashboards (``reporting``, mounted at
``/tableaux-de-bord/``) and the reports (``rapports``, mounted at ``/rapports/``: the monthly
report and the long exports). ``plie/urls.py`` includes ``dashboard_urls`` and ``rapport_urls``."""

from django.urls import path, re_path

from reporting import views, views_clotures, views_exports, views_mensuel

dashboard_urls = (
    [
        # --- dashboards
        path("", views.dashboard, name="dashboard"),
        path("oi/", views.dashboard_oi, name="dashboard_oi"),
        path("financeur/", views.dashboard_financeur, name="dashboard_financeur"),
        path("participants/", views.participants_liste, name="participants_liste"),
    ],
    "reporting",
)

rapport_urls = (
    [
        # --- monthly reporting
        path("", views_mensuel.mensuel_view, name="mensuel"),
        re_path(
            r"^mensuel/(?P<code>[-\w]+)/(?P<mois>\d{4}-\d{2})\.(?P<fmt>[a-z]+)$",
            views_mensuel.mensuel_export,
            name="mensuel_export",
        ),
        # --- periods that close
        path("clotures/", views_clotures.clotures_view, name="clotures"),
        path("clotures/cloturer/", views_clotures.cloture_create_view, name="cloture_create"),
        re_path(
            r"^bilan/(?P<code>[-\w]+)/(?P<annee>\d{4})\.(?P<fmt>[a-z]+)$",
            views_clotures.bilan_export,
            name="bilan_export",
        ),
        # --- long exports as background jobs
        path("exports/", views_exports.export_list, name="export_list"),
        path("exports/nouveau/", views_exports.export_create, name="export_create"),
        path("exports/<int:pk>/", views_exports.export_detail, name="export_detail"),
        path("exports/<int:pk>/progression/", views_exports.export_progress, name="export_progress"),
        path("exports/<int:pk>/relancer/", views_exports.export_retry, name="export_retry"),
        path("exports/<int:pk>/telecharger/", views_exports.export_download, name="export_download"),
    ],
    "rapports",
)
