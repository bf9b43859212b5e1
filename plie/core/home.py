"""The home page's panels, one of the extension points of :mod:`plie.core.registry`.

The apps register their panels from their ``AppConfig.ready()``
(``registry.register_home_panel(Role.X, panel)``); :func:`panels_for` calls each panel of a
role, in order, as ``panel(scope, today)``: it returns a dict ``{"template": "...html", ...context}``
(rendered by the role's home template with ``{% include panel.template with panel=panel %}``) or
``None`` (nothing to show).

A panel reads aggregates (one or two queries), restricted to what the user may see
(the request's ``Scope``, ``visible_to(scope)``), and links to the page that has the details.
"""

from plie.core import registry


def home_panels(role):
    """The panel functions of ``role``, in registration order (``INSTALLED_APPS`` order)."""
    return registry.home_panels(role)


def panels_for(scope, role, today):
    """The rendered-ready panels of ``scope``'s home for ``role`` on ``today`` (``None`` dropped)."""
    if role is None:
        return []
    return [panel for panel in (function(scope, today) for function in home_panels(role)) if panel]
