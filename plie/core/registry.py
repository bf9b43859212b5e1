"""How the apps extend one another: the five extension points, in one place.

plie/core depends on no app: it never names one of them in an import statement, not even inside
a function. What a piece of core — or an app lower in the chain participants ← parcours ←
operations ← reporting — needs from the apps above it, those apps **register** here, from their
``AppConfig.ready()``; the code that uses the pieces reads them from here. Nothing is discovered
by scanning modules, nothing is registered as an import side effect, no list is rewritten by
name.

==================  ===============================================  =================================
extension point     registered with                                  read by
==================  ===============================================  =================================
home panels         ``register_home_panel(role, panel)``             ``plie.core.home.panels_for``
demo steps          ``register_demo_step(step)``                     ``plie.core.demo.build_world``
timeline sources    ``register_timeline_source(source)``             ``participants.timeline.timeline``
alert sources       ``register_alert_source(source, replaces=...)``  ``parcours.alertes.compute_alertes``
dossier panels      ``register_dossier_panel(panel)``                ``parcours.views.parcours_detail``
==================  ===============================================  =================================

What a piece is:

- **home panel** ``panel(scope, today) -> dict | None``: ``{"template": "...html", ...context}``
  rendered on the home page of ``role``, or ``None`` (nothing to show); one or two queries,
  restricted to what the user may see.
- **demo step** ``step(world)``: run by ``manage.py seed_demo`` after the core steps
  (``plie.core.demo.CORE_STEPS``) on the shared ``DemoWorld``; draws its randomness from
  ``world.random("<label>")`` only.
- **timeline source** ``source(participant, scope) -> iterable of participants.timeline.Event``:
  one query, in chronological order, hiding what ``scope`` may not see.
- **alert source** ``source(plie_id, today, seuils) -> [parcours.alertes.AlerteCalculee]``: a
  fixed number of queries reading one PLIE's rows.
- **dossier panel** ``panel(scope, parcours, today) -> dict | None``: ``{"template": "...html",
  ...context}`` rendered in the side column of the parcours page (``{% include panel.template
  with panel=panel %}``), or ``None``; it offers an action of a higher app on this dossier
  (operations: enrol the admitted person in the PLIE's current FSE operation). No query when
  ``scope`` may not act, a fixed number otherwise.

**Order.** The order of registration: Django runs ``ready()`` in ``INSTALLED_APPS`` order
(participants, parcours, operations, reporting), then within an app the order of its
``register_*`` calls. Home panels are kept per role (the role is part of the registration).

**Idempotent.** A piece is identified by its *key*, by default the function's dotted path
(``parcours.home.file_active``). Registering the same key again replaces the function in place,
keeping its position: ``ready()`` running twice adds nothing.

**Replacing a piece.** An app higher in the chain may supersede a piece of a lower one, by
saying so: ``register_alert_source(mine, replaces=theirs)`` (``theirs`` is the function, or its
key). When ``theirs`` is registered, it is left out and ``mine`` takes its place in the order;
when it is not (its app is not installed), ``mine`` comes at its own place. Whichever app's
``ready()`` runs first does not matter. Today: operations' « données FSE de sortie » source,
reading the enrolments' exit data, replaces parcours' one, reading the parcours' exit date.

**Where.** Each app makes all its registrations in its ``apps.py``: that one file tells what the
app plugs into the others. A test registers a piece with the same functions and takes it out
with ``<POINT>.unregister(func)`` (``DEMO_STEPS.unregister(step)``…).
"""

from collections.abc import Callable
from dataclasses import dataclass


def key_of(func):
    """The default key of a piece: its dotted path, ``module.qualname``."""
    return f"{func.__module__}.{func.__qualname__}"


@dataclass(frozen=True)
class Entry:
    key: str
    func: Callable
    group: object = None  # the role, for home panels
    replaces: str | None = None


