from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from plie.api import api_doc_urls
from plie.core import views as core_views
from plie.core import views_securite
from plie.core.forms import LoginForm, StyledPasswordChangeForm
from reporting import urls as reporting_urls

admin.site.site_header = "PLIE — administration"
admin.site.site_title = "PLIE"

urlpatterns = [
    path("", core_views.home, name="home"),
    path("sante/", core_views.health, name="health"),
    path(
        "connexion/",
        auth_views.LoginView.as_view(authentication_form=LoginForm, redirect_authenticated_user=True),
        name="login",
    ),
    path("connexion/code/", views_securite.otp_verify, name="otp_verify"),
    path("connexion/second-facteur/", views_securite.otp_enrol, name="otp_enrol"),
    path("connexion/confirmer/", views_securite.password_confirm, name="password_confirm"),
    path("csp-report/", views_securite.csp_report, name="csp_report"),
    path("deconnexion/", auth_views.LogoutView.as_view(), name="logout"),
    path(
        "mot-de-passe/",
        auth_views.PasswordChangeView.as_view(form_class=StyledPasswordChangeForm),
        name="password_change",
    ),
    path("mot-de-passe/modifie/", auth_views.PasswordChangeDoneView.as_view(), name="password_change_done"),
    path("", include("plie.core.urls")),
    path("participants/", include("participants.urls")),
    path("parcours/", include("parcours.urls")),
    path("entreprises/", include("entreprises.urls")),
    path("operations/", include("operations.urls")),
    path("finances/", include("finances.urls")),
    path("tableaux-de-bord/", include(reporting_urls.dashboard_urls)),
    path("rapports/", include(reporting_urls.rapport_urls)),
    path("donnees-personnelles/", include("rgpd.urls")),
    path("api/v1/", include("plie.api")),
    path("api/", include(api_doc_urls)),
    path("admin/", admin.site.urls),
]

# French error pages in the app's frame (plie/core/views_errors.py; CSRF_FAILURE_VIEW in settings).
handler400 = "plie.core.views_errors.bad_request"
handler403 = "plie.core.views_errors.permission_denied"
handler404 = "plie.core.views_errors.page_not_found"
handler500 = "plie.core.views_errors.server_error"
