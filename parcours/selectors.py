"""Scoped reads of the référent's workspace (« Ma file active ») and of a parcours' page.

Everything starts from ``Parcours.objects.visible_to(user)``; the workspace reads its rows in a
**constant number of queries** whatever the size of the file active and of its history: the
parcours with their participant and the PLIE's settings (one query, the next appointment's
entretien as a subquery), the current étapes (one prefetch) and the alerts (one prefetch)."""

from dataclasses import dataclass

from django.db.models import F, OuterRef, Prefetch, Q, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from parcours.enums import StatutParcours, TypeAlerte
from parcours.filters import ParcoursFilter
from parcours.models import Alerte, Entretien, Etape, ParametresPlie, Parcours
from parcours.permissions import pick_referent_plie_ids
from plie.core.enums import Role, StructureKind
from plie.core.models import Membership, User

STATUTS_ACTIFS = (StatutParcours.EN_PARCOURS, StatutParcours.SUSPENDU, StatutParcours.EN_SUIVI_EMPLOI)
JOURS_SANS_CONTACT_DEFAUT = ParametresPlie._meta.get_field("jours_sans_contact").default

SORTS = {
    "nom": ("Nom", ("participant__nom", "participant__prenom", "pk")),
    "dernier_contact": (
        "Dernier contact (le plus ancien d'abord)",
        (F("dernier_contact").asc(nulls_first=True), "participant__nom", "pk"),
    ),
    "prochain_rdv": (
        "Prochain rendez-vous (le plus proche d'abord)",
        (F("prochain_rdv").asc(nulls_last=True), "participant__nom", "pk"),
    ),
}
DEFAULT_SORT = "nom"

# Badge colour of each alert (Bootstrap's subtle text-bg pairs keep a 4.5:1 contrast).
ALERTE_STYLES = {
    TypeAlerte.SANS_CONTACT: "danger",
    TypeAlerte.RDV_PASSE: "danger",
    TypeAlerte.PARCOURS_LONG: "warning",
    TypeAlerte.FIN_SUSPENSION: "warning",
    TypeAlerte.SORTIE_VALIDABLE: "success",
    TypeAlerte.DONNEES_SORTIE_FSE: "warning",
    TypeAlerte.AJOURNEMENT_ECHU: "warning",
}


def referents_for(scope):
    """The référents whose file active ``scope`` may open (one query): active référents of the
    PLIE where ``scope`` is animation or administrateur, members of the PLIE itself or of one of
    its partner structures. Empty for everybody else."""
    plie_ids = pick_referent_plie_ids(scope)
    if not plie_ids:
        return []
    memberships = Membership.objects.active().filter(
        Q(structure_id__in=plie_ids)
        | Q(structure__plies__in=plie_ids, structure__kind=StructureKind.OPERATEUR),  # never a prescripteur's
        role=Role.REFERENT,
    )
    return list(
        User.objects.filter(is_active=True, pk__in=memberships.values("user_id")).order_by(
            "last_name", "first_name", "email"
        )
    )


@dataclass(frozen=True)
class WorkspaceFilters:
    status: str = ""
    alerte: str = ""
    q: str = ""
    sort: str = DEFAULT_SORT


def file_active(scope, referent, filters, *, today):
    """The active parcours (en parcours, suspendu, en suivi emploi) that ``referent`` follows,
    as ``scope`` may see them, filtered and sorted (with an alert filter: every parcours with
    that alert, whatever its status, so the list matches « À traiter »); each parcours carries
    ``etape_courante`` (the latest started, not ended étape, or ``None``), ``alertes_list``,
    ``jours_sans_contact`` (``None`` without contact), ``seuil_sans_contact`` (the PLIE's
    setting), ``rdv_passe`` and ``rdv_entretien_id`` (the entretien that planned the next
    appointment, for its .ics)."""
    if referent is None:
        return []
    queryset = Parcours.objects.visible_to(scope).filter(referent=referent)
    if referent.pk != scope.user_id:
        queryset = queryset.filter(plie_id__in=pick_referent_plie_ids(scope))
    if filters.alerte not in TypeAlerte.values:
        # with an alert asked for: every parcours with it, as « À traiter » counts them (an exited
        # one awaiting its FSE exit data, an adjourned candidate to present again are not in the
        # file active)
        queryset = queryset.actifs()
    # the API's FilterSet (``/api/v1/parcours/?statut=&alerte=&q=``) filters the page too
    data = {
        "statut": filters.status if filters.status in STATUTS_ACTIFS else "",
        "alerte": filters.alerte if filters.alerte in TypeAlerte.values else "",
        "q": filters.q,
    }
    queryset = ParcoursFilter(data, queryset=queryset).qs
    rdv_entretien = (
        Entretien.objects.filter(parcours=OuterRef("pk"), prochain_rdv=OuterRef("prochain_rdv"))
        .order_by("-date", "-pk")
        .values("pk")[:1]
    )
    etapes_en_cours = (
        Etape.objects.filter(date_debut__lte=today, annulee=False)
        .filter(Q(date_fin__isnull=True) | Q(date_fin__gte=today))
        .select_related("type")
        .only(*ETAPE_COLONNES)
        .order_by("-date_debut", "-pk")
    )
    alertes = Alerte.objects.only(*ALERTE_COLONNES).order_by("type", "pk")
    _label, ordering = SORTS.get(filters.sort, SORTS[DEFAULT_SORT])
    queryset = (
        queryset.select_related("participant")
        .only(*PARCOURS_COLONNES)
        .annotate(
            rdv_entretien_id=Subquery(rdv_entretien),
            # the PLIE's setting, in the same query (no PLIE nor settings object per row)
            seuil_sans_contact=Coalesce(
                "plie__parametres__jours_sans_contact", Value(JOURS_SANS_CONTACT_DEFAUT)
            ),
        )
        .prefetch_related(
            Prefetch("etapes", queryset=etapes_en_cours, to_attr="etapes_en_cours"),
            Prefetch("alertes", queryset=alertes, to_attr="alertes_list"),
        )
        .order_by(*ordering)
    )
    rows = list(queryset)
    now = timezone.now()
    for parcours in rows:
        parcours.rdv_passe = parcours.prochain_rdv is not None and parcours.prochain_rdv < now
        parcours.etape_courante = parcours.etapes_en_cours[0] if parcours.etapes_en_cours else None
        contact = parcours.dernier_contact
        parcours.jours_sans_contact = (today - contact).days if contact else None
        for alerte in parcours.alertes_list:
            alerte.style = ALERTE_STYLES.get(alerte.type, "secondary")
    return rows


