"""The home page's panels: an extension point like ``plie.core.demo``'s ``DEMO_STEPS``.

Each installed app may add a ``home.py`` module with ``HOME_PANELS = {Role.X: [panel, ...]}``.
:func:`panels_for` collects the panels of a role in ``INSTALLED_APPS`` order (participants ←
parcours ← operations ← reporting) and calls each ``panel(user, today)``: it returns a dict
``{"template": "...html", ...context}`` (rendered by the role's home template with
``{% include panel.template with panel=panel %}``) or ``None`` (nothing to show). plie.core never
imports those apps: it only discovers their ``home`` modules.

A panel reads aggregates (one or two queries), restricted to what the user may see
(``scope_for(user)`` / ``visible_to(user)``), and links to the page that has the details.
"""

from importlib import import_module

from django.apps import apps
from django.utils.module_loading import module_has_submodule


def home_panels(role):
    """The panel functions of ``role``, every installed app's ``home.HOME_PANELS``, in app order."""
    panels = []
    for app_config in apps.get_app_configs():
        if module_has_submodule(app_config.module, "home"):
            module = import_module(f"{app_config.name}.home")
            panels.extend(getattr(module, "HOME_PANELS", {}).get(role, ()))
    return panels


def panels_for(scope, role, today):
    """The rendered-ready panels of ``scope``'s home for ``role`` on ``today`` (``None`` dropped)."""
    if role is None:
        return []
    return [panel for panel in (function(scope, today) for function in home_panels(role)) if panel]
