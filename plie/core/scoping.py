"""Who may see what: the one place that decides it.

**The Scope is the currency.** A view computes ``scope_for(request.user)`` once per request
and passes the :class:`Scope` down: selectors, services, permissions (``<app>/permissions.py``,
``can_<verb>_<noun>(scope, obj)``), exports and ``visible_to(scope)`` QuerySet methods take a
Scope, never a user to re-derive it. Commands and nightly tasks act with
:meth:`Scope.system`, an explicit, named scope for ONE PLIE (no forged user). Nothing outside
this module computes a scope or caches it.

The rules:

- a membership in a **PLIE** gives that PLIE; in an **OI**, every PLIE the OI manages; in a
  financeur, the PLIE it is a partner of; in a prescripteur or an opérateur, no role in the
  PLIE but the partner access below (« Partners see what they did »);
- **a membership held in an OI gives aggregated figures only** (data minimisation, issue 14):
  the OI's direction reads the consolidated dashboard, bilans and monthly reports of its PLIE,
  with the small-cell suppression of any aggregate-only reader, and no participant by name — no
  dossier, parcours, enrolment, MDFSE file, export or list behind a figure: the nominative
  tasks (follow-up, FSE declaration, controls) are the PLIE's own staff's. A person who needs
  them holds a membership in the PLIE itself. The one nominative task across PLIE, reviewing a
  duplicate flagged between two PLIE of the OI, is the animation's of either PLIE
  (``participants.permissions.can_review_doublon``), who reads the two identities and nothing else;
- **référent** and **animation** see participants with their sensitive data (health-related
  freins, disability, justice), since they accompany them;
- **gestionnaire**, **direction** and **administrateur** see participants, without the sensitive
  data;
- **financeur** sees aggregated figures only: no participant at all;
- **DPO** (délégué à la protection des données) sees no participant through this role: the role
  exists for the access journal and the second factor (``plie.core.otp``), and gives the PLIE's
  aggregated figures only, until an issue grants it more;
- **chargé(e) de relations entreprises** (the employer side, ``entreprises/``) sees its PLIE's
  employers, their contacts, offers and social-clause markets, and of the participants only
  what putting someone forward needs: the identity (nom, prénom) of the participants in parcours
  and of those put forward on an offer or placed on a clause market, with the outcome; never a
  dossier, its situation at entry, its freins or its documents (not a personal-data role:
  ``EMPLOYER_DATA_ROLES`` only);
- the employer side (employers, offers, clauses: ``Scope.employer_plie_ids``) is seen by the
  chargé(e) de relations entreprises and by the roles that see the PLIE's participants
  (référent, animation, gestionnaire, direction, administrateur) held in the PLIE itself or a
  partner; a financeur, a DPO or a role held through an OI membership does not;
- **DPO** (délégué à la protection des données) sees no participant in the ordinary pages: the
  role gives the PLIE's aggregated figures, the access journal (``plie.core.journal``) and the
  participants' rights pages (``rgpd``: access-request export, retention report), where the
  DPO reads one person's whole dossier on purpose, and that read is journaled;
- the **access journal** of a PLIE is read by its DPO and its administrateur
  (:attr:`Scope.journal_plie_ids`);
- a superuser (the platform operator) sees everything; an inactive or anonymous user, nothing.

**Partners see what they did, never the PLIE** (issue 16). A membership in a **prescripteur**
(France Travail agency, Mission Locale, CCAS, Département's services) or an **opérateur** (a
training body, an SIAE) gives no role in the PLIE it partners: no figures, no list, no dossier
(``plie_ids``, ``personal_plie_ids`` and ``roles_by_plie`` leave it out). It gives instead:

- a **prescripteur**'s member (:attr:`Scope.prescripteur_structure_ids`) orients people into the
  PLIE its structure partners, and follows the orientations of its structure: their status
  only (reçue, en commission, admis / ajourné / refusé with the motif the commission chose to
  share, sorti with the exit's category), never an entretien, a frein, a document or a
  sensitive answer (``parcours.orientations``);
- an **opérateur**'s member (:attr:`Scope.operateur_structure_ids`) sees the participants of
  the étapes its structure carries, and records their presence and the étape's outcome;
- a **référent** employed by an opérateur (:attr:`Scope.assigned_only_plie_ids`) also sees the
  participants whose parcours is assigned to them, not the whole PLIE.

:attr:`Scope.partner_plies` says which PLIE each partner structure works with. The rules are
predicates of ``parcours.permissions`` (``can_orient``, ``can_view_orientation``,
``can_view_partner_etape``, ``can_record_etape_outcome``, ``can_view_assigned_parcours``), the
same for the partner space (``/partenaire/``) and the API (``/api/v1/partenaire/``).

**Disability (Q3 of the FSE questionnaire) follows ONE rule, everywhere.** The answer
(``handicap_reconnu``, on the dossier's situation at entry and on each enrolment's
questionnaire) is sensitive data (RGPD art. 9):

- **référent** and **animation** of the participant's PLIE read it and record it: on the
  dossier, on the fiche PDF, in the enrolment's questionnaire, in the operation's XLSX;
- **gestionnaire**, **direction** and **administrateur** read « Renseigné » / « Non renseigné »
  (:func:`masked_answer`) on every page, PDF and spreadsheet, and cannot change it: the field
  is not in their forms (:data:`SENSITIVE_ANSWERS`, dropped by the forms) and the services
  refuse it from them;
- the **MDFSE file** (the CSV declared to Ma Démarche FSE, which requires Q3) is the ONE place
  where the answer appears in clear for a manager. Only those who declare to the FSE produce it:
  **gestionnaire**, **animation** and **administrateur** of the PLIE
  (``operations.permissions.can_export_mdfse``); direction does not;
- aggregated counts (EECO12 « personnes handicapées », the TH breakdown of the bilan) are
  figures, not personal data, but go through the small-cell suppression
  (``reporting.confidentialite``) for a financeur.
"""