# The columns « Ma file active » reads (issue 17: a hundred rows every morning; the rest of the
# parcours and participant rows is never shown there). ``plie`` and ``referent`` for the
# permission to write the suivi.
PARCOURS_COLONNES = (
    "participant__nom",
    "participant__prenom",
    "plie",
    "referent",
    "status",
    "date_entree",
    "dernier_contact",
    "prochain_rdv",
)
ETAPE_COLONNES = ("parcours", "type__libelle", "date_debut")
ALERTE_COLONNES = ("parcours", "type", "detail", "echeance")


def commission_decisions(commission):
    """A session's dossiers with everything the agenda, the decision forms and the PV show
    (one query once ordered)."""
    return commission.decisions.select_related(
        "parcours__participant",
        "parcours__referent",
        "parcours__prescripteur",
        "parcours__sortie__type",
        "structure_reorientation",
        "decided_by",
    )


# --- partners (plie.core.scoping's « Partners see what they did »; issue 16) ---------------------


def _pairs(scope, structure_ids, structure_field, plie_field):
    """``Q`` of the (partner structure, PLIE) pairs of ``scope`` (nothing when it has none)."""
    condition = Q(pk__in=[])
    for structure_id in structure_ids:
        plies = scope.partner_plies.get(structure_id, frozenset())
        if plies:
            condition |= Q(**{structure_field: structure_id, f"{plie_field}__in": plies})
    return condition


def orientations_for(scope):
    """The parcours oriented by the prescripteurs of ``scope`` into the PLIE they partner, ready
    for :func:`parcours.orientations.suivi_orientation` (two queries: the parcours with their
    participant, PLIE, prescripteur and exit type; the candidature decisions with their
    session). A superuser reads every oriented parcours."""
    from parcours.enums import ObjetPassage
    from parcours.models import Decision

    queryset = Parcours.objects.filter(prescripteur__isnull=False)
    if not scope.is_superuser:
        queryset = queryset.filter(
            _pairs(scope, scope.prescripteur_structure_ids, "prescripteur_id", "plie_id")
        )
    decisions = Decision.objects.filter(objet=ObjetPassage.CANDIDATURE).select_related("commission")
    return (
        queryset.select_related("participant", "plie", "prescripteur", "sortie__type")
        .prefetch_related(Prefetch("decisions", queryset=decisions, to_attr="decisions_candidature"))
        .order_by("-date_orientation", "-pk")
    )


def partner_etapes_for(scope):
    """The étapes carried by the opérateurs of ``scope`` in the PLIE they partner (not
    cancelled), with their participant and type (one query)."""
    queryset = Etape.objects.filter(operateur__isnull=False, annulee=False)
    if not scope.is_superuser:
        queryset = queryset.filter(
            _pairs(scope, scope.operateur_structure_ids, "operateur_id", "parcours__plie_id")
        )
    return queryset.select_related("parcours__participant", "parcours__plie", "type", "operateur").order_by(
        "-date_debut", "-pk"
    )


def assigned_parcours_for(scope):
    """The parcours assigned to ``scope``'s user in the PLIE where, as a référent employed by an
    opérateur, they follow only those (one query)."""
    if scope.user_id is None or not scope.assigned_only_plie_ids:
        return Parcours.objects.none()
    return (
        Parcours.objects.filter(referent_id=scope.user_id, plie_id__in=scope.assigned_only_plie_ids)
        .select_related("participant", "plie")
        .order_by("participant__nom", "participant__prenom", "pk")
    )
