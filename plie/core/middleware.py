"""Middleware: ``request.scope`` computed once per request, security headers on every response,
the idle timeout of sessions, and the second factor required before anything else (see
:mod:`plie.core.otp`)."""

import time
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.http import JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.cache import add_never_cache_headers
from django.utils.functional import SimpleLazyObject

from plie.core.auth import LAST_SEEN_SESSION_KEY
from plie.core.drf import has_token_header
from plie.core.otp import confirmed_totp_device, otp_required_for
from plie.core.scoping import scope_for


class SecurityHeadersMiddleware:
    """``Permissions-Policy`` on every response, and ``Cache-Control: no-store`` (with Django's
    other never-cache headers) on every response to a signed-in user: their pages, PDFs and
    exports carry personal data that no browser or proxy cache should keep. A view that already
    said ``no-store`` is left as it is."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.headers.setdefault("Permissions-Policy", settings.PERMISSIONS_POLICY)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and "no-store" not in response.get("Cache-Control", ""):
            add_never_cache_headers(response)
        return response


def idle_expired(last_seen, now, idle_seconds):
    """Whether a session last used at ``last_seen`` (epoch seconds) has been idle too long."""
    return last_seen is not None and now - last_seen >= idle_seconds


class SessionIdleMiddleware:
    """Ends a signed-in session after ``SESSION_IDLE_MINUTES`` without a request.

    The session row's own expiry (``SESSION_COOKIE_AGE``, the same duration) is renewed by saving
    the session, which this middleware does at most once per ``SESSION_IDLE_TOUCH_SECONDS`` rather
    than on every request (``SESSION_SAVE_EVERY_REQUEST`` would write the row each time). The
    timestamp check below also catches a session whose row outlived its idle time."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.user.is_authenticated:
            now = int(time.time())
            last_seen = request.session.get(LAST_SEEN_SESSION_KEY)
            if idle_expired(last_seen, now, settings.SESSION_IDLE_MINUTES * 60):
                logout(request)
                messages.info(
                    request, "Votre session a expiré après une période d'inactivité : reconnectez-vous."
                )
                return redirect(
                    f"{reverse(settings.LOGIN_URL)}?{urlencode({'next': request.get_full_path()})}"
                )
            if last_seen is None or now - last_seen >= settings.SESSION_IDLE_TOUCH_SECONDS:
                request.session[LAST_SEEN_SESSION_KEY] = now
        return self.get_response(request)


# Pages a signed-in user reaches before giving their code.
OTP_EXEMPT_URL_NAMES = frozenset(
    {"login", "logout", "otp_verify", "otp_enrol", "csp_report", "health", "admin:logout"}
)


class OTPRequiredMiddleware:
    """A user who must use a second factor (:func:`plie.core.otp.otp_required_for`) and has not
        given a code in this session is sent to the code page, or to the enrolment page when they
        have no device yet, whatever they asked for (admin site included); the API answers 403, except
    to a call made with an API token (``Authorization: Bearer …``), which the session does not vouch for.
        The second factor's own pages (and the logout) stay open, marked ``request.otp_pending``."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        if not settings.PLIE_OTP_REQUIRED:
            return None
        user = request.user
        if not user.is_authenticated or user.is_verified():
            return None
        if not otp_required_for(user):
            return None
        match = request.resolver_match
        if match is not None and match.view_name in OTP_EXEMPT_URL_NAMES:
            request.otp_pending = True  # the pages of the second factor show no menu
            return None
        if request.path.startswith("/api/"):
            if has_token_header(request):
                return None  # the token alone says who calls (plie.core.drf), not this session
            return JsonResponse(
                {"detail": "Second facteur requis : connectez-vous à l'application et saisissez votre code."},
                status=403,
            )
        target = "otp_verify" if confirmed_totp_device(user) else "otp_enrol"
        return redirect(f"{reverse(target)}?{urlencode({'next': request.get_full_path()})}")


class ScopeMiddleware:
    """``request.scope``: the :class:`~plie.core.scoping.Scope` of whoever makes the request,
    computed at most once per request and only when something reads it (a static file or the
    login page costs no query). Views pass ``request.scope`` down; nothing below a view sees a
    user to re-derive it."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.scope = SimpleLazyObject(lambda: scope_for(request.user))
        return self.get_response(request)