from dataclasses import dataclass, field

from plie.core.enums import Role, StructureKind

# The FSE answers that are sensitive data (see the module docstring): Q3, disability.
SENSITIVE_ANSWERS = ("handicap_reconnu",)
MASKED = "Renseigné"
NOT_ANSWERED = "Non renseigné"

PERSONAL_DATA_ROLES = frozenset(
    {Role.REFERENT, Role.ANIMATION, Role.GESTIONNAIRE, Role.DIRECTION, Role.ADMINISTRATEUR}
)
SENSITIVE_DATA_ROLES = frozenset({Role.REFERENT, Role.ANIMATION})
# Who sees a PLIE's employer side (employers, contacts, offers, clause markets).
EMPLOYER_DATA_ROLES = PERSONAL_DATA_ROLES | {Role.RELATIONS_ENTREPRISES}
JOURNAL_ROLES = frozenset({Role.DPO, Role.ADMINISTRATEUR})

# Which home page and navigation a user gets when they hold several roles: the first one wins.
ROLE_PRECEDENCE = (
    Role.ADMINISTRATEUR,
    Role.DIRECTION,
    Role.ANIMATION,
    Role.GESTIONNAIRE,
    Role.REFERENT,
    Role.RELATIONS_ENTREPRISES,
    Role.FINANCEUR,
    Role.DPO,
)


