"""Login hardening: throttling (django-axes), the time of the last password check, and the
``recent_auth_required`` guard of bulk exports.

- **Throttling.** After ``LOGIN_FAILURE_LIMIT`` failures an account is refused for
  ``LOGIN_COOLOFF_MINUTES``, and so, separately, is the address they came from, the right password
  included; the app's login page and the admin's are both covered (both authenticate with the
  request). Every failure is stored by django-axes (address, browser, time, never the password).
- **Recent authentication.** The time of the last password check is kept in the session
  (``auth_at``); a bulk export asks for the password again when it is older than
  ``RECENT_AUTH_MINUTES``.
"""

import time
from functools import wraps
from urllib.parse import urlencode

from axes.backends import AxesStandaloneBackend
from django.conf import settings
from django.contrib.auth import user_logged_in
from django.dispatch import receiver
from django.shortcuts import redirect
from django.urls import reverse

AUTH_AT_SESSION_KEY = "auth_at"
LAST_SEEN_SESSION_KEY = "last_seen"  # read by plie.core.middleware.SessionIdleMiddleware


class AxesBackend(AxesStandaloneBackend):
    """django-axes' backend, which refuses a locked-out account or address before any password is
    checked. A call without a request (``Client.login`` in tests, a shell) has no address to
    throttle: it is left to the next backend instead of raising."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)


def client_ip(request):
    """The client's address: behind the HTTPS reverse proxy (``SECURE_PROXY_SSL_HEADER``) the
    last ``X-Forwarded-For`` entry, the one the proxy appended; else ``REMOTE_ADDR``. Without
    this every login would come from the proxy's address and one attacker would lock everybody
    out."""
    if getattr(settings, "SECURE_PROXY_SSL_HEADER", None):
        forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
        if forwarded and forwarded[-1]:
            return forwarded[-1]
    return request.META.get("REMOTE_ADDR")


def login_username(request, credentials):
    """The login name throttled: the email as typed, trimmed and lower-cased (logins ignore case)."""
    if credentials and credentials.get("username"):
        value = credentials["username"]
    else:
        value = getattr(request, "POST", {}).get("username") or ""
    return value.strip().lower() or None


@receiver(user_logged_in)
def _remember_auth_time(sender, request, user, **kwargs):
    if request is not None and hasattr(request, "session"):
        now = int(time.time())
        request.session[AUTH_AT_SESSION_KEY] = now
        request.session[LAST_SEEN_SESSION_KEY] = now


def mark_recent_auth(request):
    """Record that the user has just typed their password."""
    request.session[AUTH_AT_SESSION_KEY] = int(time.time())


def has_recent_auth(request, now=None):
    """True when the password was checked less than ``RECENT_AUTH_MINUTES`` ago in this session."""
    auth_at = request.session.get(AUTH_AT_SESSION_KEY)
    if not isinstance(auth_at, int):
        return False
    now = time.time() if now is None else now
    return now - auth_at < settings.RECENT_AUTH_MINUTES * 60


def recent_auth_required(view):
    """Send to « Confirmez votre mot de passe » (then back to the same URL, GET) a user whose
    last password check is older than ``RECENT_AUTH_MINUTES``. Put it under ``login_required``."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if request.user.is_authenticated and not has_recent_auth(request):
            target = reverse("password_confirm")
            return redirect(f"{target}?{urlencode({'next': request.get_full_path()})}")
        return view(request, *args, **kwargs)

    return wrapper


def lockout_response(request, original_response=None, credentials=None):
    """The French page shown instead of logging in while an account or an address is locked out
    (status 429), in the application's frame, the admin's login included."""
    from django.shortcuts import render

    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    return render(request, "registration/verrouillage.html", {"cooloff_minutes": minutes}, status=429)
