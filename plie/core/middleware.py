"""``request.scope``: the :class:`~plie.core.scoping.Scope` of whoever makes the request,
computed at most once per request and only when something reads it (a static file or the login
page costs no query). Views pass ``request.scope`` down; nothing below a view sees a user to
re-derive it."""

from django.utils.functional import SimpleLazyObject

from plie.core.scoping import scope_for


class ScopeMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.scope = SimpleLazyObject(lambda: scope_for(request.user))
        return self.get_response(request)
