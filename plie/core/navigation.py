"""The navigation: which entries each role may use. Later issues add their entries here."""

from dataclasses import dataclass

from django.urls import reverse

from plie.core.enums import Role
from plie.core.scoping import PERSONAL_DATA_ROLES


@dataclass(frozen=True)
class NavEntry:
    label: str
    url_name: str
    roles: frozenset | None = None  # None: every signed-in user
    staff_only: bool = False
    personal: bool = False  # lists people: only where the roles are held with personal data
    partner: bool = False  # the partner space: only for a prescripteur's or an opérateur's member
    group: str = ""  # shown inside the menu's dropdown of that name (base.html: <details>, no JS)


ADMINISTRATION = "Administration"
ENTREPRISES = "Entreprises"


ENTRIES = (
    NavEntry("Accueil", "home"),
    NavEntry("Ma file active", "parcours:workspace", roles=frozenset({Role.REFERENT})),
    NavEntry("Espace partenaire", "parcours:partenaire", partner=True),
    NavEntry("Participants", "participants:participant_list", roles=PERSONAL_DATA_ROLES, personal=True),
    NavEntry(
        "Entreprises",
        "entreprises:employeur_list",
        roles=frozenset({Role.RELATIONS_ENTREPRISES, Role.ANIMATION, Role.ADMINISTRATEUR}),
        group=ENTREPRISES,
    ),
    NavEntry(
        "Offres d'emploi",
        "entreprises:offre_list",
        roles=frozenset({Role.RELATIONS_ENTREPRISES, Role.REFERENT, Role.ANIMATION, Role.ADMINISTRATEUR}),
        group=ENTREPRISES,
    ),
    NavEntry(
        "Clauses sociales",
        "entreprises:marche_list",
        roles=frozenset({Role.RELATIONS_ENTREPRISES, Role.ANIMATION, Role.ADMINISTRATEUR}),
        group=ENTREPRISES,
    ),
    NavEntry(
        "Suivis à six mois",
        "entreprises:suivi_list",
        roles=frozenset(
            {Role.REFERENT, Role.GESTIONNAIRE, Role.ANIMATION, Role.DIRECTION, Role.ADMINISTRATEUR}
        ),
        personal=True,  # names the people who left: not for an OI account (figures only)
        group=ENTREPRISES,
    ),
    NavEntry(
        "Commissions",
        "parcours:commission_list",
        roles=frozenset({Role.ANIMATION, Role.DIRECTION, Role.ADMINISTRATEUR}),
        personal=True,
    ),
    NavEntry(
        "Opérations FSE",
        "operations:operation_list",
        roles=frozenset(
            {Role.GESTIONNAIRE, Role.ANIMATION, Role.DIRECTION, Role.ADMINISTRATEUR, Role.FINANCEUR}
        ),
    ),
    NavEntry(
        "Tableaux de bord",
        "reporting:dashboard",
        roles=frozenset(
            {Role.ANIMATION, Role.DIRECTION, Role.GESTIONNAIRE, Role.ADMINISTRATEUR, Role.FINANCEUR}
        ),
    ),
    NavEntry(
        "Rapports",
        "rapports:mensuel",
        roles=frozenset(
            {Role.GESTIONNAIRE, Role.ANIMATION, Role.DIRECTION, Role.ADMINISTRATEUR, Role.FINANCEUR}
        ),
    ),
    NavEntry(
        "Fiches temps",
        "finances:mes_fiches",
        roles=frozenset(
            {Role.REFERENT, Role.ANIMATION, Role.GESTIONNAIRE, Role.DIRECTION, Role.ADMINISTRATEUR}
        ),
    ),
    NavEntry(
        "Personnel et temps",
        "finances:personnel_list",
        roles=frozenset({Role.GESTIONNAIRE, Role.DIRECTION, Role.ADMINISTRATEUR}),
        group=ADMINISTRATION,
    ),
    NavEntry(
        "Référentiels",
        "parcours:referentiel_sorties",
        roles=frozenset({Role.ADMINISTRATEUR}),
        group=ADMINISTRATION,
    ),
    NavEntry("Import", "parcours:import_list", roles=frozenset({Role.ADMINISTRATEUR}), group=ADMINISTRATION),
    NavEntry(
        "Journal des accès",
        "rgpd:journal_list",
        roles=frozenset({Role.ADMINISTRATEUR, Role.DPO}),
        group=ADMINISTRATION,
    ),
    NavEntry(
        "Tâches nocturnes",
        "core:taskrun_list",
        roles=frozenset({Role.ADMINISTRATEUR, Role.DIRECTION}),
        group=ADMINISTRATION,
    ),
    NavEntry(
        "Identité du PLIE",
        "core:identite",
        roles=frozenset({Role.ADMINISTRATEUR}),
        personal=True,
        group=ADMINISTRATION,
    ),
    NavEntry("Administration technique", "admin:index", staff_only=True, group=ADMINISTRATION),
)


def entries_for(scope, current_path=""):
    """The menu of ``scope``: the entries whose roles it holds (staff entries for staff only)."""
    items = []
    for entry in ENTRIES:
        if entry.staff_only and not (scope.user is not None and scope.user.is_staff):
            continue
        if entry.partner and not (scope.is_partner or scope.assigned_only_plie_ids):
            continue
        if entry.roles is not None and not scope.has_role(*entry.roles):
            continue
        if entry.personal and not any(
            scope.has_role(*entry.roles, plie_id=plie_id) for plie_id in scope.personal_plie_ids
        ):
            continue  # an OI membership holds the role for figures only (plie.core.scoping)
        url = reverse(entry.url_name)
        active = current_path == url if url == "/" else current_path.startswith(url)
        items.append({"label": entry.label, "url": url, "active": active, "group": entry.group})
    return items


# Up to this many entries, the menu shows them all in one line (groups unfolded); beyond, each
# group of two entries or more folds into its dropdown (the administrateur's menu at 1 366 px).
MAX_FLAT = 9


def menu(entries):
    """``entries`` (of :func:`entries_for`) as the menu shows them: when there are more than
    :data:`MAX_FLAT`, the entries of one group gathered at the place of its first one as
    ``{"group", "entries", "active"}``; otherwise (and for a group of one) ``{"entry"}``."""
    grouped = {}
    for entry in entries:
        if entry["group"]:
            grouped.setdefault(entry["group"], []).append(entry)
    items, seen = [], set()
    for entry in entries:
        group = entry["group"]
        if not group or len(entries) <= MAX_FLAT or len(grouped[group]) == 1:
            items.append({"entry": entry})
        elif group not in seen:
            seen.add(group)
            members = grouped[group]
            items.append({"group": group, "entries": members, "active": any(e["active"] for e in members)})
    return items