@dataclass(frozen=True)
class Scope:
    """What one actor may see, and who acts (``user``: the person, ``None`` for a system scope,
    whose ``label`` then says what acts: « export MDFSE », « tâches nocturnes »…)."""

    plie_ids: frozenset  # PLIE whose aggregated figures the user may see
    personal_plie_ids: frozenset  # PLIE whose participants (personal data) the user may see
    sensitive_plie_ids: frozenset  # PLIE whose sensitive fields the user may see
    roles_by_plie: dict  # plie id -> frozenset of roles held there
    is_superuser: bool = False
    user: object = field(default=None, compare=False, repr=False)
    label: str = ""
    # PLIE reached only through an OI membership (aggregates only: no employer side either)
    oi_only_plie_ids: frozenset = frozenset()
    # Partner access (see the module docstring): the prescripteur and opérateur structures the
    # user belongs to, the PLIE each partner structure works with, the PLIE where the user (a
    # référent employed by an opérateur) follows only the parcours assigned to them.
    prescripteur_structure_ids: frozenset = frozenset()
    operateur_structure_ids: frozenset = frozenset()
    partner_plies: dict = field(default_factory=dict)  # structure id -> frozenset of PLIE ids
    assigned_only_plie_ids: frozenset = frozenset()
    # The PLIE the user belongs to directly, as ((id, nom, logo), …), read by the same query as
    # the memberships: the page header shows its name and logo (plie.core.identite), no query more.
    marques: tuple = field(default=(), compare=False, repr=False)

    @classmethod
    def system(cls, plie_id, *, label, personal=True, sensitive=False):
        """The scope a command or a nightly task acts with, on ONE PLIE and no other: its figures,
        its participants' personal data when ``personal`` (an export, a consolidation), their
        sensitive data only when ``sensitive``; no role (it decides nothing a person decides)."""
        ids = frozenset({plie_id})
        return cls(
            plie_ids=ids,
            personal_plie_ids=ids if personal else frozenset(),
            sensitive_plie_ids=ids if sensitive else frozenset(),
            roles_by_plie={},
            label=label,
        )

    @property
    def user_id(self):
        return self.user.pk if self.user is not None else None

    @property
    def is_system(self):
        return self.user is None and bool(self.label)

    def roles_in(self, plie_id):
        """The roles held in the PLIE ``plie_id`` (every role for a superuser)."""
        if self.is_superuser:
            return frozenset(Role.values)
        return self.roles_by_plie.get(plie_id, frozenset())

    @property
    def roles(self):
        return frozenset().union(*self.roles_by_plie.values()) if self.roles_by_plie else frozenset()

    @property
    def primary_role(self):
        if self.is_superuser:
            return Role.ADMINISTRATEUR
        roles = self.roles
        return next((role for role in ROLE_PRECEDENCE if role in roles), None)

    @property
    def marque(self):
        """``(id, nom, logo)`` of the one PLIE the user belongs to directly; ``None`` when there
        are none or several (the header then says « PLIE »)."""
        return self.marques[0] if len(self.marques) == 1 else None

    def has_role(self, *roles, plie_id=None):
        if self.is_superuser:
            return True
        held = self.roles_by_plie.get(plie_id, frozenset()) if plie_id is not None else self.roles
        return bool(held.intersection(roles))

    @property
    def employer_plie_ids(self):
        """PLIE whose employer side (employers, contacts, offers, clauses) ``self`` may see."""
        if self.is_superuser:
            return self.plie_ids
        if self.is_system:
            return self.personal_plie_ids
        return frozenset(
            p
            for p, roles in self.roles_by_plie.items()
            if roles & EMPLOYER_DATA_ROLES and p not in self.oi_only_plie_ids
        )

    @property
    def journal_plie_ids(self):
        """PLIE whose access journal and participants' rights pages the actor may use (DPO,
        administrateur; every PLIE for a superuser; none for a system scope)."""
        if self.is_superuser:
            return self.plie_ids
        return frozenset(p for p, roles in self.roles_by_plie.items() if roles & JOURNAL_ROLES)

    @property
    def is_partner(self):
        """The user acts for a prescripteur or an opérateur (the partner space)."""
        return bool(self.prescripteur_structure_ids or self.operateur_structure_ids)

    def partner_plie_ids(self, structure_ids):
        """The PLIE the partner structures ``structure_ids`` (among the user's) work with."""
        return frozenset().union(*(self.partner_plies.get(sid, frozenset()) for sid in structure_ids))

    def sees_personal_data(self, plie_id):
        return plie_id in self.personal_plie_ids

    def sees_sensitive_data(self, plie_id):
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


