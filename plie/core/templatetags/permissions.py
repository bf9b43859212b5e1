"""One template tag for every « may this person do that? »: it reads the same
``<app>/permissions.py`` functions as the views and services, so a page never shows a link or a
button that the view behind it would refuse.

    {% load permissions %}
    {% can "participants.edit_participant" participant as may_edit %}
    {% can "operations.control_operations" parcours.plie_id as may_control %}

``"<app>.<verb>_<noun>"`` names ``<app>.permissions.can_<verb>_<noun>(scope, obj)``; the scope is
the request's (``request.scope``, computed once per request), or ``scope`` in the context of a
page rendered outside a request. An unknown name is an error (a typo must not hide a button)."""

from functools import cache

from django import template
from django.utils.module_loading import import_string

from plie.core.scoping import EMPTY_SCOPE, request_scope

register = template.Library()


@cache
def predicate(name):
    """The function ``<app>.permissions.can_<rest>`` for ``"<app>.<rest>"``."""
    app, _, rest = name.partition(".")
    if not app or not rest:
        raise template.TemplateSyntaxError(f"Permission « {name} » : « app.verbe_nom » attendu.")
    return import_string(f"{app}.permissions.can_{rest}")


def context_scope(context):
    scope = context.get("scope")
    if scope is not None:
        return scope
    request = context.get("request")
    return request_scope(request) if request is not None else EMPTY_SCOPE


@register.simple_tag(takes_context=True)
def can(context, name, obj=None):
    """Whether the request's scope may do ``name`` on ``obj`` (see the module docstring)."""
    return bool(predicate(name)(context_scope(context), obj))
