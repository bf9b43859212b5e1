"""Who may see what: the one place that decides it.

Every list, detail, export, API and task asks :func:`scope_for` (directly or through a
``visible_to(user)`` QuerySet method) and never filters on memberships by itself.

The rules:

- a membership in a **PLIE** gives that PLIE; in an **OI**, every PLIE the OI manages; in any
  other structure (opérateur, prescripteur, financeur), the PLIE it is a partner of;
- **référent** and **animation** see participants with their sensitive data (health-related
  freins, disability, justice), since they accompany them;
- **gestionnaire**, **direction** and **administrateur** see participants, without the sensitive
  data;
- **financeur** sees aggregated figures only: no participant at all;
- **DPO** (délégué à la protection des données) sees no participant through this role: the role
  exists for the access journal and the second factor (``plie.core.otp``), and gives the PLIE's
  aggregated figures only, until an issue grants it more;
- a superuser (the platform operator) sees everything; an inactive or anonymous user, nothing.
"""

from dataclasses import dataclass

from plie.core.enums import Role, StructureKind

PERSONAL_DATA_ROLES = frozenset(
    {Role.REFERENT, Role.ANIMATION, Role.GESTIONNAIRE, Role.DIRECTION, Role.ADMINISTRATEUR}
)
SENSITIVE_DATA_ROLES = frozenset({Role.REFERENT, Role.ANIMATION})

# Which home page and navigation a user gets when they hold several roles: the first one wins.
ROLE_PRECEDENCE = (
    Role.ADMINISTRATEUR,
    Role.DIRECTION,
    Role.ANIMATION,
    Role.GESTIONNAIRE,
    Role.REFERENT,
    Role.FINANCEUR,
    Role.DPO,
)


@dataclass(frozen=True)
class Scope:
    plie_ids: frozenset  # PLIE whose aggregated figures the user may see
    personal_plie_ids: frozenset  # PLIE whose participants (personal data) the user may see
    sensitive_plie_ids: frozenset  # PLIE whose sensitive fields the user may see
    roles_by_plie: dict  # plie id -> frozenset of roles held there
    is_superuser: bool = False

    @property
    def roles(self):
        return frozenset().union(*self.roles_by_plie.values()) if self.roles_by_plie else frozenset()

    @property
    def primary_role(self):
        if self.is_superuser:
            return Role.ADMINISTRATEUR
        roles = self.roles
        return next((role for role in ROLE_PRECEDENCE if role in roles), None)

    def has_role(self, *roles, plie_id=None):
        if self.is_superuser:
            return True
        held = self.roles_by_plie.get(plie_id, frozenset()) if plie_id is not None else self.roles
        return bool(held.intersection(roles))

    def can_see_personal_data(self, plie_id):
        return plie_id in self.personal_plie_ids

    def can_see_sensitive_data(self, plie_id):
        return plie_id in self.sensitive_plie_ids


EMPTY_SCOPE = Scope(frozenset(), frozenset(), frozenset(), {})


def scope_for(user):
    """The :class:`Scope` of ``user``, computed once per user object (at most 3 queries)."""
    if user is None or not user.is_authenticated or not user.is_active:
        return EMPTY_SCOPE
    cached = getattr(user, "_plie_scope", None)
    if cached is not None:
        return cached
    scope = _compute_scope(user)
    user._plie_scope = scope
    return scope


def _compute_scope(user):
    from plie.core.models import Membership, Structure

    if user.is_superuser:
        all_ids = frozenset(Structure.objects.plies().values_list("id", flat=True))
        roles = {plie_id: frozenset(Role.values) for plie_id in all_ids}
        return Scope(all_ids, all_ids, all_ids, roles, is_superuser=True)

    roles_by_structure = {}
    kinds = {}
    for structure_id, kind, role in (
        Membership.objects.active().filter(user=user).values_list("structure_id", "structure__kind", "role")
    ):
        roles_by_structure.setdefault(structure_id, set()).add(role)
        kinds[structure_id] = kind
    if not roles_by_structure:
        return EMPTY_SCOPE

    # Which PLIE each structure stands for.
    plies_of = {sid: {sid} for sid, kind in kinds.items() if kind == StructureKind.PLIE}
    oi_ids = [sid for sid, kind in kinds.items() if kind == StructureKind.OI]
    partner_ids = [sid for sid, kind in kinds.items() if kind not in (StructureKind.PLIE, StructureKind.OI)]
    if oi_ids:
        for plie_id, oi_id in Structure.objects.plies().filter(oi_id__in=oi_ids).values_list("id", "oi_id"):
            plies_of.setdefault(oi_id, set()).add(plie_id)
    if partner_ids:
        links = Structure.plies.through.objects.filter(from_structure_id__in=partner_ids)
        for structure_id, plie_id in links.values_list("from_structure_id", "to_structure_id"):
            plies_of.setdefault(structure_id, set()).add(plie_id)

    roles_by_plie = {}
    for structure_id, roles in roles_by_structure.items():
        for plie_id in plies_of.get(structure_id, ()):
            roles_by_plie.setdefault(plie_id, set()).update(roles)
    roles_by_plie = {plie_id: frozenset(roles) for plie_id, roles in roles_by_plie.items()}

    return Scope(
        plie_ids=frozenset(roles_by_plie),
        personal_plie_ids=frozenset(p for p, r in roles_by_plie.items() if r & PERSONAL_DATA_ROLES),
        sensitive_plie_ids=frozenset(p for p, r in roles_by_plie.items() if r & SENSITIVE_DATA_ROLES),
        roles_by_plie=roles_by_plie,
    )


def visible_plies(user):
    """The PLIE (structures) whose figures ``user`` may see."""
    from plie.core.models import Structure

    return Structure.objects.plies().filter(id__in=scope_for(user).plie_ids)
