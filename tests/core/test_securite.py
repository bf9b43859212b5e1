"""Authentication and headers (issue 14): login throttling, the second factor, the idle timeout,
the password confirmation before bulk exports, password length, seed_demo in production, and the
security headers (CSP, Permissions-Policy, Cache-Control)."""

import json
import logging
import time

import pytest
from axes.models import AccessAttempt, AccessFailureLog
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice
from pytest_django.asserts import assertContains, assertRedirects

from plie.core import otp
from plie.core.auth import AUTH_AT_SESSION_KEY, LAST_SEEN_SESSION_KEY, has_recent_auth
from plie.core.enums import Role
from plie.core.middleware import idle_expired
from plie.core.models import User
from tests.factories import DEFAULT_PASSWORD, UserFactory

LOGIN_URL = "/connexion/"


def login_post(client, email, password, url=LOGIN_URL, **extra):
    return client.post(url, {"username": email, "password": password}, **extra)


def current_code(device):
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"


# --- throttling ---------------------------------------------------------------------------------


def test_after_the_failure_limit_even_the_right_password_is_refused_in_french(client, world, settings):
    user = world.referent_a
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        response = login_post(client, user.email, "pas-le-bon-mot-de-passe")
        assertContains(response, "adresse électronique et un mot de passe valides")
    assert login_post(client, user.email, "pas-le-bon-mot-de-passe").status_code == 429
    response = login_post(client, user.email, DEFAULT_PASSWORD)
    assert response.status_code == 429
    assertContains(response, "Connexion temporairement bloquée", status_code=429)
    assertContains(response, "bloquée pendant 15 minutes, même avec le bon mot de passe", status_code=429)
    assert "_auth_user_id" not in client.session
    # The failures are kept, with the address, never the password.
    assert AccessFailureLog.objects.filter(username=user.email, ip_address="127.0.0.1").count() >= 5
    attempt = AccessAttempt.objects.get(username=user.email)
    assert attempt.failures_since_start >= settings.AXES_FAILURE_LIMIT
    assert "pas-le-bon" not in attempt.post_data


def test_a_failed_login_is_logged(client, world):
    login_post(client, "Referent.A@exemple.fr ", "faux")
    (failure,) = AccessFailureLog.objects.all()
    assert (failure.username, failure.ip_address) == ("referent.a@exemple.fr", "127.0.0.1")


def test_the_lock_is_per_address_too(client, world, settings):
    """Many accounts tried from one address: the address is locked, for every account."""
    for number in range(settings.AXES_FAILURE_LIMIT):
        login_post(client, f"inconnu{number}@exemple.fr", "faux")
    response = login_post(client, world.gestionnaire_a.email, DEFAULT_PASSWORD)
    assert response.status_code == 429
    # Another address still logs in.
    response = login_post(client, world.gestionnaire_a.email, DEFAULT_PASSWORD, REMOTE_ADDR="10.0.0.9")
    assertRedirects(response, "/", fetch_redirect_response=False)


def test_the_admin_login_is_throttled_too(client, db, settings):
    admin = UserFactory(email="super@exemple.fr", is_staff=True, is_superuser=True)
    for _ in range(settings.AXES_FAILURE_LIMIT):
        login_post(client, admin.email, "faux", url="/admin/login/")
    response = login_post(client, admin.email, DEFAULT_PASSWORD, url="/admin/login/")
    assertContains(response, "Connexion temporairement bloquée", status_code=429)


def test_a_success_before_the_limit_resets_the_count(client, world, settings):
    user = world.referent_a
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        login_post(client, user.email, "faux")
    assertRedirects(login_post(client, user.email, DEFAULT_PASSWORD), "/", fetch_redirect_response=False)
    client.logout()
    login_post(client, user.email, "faux")
    assertRedirects(login_post(client, user.email, DEFAULT_PASSWORD), "/", fetch_redirect_response=False)


