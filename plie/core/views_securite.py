"""Pages of the second factor (enrolment, code), the password confirmation before a bulk export,
and the endpoint receiving the browsers' Content-Security-Policy reports."""

import json
import logging

import django_otp
from django.contrib import messages
from django.contrib.auth import authenticate
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST
from django_otp.plugins.otp_static.models import StaticDevice

from plie.core import otp
from plie.core.auth import mark_recent_auth
from plie.core.forms import OTPCodeForm, PasswordConfirmForm

csp_logger = logging.getLogger("plie.csp")
CSP_REPORT_MAX_BYTES = 16 * 1024


def _next_url(request, default="home"):
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return reverse(default)


@login_required
@require_http_methods(["GET", "POST"])
def otp_verify(request):
    """« Saisissez votre code »: a TOTP code, or one of the recovery codes (each works once)."""
    if request.user.is_verified():
        return redirect(_next_url(request))
    totp_device = otp.confirmed_totp_device(request.user)
    if totp_device is None:
        return redirect(f"{reverse('otp_enrol')}?{request.GET.urlencode()}")
    form = OTPCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        allowed, _ = totp_device.verify_is_allowed()
        if not allowed:
            form.add_error("code", "Trop de codes erronés : patientez quelques secondes avant de réessayer.")
            return render(
                request,
                "registration/otp_verify.html",
                {"form": form, "next": _next_url(request)},
                status=400,
            )
        code = otp.normalise_code(form.cleaned_data["code"])
        with transaction.atomic():
            device = django_otp.match_token(request.user, code)
        if device is not None:
            django_otp.login(request, device)
            mark_recent_auth(request)
            if isinstance(device, StaticDevice):
                remaining = device.token_set.count()
                messages.warning(
                    request,
                    f"Code de secours utilisé : il vous en reste {remaining}. "
                    "Demandez-en de nouveaux à l'administrateur s'il vous en reste peu.",
                )
            return redirect(_next_url(request))
        form.add_error("code", "Code incorrect ou expiré : saisissez le code affiché en ce moment.")
    status = 400 if request.method == "POST" else 200
    return render(
        request, "registration/otp_verify.html", {"form": form, "next": _next_url(request)}, status=status
    )


@login_required
@require_http_methods(["GET", "POST"])
def otp_enrol(request):
    """Enrolment: scan the QR code (or type the key), confirm with a code, then read the 10
    recovery codes, shown this once."""
    if otp.confirmed_totp_device(request.user) is not None:
        return redirect(f"{reverse('otp_verify')}?{request.GET.urlencode()}")
    device = otp.pending_totp_device(request.user)
    form = OTPCodeForm(request.POST or None)
    form.fields["code"].help_text = "Les 6 chiffres affichés par votre application après l'ajout du compte."
    if request.method == "POST" and form.is_valid():
        if device.verify_token(otp.normalise_code(form.cleaned_data["code"])):
            with transaction.atomic():
                device.confirmed = True
                device.save(update_fields=["confirmed"])
                codes = otp.new_recovery_codes(request.user)
            django_otp.login(request, device)
            mark_recent_auth(request)
            context = {"codes": [f"{code[:5]}-{code[5:]}" for code in codes], "next": _next_url(request)}
            return render(request, "registration/otp_recovery_codes.html", context)
        form.add_error(
            "code", "Code incorrect : vérifiez l'heure de votre téléphone et saisissez le code affiché."
        )
    context = {
        "form": form,
        "qr_code": otp.qr_code_svg(device),
        "manual_key": otp.manual_key(device),
        "next": _next_url(request),
    }
    return render(request, "registration/otp_enrol.html", context, status=400 if form.errors else 200)


@login_required
@require_http_methods(["GET", "POST"])
def password_confirm(request):
    """« Confirmez votre mot de passe » before a bulk export, then back to it."""
    form = PasswordConfirmForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = authenticate(request, username=request.user.email, password=form.cleaned_data["password"])
        if user is not None and user.pk == request.user.pk:
            mark_recent_auth(request)
            return redirect(_next_url(request))
        form.add_error("password", "Mot de passe incorrect.")
    status = 400 if form.errors else 200
    return render(
        request,
        "registration/password_confirm.html",
        {"form": form, "next": _next_url(request)},
        status=status,
    )


@csrf_exempt
@require_POST
def csp_report(request):
    """Browsers POST here what the Content-Security-Policy blocked; each report is logged (at
    WARNING, logger ``plie.csp``) with the page, the directive and what was blocked."""
    body = request.body[:CSP_REPORT_MAX_BYTES]
    try:
        report = json.loads(body or b"{}")
    except ValueError:
        return HttpResponse(status=400)
    reports = report if isinstance(report, list) else [report]
    for item in reports:
        if not isinstance(item, dict):
            continue
        detail = item.get("csp-report") or item.get("body") or item
        if not isinstance(detail, dict):
            continue
        csp_logger.warning(
            "CSP : %s bloqué sur %s (%s)",
            detail.get("blocked-uri") or detail.get("blockedURL") or "?",
            detail.get("document-uri") or detail.get("documentURL") or "?",
            detail.get("violated-directive") or detail.get("effectiveDirective") or "?",
        )
    return HttpResponse(status=204)
