from plie.core.navigation import entries_for
from plie.core.scoping import scope_for


def navigation(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_entries": [], "user_scope": None}
    if getattr(request, "otp_pending", False):
        # Between the password and the code (plie.core.middleware.OTPRequiredMiddleware): no menu.
        return {"nav_entries": [], "user_scope": scope_for(user)}
    return {"nav_entries": entries_for(user, request.path), "user_scope": scope_for(user)}