@pytest.mark.parametrize(
    ("proxy", "forwarded", "remote", "expected"),
    [
        (False, "", "10.0.0.1", "10.0.0.1"),
        (False, "1.2.3.4", "10.0.0.1", "10.0.0.1"),  # no proxy: the header is the client's, ignored
        (True, "6.6.6.6, 1.2.3.4", "10.0.0.1", "1.2.3.4"),  # the proxy's own entry, not the forged one
        (True, "", "10.0.0.1", "10.0.0.1"),
    ],
)
def test_client_ip(rf, settings, proxy, forwarded, remote, expected):
    from plie.core.auth import client_ip

    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if proxy else None
    request = rf.get("/", HTTP_X_FORWARDED_FOR=forwarded, REMOTE_ADDR=remote)
    assert client_ip(request) == expected


# --- who must use a second factor ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("roles_by_plie", "chosen", "flags", "expected"),
    [
        ({1: frozenset({Role.REFERENT})}, {}, {}, False),
        ({1: frozenset({Role.ADMINISTRATEUR})}, {}, {}, True),
        ({1: frozenset({Role.DPO})}, {}, {}, True),
        ({1: frozenset({Role.REFERENT})}, {1: ["referent"]}, {}, True),
        ({1: frozenset({Role.REFERENT})}, {2: ["referent"]}, {}, False),  # another PLIE's choice
        ({1: frozenset({Role.REFERENT}), 2: frozenset({Role.GESTIONNAIRE})}, {2: ["gestionnaire"]}, {}, True),
        ({}, {}, {"is_superuser": True}, True),
        ({}, {}, {"is_staff": True}, True),
        ({}, {}, {}, False),
    ],
)
def test_requires_second_factor(roles_by_plie, chosen, flags, expected):
    assert otp.requires_second_factor(roles_by_plie, chosen, **flags) is expected


def test_otp_required_for_reads_the_plie_choice(world):
    assert otp.otp_required_for(world.admin_a)
    assert not otp.otp_required_for(world.referent_a)
    world.plie_a.roles_double_facteur = [Role.REFERENT]
    world.plie_a.save()
    assert otp.otp_required_for(User.objects.get(pk=world.referent_a.pk))
    assert not otp.otp_required_for(world.referent_b)  # PLIE B did not choose it
    # Through the OI: the OI's direction holds the role in PLIE A, whose choice applies.
    world.plie_a.roles_double_facteur = [Role.DIRECTION]
    world.plie_a.save()
    assert otp.otp_required_for(world.oi_user)


# --- the second factor flow ---------------------------------------------------------------------


def test_an_administrateur_without_device_enrols_then_gets_recovery_codes(
    client, world, otp_required, time_machine
):
    time_machine.move_to("2026-06-15 10:00:00+02:00", tick=False)
    response = login_post(client, world.admin_a.email, DEFAULT_PASSWORD)
    assertRedirects(response, "/", fetch_redirect_response=False)
    response = client.get("/")
    assertRedirects(response, "/connexion/second-facteur/?next=%2F", fetch_redirect_response=False)
    response = client.get(response.url)
    assertContains(response, "Activer le second facteur")
    assertContains(response, '<svg role="img" aria-label="QR code à scanner"')
    assertContains(response, response.context["manual_key"])
    device = TOTPDevice.objects.get(user=world.admin_a)
    assert not device.confirmed

    response = client.post(response.request["PATH_INFO"], {"code": "000000", "next": "/"})
    assertContains(response, "Code incorrect", status_code=400)
    time_machine.shift(2)  # django-otp delays the next try after a wrong code (1 s, then 2, 4…)
    response = client.post("/connexion/second-facteur/", {"code": current_code(device), "next": "/"})
    assertContains(response, "Codes de secours")
    codes = response.context["codes"]
    assert len(codes) == 10 and len(set(codes)) == 10
    device.refresh_from_db()
    assert device.confirmed
    assert StaticToken.objects.filter(device__user=world.admin_a).count() == 10
    # Verified for the rest of the session.
    assert client.get("/").status_code == 200
    # The codes are not shown again.
    assertRedirects(
        client.get("/connexion/second-facteur/"), "/connexion/code/?", fetch_redirect_response=False
    )


def enrolled(user):
    device = TOTPDevice.objects.create(user=user, name=otp.TOTP_DEVICE_NAME, confirmed=True)
    codes = otp.new_recovery_codes(user)
    return device, codes


