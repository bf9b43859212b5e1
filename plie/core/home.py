"""The home page's panels, one of the extension points of :mod:`plie.core.registry`.

The apps register their panels from their ``AppConfig.ready()``
(``registry.register_home_panel(Role.X, panel)``); :func:`panels_for` calls each panel of a
role, in order, as ``panel(scope, today)``: it returns a dict ``{"template": "...html", ...context}``
(rendered by the role's home template with ``{% include panel.template with panel=panel %}``) or
``None`` (nothing to show).

A panel reads aggregates (one or two queries), restricted to what the user may see
(the request's ``Scope``, ``visible_to(scope)``), and links to the page that has the details.
Two panels of one page that need the same aggregate compute it once with :func:`partage`.
"""

import contextvars

from plie.core import registry

_PARTAGES = contextvars.ContextVar("home_panels_partages", default=None)


def home_panels(role):
    """The panel functions of ``role``, in registration order (``INSTALLED_APPS`` order)."""
    return registry.home_panels(role)


def panels_for(scope, role, today):
    """The rendered-ready panels of ``scope``'s home for ``role`` on ``today`` (``None`` dropped)."""
    if role is None:
        return []
    jeton = _PARTAGES.set({})
    try:
        return [panel for panel in (function(scope, today) for function in home_panels(role)) if panel]
    finally:
        _PARTAGES.reset(jeton)


def partage(cle, calcul):
    """``calcul()``, computed once for the panels of the page :func:`panels_for` is building
    (``cle`` names it, with whatever it depends on: the scope, the day): two panels showing
    parts of the same aggregate cost one query, not two. Outside :func:`panels_for` (a panel
    called on its own, in a test) it is simply computed. Nothing outlives the page."""
    partages = _PARTAGES.get()
    if partages is None:
        return calcul()
    if cle not in partages:
        partages[cle] = calcul()
    return partages[cle]