class ExtensionPoint:
    """An ordered set of functions, each under a key, optionally grouped (a role)."""

    def __init__(self, name):
        self.name = name
        self._entries = {}  # (group, key) -> Entry; a dict keeps the first registration's position

    def __repr__(self):
        return f"<ExtensionPoint {self.name}: {len(self._entries)}>"

    def register(self, func, *, group=None, key=None, replaces=None):
        """Add ``func`` under ``key`` (default: its dotted path); again under the same key: replace
        it in place. ``replaces`` (a function or a key of the same group) is left out by
        :meth:`functions`, ``func`` standing in its place. Returns ``func``."""
        key = key or key_of(func)
        if callable(replaces):
            replaces = key_of(replaces)
        if replaces == key:
            raise ValueError(f"{self.name} : {key} ne peut pas se remplacer lui-même.")
        for entry in self._entries.values():
            if entry.group == group and entry.key != key and replaces and entry.replaces == replaces:
                raise ValueError(f"{self.name} : {replaces} est déjà remplacé par {entry.key}.")
        self._entries[(group, key)] = Entry(key, func, group, replaces)
        return func

    def unregister(self, func_or_key, *, group=None):
        """Take a piece out (tests); nothing happens when it is not registered."""
        key = key_of(func_or_key) if callable(func_or_key) else func_or_key
        self._entries.pop((group, key), None)

    def get(self, key, *, group=None):
        """The function registered under ``key`` (``None`` when there is none)."""
        entry = self._entries.get((group, key))
        return entry.func if entry is not None else None

    def functions(self, group=None):
        """The functions of ``group`` in order, each replaced piece swapped for its replacement."""
        entries = {entry.key: entry for (g, _), entry in self._entries.items() if g == group}
        replacement = {entry.replaces: entry for entry in entries.values() if entry.replaces}
        result = []
        for entry in entries.values():
            if entry.replaces in entries:
                continue  # it stands at the place of the piece it replaces
            while entry.key in replacement:
                entry = replacement[entry.key]
            result.append(entry.func)
        return result


HOME_PANELS = ExtensionPoint("panneaux d'accueil")
DOSSIER_PANELS = ExtensionPoint("panneaux du dossier")
DEMO_STEPS = ExtensionPoint("étapes de démonstration")
TIMELINE_SOURCES = ExtensionPoint("sources du fil du dossier")
ALERT_SOURCES = ExtensionPoint("sources d'alertes")


def register_home_panel(role, panel, *, key=None):
    """Show ``panel(scope, today)`` on the home page of ``role`` (a ``plie.core.enums.Role``)."""
    return HOME_PANELS.register(panel, group=role, key=key)


def home_panels(role):
    """The panel functions of ``role``, in order."""
    return HOME_PANELS.functions(group=role)


def register_demo_step(step, *, key=None):
    """Run ``step(world)`` in ``seed_demo``, after the core steps and the steps registered before."""
    return DEMO_STEPS.register(step, key=key)


def demo_steps():
    """The registered demo steps, in order (the core steps not included)."""
    return DEMO_STEPS.functions()


def register_timeline_source(source, *, key=None):
    """Add ``source(participant, scope)``'s events to the dossier's timeline."""
    return TIMELINE_SOURCES.register(source, key=key)


def timeline_sources():
    """The timeline sources, in order."""
    return TIMELINE_SOURCES.functions()


def register_alert_source(source, *, key=None, replaces=None):
    """Compute ``source(plie_id, today, seuils)``'s alerts every night; ``replaces`` (a registered
    source or its key) is then left out, ``source`` standing in its place."""
    return ALERT_SOURCES.register(source, key=key, replaces=replaces)


def alert_sources():
    """The alert sources, in order, replaced ones swapped for their replacement."""
    return ALERT_SOURCES.functions()


def register_dossier_panel(panel, *, key=None):
    """Show ``panel(scope, parcours, today)`` in the side column of the parcours page."""
    return DOSSIER_PANELS.register(panel, key=key)


def dossier_panels():
    """The dossier panel functions, in order."""
    return DOSSIER_PANELS.functions()