def test_an_enrolled_user_gives_a_code_after_the_password(client, world, otp_required, time_machine):
    time_machine.move_to("2026-06-15 10:00:00+02:00", tick=False)
    device, _ = enrolled(world.admin_a)
    login_post(client, world.admin_a.email, DEFAULT_PASSWORD)
    response = client.get("/taches/")
    assertRedirects(response, "/connexion/code/?next=%2Ftaches%2F", fetch_redirect_response=False)
    response = client.get(response.url)
    assertContains(response, "Code de connexion")
    assert response.context["nav_entries"] == []  # no menu before the code
    response = client.post("/connexion/code/", {"code": "123 456", "next": "/taches/"})
    assertContains(response, "Code incorrect ou expiré", status_code=400)
    # Right away, a second try is refused: django-otp delays it (1 s, then 2, 4…).
    response = client.post("/connexion/code/", {"code": current_code(device), "next": "/taches/"})
    assertContains(response, "Trop de codes erronés", status_code=400)
    time_machine.shift(2)
    response = client.post("/connexion/code/", {"code": current_code(device), "next": "/taches/"})
    assertRedirects(response, "/taches/", fetch_redirect_response=False)
    assert client.get("/taches/").status_code == 200


def test_a_recovery_code_works_once(client, world, otp_required):
    _, codes = enrolled(world.admin_a)
    login_post(client, world.admin_a.email, DEFAULT_PASSWORD)
    typed = f"{codes[0][:5]}-{codes[0][5:]}".upper()
    response = client.post("/connexion/code/", {"code": typed, "next": "/"}, follow=True)
    assertContains(response, "Code de secours utilisé : il vous en reste 9.")
    client.logout()
    login_post(client, world.admin_a.email, DEFAULT_PASSWORD)
    response = client.post("/connexion/code/", {"code": codes[0], "next": "/"})
    assert response.status_code == 400


def test_the_admin_site_asks_for_the_code_too(client, db, otp_required):
    admin = UserFactory(email="super@exemple.fr", is_staff=True, is_superuser=True)
    enrolled(admin)
    response = login_post(client, admin.email, DEFAULT_PASSWORD, url="/admin/login/?next=/admin/")
    assertRedirects(response, "/admin/", fetch_redirect_response=False)
    response = client.get("/admin/")
    assertRedirects(response, "/connexion/code/?next=%2Fadmin%2F", fetch_redirect_response=False)


def test_the_api_answers_403_without_the_code(client, world, otp_required):
    enrolled(world.admin_a)
    client.force_login(world.admin_a)
    response = client.get("/api/v1/")
    assert response.status_code == 403
    assert "Second facteur requis" in response.json()["detail"]


def test_a_role_the_plie_chose_must_enrol_and_others_need_not(client, world, otp_required):
    client.force_login(world.referent_a)
    assert client.get("/").status_code == 200
    world.plie_a.roles_double_facteur = [Role.REFERENT]
    world.plie_a.save()
    client.force_login(world.referent_a)
    assertRedirects(client.get("/"), "/connexion/second-facteur/?next=%2F", fetch_redirect_response=False)


def test_the_plie_chooses_roles_in_the_admin(client, world):
    admin = UserFactory(email="super@exemple.fr", is_staff=True, is_superuser=True)
    client.force_login(admin)
    response = client.get(reverse("admin:core_structure_change", args=[world.plie_a.pk]))
    assertContains(response, 'name="roles_double_facteur" value="referent"')
    assertContains(response, "Rôles tenus au second facteur")
    assert 'value="administrateur"' not in response.content.decode().split("roles_double_facteur")[1][:2000]


def test_off_in_the_suite_by_default(client, world):
    """The suite's personas log in with force_login: PLIE_OTP_REQUIRED is off (tests/conftest.py)."""
    client.force_login(world.admin_a)
    assert client.get("/").status_code == 200


# --- sessions -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("last_seen", "now", "expected"),
    [(None, 1000, False), (1000, 1000 + 1799, False), (1000, 1000 + 1800, True), (2000, 1000, False)],
)
def test_idle_expired(last_seen, now, expected):
    assert idle_expired(last_seen, now, 1800) is expected


