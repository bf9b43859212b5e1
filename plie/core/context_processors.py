from plie.core.navigation import entries_for, menu
from plie.core.scoping import request_scope


def navigation(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_entries": [], "nav_menu": [], "user_scope": None}
    scope = request_scope(request)
    if getattr(request, "otp_pending", False):
        # Between the password and the code (plie.core.middleware.OTPRequiredMiddleware): no menu.
        return {"nav_entries": [], "nav_menu": [], "user_scope": scope}
    entries = entries_for(scope, request.path)
    return {"nav_entries": entries, "nav_menu": menu(entries), "user_scope": scope}