def request_scope(request):
    """The scope of ``request``: ``request.scope`` set by ``plie.core.middleware.ScopeMiddleware``
    (computed once per request), else computed and kept on it (a request built without the
    middleware: a page rendered by a command or a test)."""
    scope = getattr(request, "scope", None)
    if scope is None:
        scope = request.scope = scope_for(getattr(request, "user", None))
    return scope


def forget_scope(user):
    """Drop the scope cached on ``user`` (after a change of its memberships)."""
    user.__dict__.pop("_plie_scope", None)


def _compute_scope(user):
    from plie.core.models import Membership, Structure

    if user.is_superuser:
        all_ids = frozenset(Structure.objects.plies().values_list("id", flat=True))
        roles = {plie_id: frozenset(Role.values) for plie_id in all_ids}
        return Scope(all_ids, all_ids, all_ids, roles, is_superuser=True, user=user)

    roles_by_structure = {}
    kinds = {}
    marques = {}
    for structure_id, kind, role, nom, logo in (
        Membership.objects.active()
        .filter(user=user)
        .values_list("structure_id", "structure__kind", "role", "structure__nom", "structure__logo")
    ):
        roles_by_structure.setdefault(structure_id, set()).add(role)
        kinds[structure_id] = kind
        if kind == StructureKind.PLIE:
            marques[structure_id] = (structure_id, nom, logo)
    if not roles_by_structure:
        return Scope(frozenset(), frozenset(), frozenset(), {}, user=user)

    # Which PLIE each structure stands for.
    plies_of = {sid: {sid} for sid, kind in kinds.items() if kind == StructureKind.PLIE}
    partner_kinds = (StructureKind.PRESCRIPTEUR, StructureKind.OPERATEUR)
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
    personal_roles_by_plie = {}  # roles held in the PLIE itself or a partner, never through an OI
    assigned_only = set()
    for structure_id, roles in roles_by_structure.items():
        if kinds[structure_id] in partner_kinds:
            # partner access only (module docstring): no role in the PLIE
            if kinds[structure_id] == StructureKind.OPERATEUR and Role.REFERENT in roles:
                assigned_only.update(plies_of.get(structure_id, ()))
            continue
        for plie_id in plies_of.get(structure_id, ()):
            roles_by_plie.setdefault(plie_id, set()).update(roles)
            if kinds[structure_id] != StructureKind.OI:
                personal_roles_by_plie.setdefault(plie_id, set()).update(roles)
    roles_by_plie = {plie_id: frozenset(roles) for plie_id, roles in roles_by_plie.items()}

    return Scope(
        plie_ids=frozenset(roles_by_plie),
        personal_plie_ids=frozenset(p for p, r in personal_roles_by_plie.items() if r & PERSONAL_DATA_ROLES),
        sensitive_plie_ids=frozenset(
            p for p, r in personal_roles_by_plie.items() if r & SENSITIVE_DATA_ROLES
        ),
        roles_by_plie=roles_by_plie,
        user=user,
        oi_only_plie_ids=frozenset(roles_by_plie) - frozenset(personal_roles_by_plie),
        prescripteur_structure_ids=frozenset(
            sid for sid, kind in kinds.items() if kind == StructureKind.PRESCRIPTEUR
        ),
        operateur_structure_ids=frozenset(
            sid for sid, kind in kinds.items() if kind == StructureKind.OPERATEUR
        ),
        partner_plies={
            sid: frozenset(plies_of.get(sid, ())) for sid, kind in kinds.items() if kind in partner_kinds
        },
        assigned_only_plie_ids=frozenset(assigned_only),
        marques=tuple(marques[key] for key in sorted(marques)),
    )


def masked_answer(value):
    """What someone who may not read a sensitive answer reads instead of ``value``: « Renseigné »
    when it was answered, « Non renseigné » otherwise."""
    return NOT_ANSWERED if value is None or value == "" else MASKED


def visible_plies(scope):
    """The PLIE (structures) whose figures ``scope`` may see."""
    from plie.core.models import Structure

    return Structure.objects.plies().filter(id__in=scope.plie_ids)