def test_settings_30_minutes_idle(settings):
    assert settings.SESSION_IDLE_MINUTES == 30
    assert settings.SESSION_COOKIE_AGE == 30 * 60


def test_a_session_idle_for_30_minutes_ends(client, world, time_machine):
    time_machine.move_to("2026-06-15 10:00:00+02:00", tick=False)
    client.force_login(world.referent_a)
    assert client.get("/").status_code == 200
    time_machine.move_to("2026-06-15 10:29:00+02:00", tick=False)
    assert client.get("/").status_code == 200  # activity renews the session
    assert client.session[LAST_SEEN_SESSION_KEY] == int(time.time())
    time_machine.move_to("2026-06-15 10:58:00+02:00", tick=False)
    assert client.get("/").status_code == 200
    time_machine.move_to("2026-06-15 11:28:30+02:00", tick=False)
    response = client.get("/participants/")
    assert response.status_code == 302
    assert response.url.startswith("/connexion/")
    assert "_auth_user_id" not in client.session


def test_browsing_does_not_write_the_session_on_every_request(client, world, django_assert_num_queries):
    client.force_login(world.no_role)
    client.get("/")
    # session, user, scope memberships, the home page's PLIE: no session UPDATE.
    with django_assert_num_queries(3):
        client.get("/")


# --- re-authentication before a bulk export -----------------------------------------------------


def test_has_recent_auth(rf, settings):
    request = rf.get("/")
    request.session = {}
    assert not has_recent_auth(request)
    request.session[AUTH_AT_SESSION_KEY] = 1000
    assert has_recent_auth(request, now=1000 + settings.RECENT_AUTH_MINUTES * 60 - 1)
    assert not has_recent_auth(request, now=1000 + settings.RECENT_AUTH_MINUTES * 60)


@pytest.fixture
def operation(world):
    from tests.operations.factories import OperationFactory

    return OperationFactory(plie=world.plie_a)


@pytest.mark.parametrize(
    "url_of",
    [
        lambda op: reverse("operations:export_mdfse", args=[op.pk]),
        lambda op: reverse("operations:export_xlsx", args=[op.pk]),
        lambda op: reverse("operations:annexe_bilan", args=[op.pk]) + "?format=xlsx",
        lambda op: reverse("rapports:export_create"),
    ],
    ids=["mdfse", "xlsx", "annexe", "export-job"],
)
def test_a_bulk_export_asks_for_the_password_again_after_a_while(
    client, world, operation, url_of, time_machine
):
    url = url_of(operation)
    time_machine.move_to("2026-06-15 10:00:00+02:00", tick=False)
    client.force_login(world.gestionnaire_a)
    assert client.get(url).status_code == 200  # just logged in
    time_machine.move_to("2026-06-15 10:20:00+02:00", tick=False)
    response = client.get(url)
    assert response.status_code == 302
    confirm = response.url
    assert confirm.startswith("/connexion/confirmer/?next=")
    response = client.get(confirm)
    assertContains(response, "Confirmez votre mot de passe")
    response = client.post(confirm, {"password": "faux", "next": url})
    assertContains(response, "Mot de passe incorrect.", status_code=400)
    response = client.post(confirm, {"password": DEFAULT_PASSWORD, "next": url})
    assertRedirects(response, url, fetch_redirect_response=False)
    assert client.get(url).status_code == 200


def test_the_confirmation_does_not_redirect_elsewhere(client, world):
    client.force_login(world.gestionnaire_a)
    response = client.post(
        "/connexion/confirmer/", {"password": DEFAULT_PASSWORD, "next": "https://ailleurs.example/"}
    )
    assertRedirects(response, "/", fetch_redirect_response=False)


# --- passwords, seed_demo -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("password", "ok"),
    [("motdepasse1", False), ("Court-2026!", False), ("Chevalet-rouge-2031", True), ("123456789012", False)],
)
def test_passwords_have_12_characters_at_least(password, ok):
    if ok:
        validate_password(password)
    else:
        with pytest.raises(ValidationError):
            validate_password(password)


@pytest.mark.django_db
def test_seed_demo_refuses_to_run_in_production(settings):
    settings.PRODUCTION = True
    with pytest.raises(CommandError, match="refuse de s'exécuter en production"):
        call_command("seed_demo", "--participants", "0", "--plie", "1")
    assert not User.objects.exists()


# --- headers ------------------------------------------------------------------------------------


def csp_directives(response):
    header = response.headers["Content-Security-Policy"]
    return {part.split()[0]: part.split()[1:] for part in (p.strip() for p in header.split(";")) if part}


def test_csp_forbids_inline_script_and_style(client, world):
    client.force_login(world.referent_a)
    directives = csp_directives(client.get("/"))
    assert directives["default-src"] == ["'self'"]
    assert directives["script-src"] == ["'self'"]
    assert directives["style-src"] == ["'self'"]
    assert directives["object-src"] == ["'none'"]
    assert directives["frame-ancestors"] == ["'none'"]
    assert directives["report-uri"] == ["/csp-report/"]
    assert not any("unsafe" in value for values in directives.values() for value in values)


def test_csp_on_the_login_page_too(client):
    assert "script-src 'self'" in client.get(LOGIN_URL).headers["Content-Security-Policy"]


def test_permissions_policy(client):
    policy = client.get(LOGIN_URL).headers["Permissions-Policy"]
    for feature in ("camera=()", "microphone=()", "geolocation=()", "payment=()"):
        assert feature in policy


def test_authenticated_pages_are_not_cached(client, world):
    client.force_login(world.referent_a)
    for url in ("/", "/participants/"):
        response = client.get(url)
        assert "no-store" in response.headers["Cache-Control"], url
        assert "private" in response.headers["Cache-Control"]


def test_csp_reports_are_logged(client, caplog):
    report = {
        "csp-report": {
            "document-uri": "https://plie.example.org/participants/",
            "violated-directive": "script-src-elem",
            "blocked-uri": "inline",
        }
    }
    with caplog.at_level(logging.WARNING, logger="plie.csp"):
        response = client.post("/csp-report/", json.dumps(report), content_type="application/csp-report")
    assert response.status_code == 204
    assert "CSP : inline bloqué sur https://plie.example.org/participants/ (script-src-elem)" in caplog.text
    assert (
        client.post("/csp-report/", "pas du json", content_type="application/csp-report").status_code == 400
    )


def test_no_inline_script_or_style_in_templates():
    """The templates served as HTML carry no inline script, no <style> and no style="" (PDF
    templates, rendered by WeasyPrint and never sent to a browser, keep theirs)."""
    import re
    from pathlib import Path

    root = Path(__file__).resolve().parents[2] / "templates"
    offenders = []
    for path in root.rglob("*.html"):
        text = path.read_text()
        if "pdf" in path.parts or path.name in (
            "fiche.html",
            "bilan.html",
            "annexe_pdf.html",
            "pdf_page.html",
        ):
            continue
        if "weasyprint" in text.lower() or "@page" in text:
            continue
        for match in re.finditer(
            r"<script(?![^>]*\bsrc=)(?![^>]*application/json)[^>]*>|<style\b|\sstyle=", text
        ):
            offenders.append(f"{path.relative_to(root)}: {match.group(0)}")
    assert offenders == []


def test_htmx_does_not_inject_its_indicator_style(client):
    content = client.get(LOGIN_URL).content.decode()
    assert '"includeIndicatorStyles": false' in content


# --- the DPO role -------------------------------------------------------------------------------


def test_a_dpo_sees_their_home_and_no_participant(client, world):
    from plie.core.scoping import scope_for
    from tests.factories import MembershipFactory

    dpo = UserFactory(email="dpo.a@exemple.fr")
    MembershipFactory(user=dpo, structure=world.plie_a, role=Role.DPO)
    scope = scope_for(dpo)
    assert scope.primary_role == Role.DPO
    assert scope.plie_ids == {world.plie_a.pk}
    assert not scope.personal_plie_ids and not scope.sensitive_plie_ids
    assert otp.otp_required_for(dpo)
    client.force_login(dpo)
    response = client.get("/")
    assertContains(response, "délégué à la protection des données")
    assert not any(entry["label"] == "Participants" for entry in response.context["nav_entries"])
