"""The figures of the browser dashboards (issue 7, « Dashboards in the browser »), as plain
functions over a set of PLIE ids: aggregate queries only, a handful whatever the data size.

- flows and rates of the year to date: read from the nightly :class:`SnapshotPlie` when every
  PLIE of the périmètre has one for today or yesterday (the same day for all), else counted live
  with the predicates of ``reporting.flux``; :attr:`Tableau.jour` says on which day they stand
  (« chiffres au jj/mm/aaaa ») and :attr:`Tableau.source` where they come from;
- the file active per référent (in parcours today) and the open alerts by type (the rows the
  nightly ``parcours`` job left), always live; the participants in parcours without any FSE entry
  questionnaire (live, or from the snapshot with the flows);
- the operations' completeness of the year (``operations.completude``'s conditions: enrolments,
  incomplete entry questionnaires, exit data to record within 4 weeks or past them) and the
  trends of the last 12 months (entrées, sorties, sorties positives and participants in parcours
  at each month's end): from the same snapshots when they hold them (on their day, issue 17: at
  300,000 participants they aggregate every enrolment and parcours of the year), else live.

Every linked figure is named by an :data:`INDICATEURS` key: :func:`parcours_derriere` returns the
parcours behind it with the **same** conditions, so the count shown and the list behind it agree.
"""

import datetime
from dataclasses import dataclass, field

from django.db.models import Count, Exists, OuterRef
from django.utils import timezone

from operations.selectors import COMPTEURS_RESUME, completude_par_plie
from parcours.enums import ClasseNationale, TypeAlerte
from parcours.models import Alerte, Parcours
from participants.models import SituationEntree
from plie.core import charts
from plie.core.dates import mois_court
from plie.core.models import Structure
from plie.core.routers import reads_from_replica
from reporting import indicateurs
from reporting.flux import (
    UN_JOUR,
    Periode,
    compteurs_flux,
    en_parcours_le,
    en_parcours_pendant,
    entre_pendant,
    flux_depuis,
    sorti_pendant,
    sortie_de_classe,
    sortie_positive,
)
from reporting.models import SnapshotPlie
from reporting.selectors import Perimetre

SNAPSHOT = "snapshot"
LIVE = "live"


# --- The figures that link to a list (one condition on Parcours each) ----------------------------


def sans_situation_entree(periode):
    """In parcours on the period's last day with no FSE entry questionnaire row at all."""
    situations = SituationEntree.objects.filter(participant_id=OuterRef("participant_id"))
    return en_parcours_le(periode.fin) & ~Exists(situations)


@dataclass(frozen=True)
class Indicateur:
    libelle: str
    condition: object  # Periode -> Q on Parcours
    sur_periode: bool = True  # False: a stock on the period's last day (``du`` is not used)


INDICATEURS = {
    "entrees": Indicateur("Entrées", entre_pendant),
    "sorties": Indicateur("Sorties", sorti_pendant),
    "sorties_positives": Indicateur("Sorties positives (validées)", sortie_positive),
    "abandons": Indicateur("Abandons", lambda p: sortie_de_classe(p, ClasseNationale.ABANDON)),
    "neutralisees": Indicateur(
        "Sorties neutralisées (déménagements, décès, retraites)",
        lambda p: sortie_de_classe(p, ClasseNationale.DEMENAGEMENT_DECES_RETRAITE),
    ),
    "en_parcours": Indicateur("En parcours", lambda p: en_parcours_le(p.fin), sur_periode=False),
    "file_active": Indicateur("File active du référent", lambda p: en_parcours_le(p.fin), sur_periode=False),
    "sans_situation_entree": Indicateur(
        "En parcours sans questionnaire d'entrée FSE", sans_situation_entree, sur_periode=False
    ),
    "alerte": Indicateur("Alertes ouvertes", None, sur_periode=False),
}

AUCUN_REFERENT = "aucun"


def parcours_derriere(plie_ids, indicateur, periode, *, referent=None, type_alerte=None):
    """The parcours behind the figure ``indicateur`` of the PLIE ``plie_ids`` over ``periode``
    (unordered): the very conditions the dashboard counts with. ``referent`` (a user id or
    :data:`AUCUN_REFERENT`) narrows ``file_active``; ``type_alerte`` is required by ``alerte``."""
    if indicateur == "alerte":
        # Alerts may concern a candidate (ajournement échu): no « admitted » condition here.
        alertes = Alerte.objects.filter(parcours_id=OuterRef("pk"), plie_id__in=plie_ids, type=type_alerte)
        return Parcours.objects.filter(Exists(alertes)).order_by()
    queryset = Perimetre(frozenset(plie_ids)).parcours().filter(INDICATEURS[indicateur].condition(periode))
    if indicateur == "file_active":
        if referent == AUCUN_REFERENT:
            queryset = queryset.filter(referent__isnull=True)
        else:
            queryset = queryset.filter(referent_id=referent)
    return queryset


# --- Periods -----------------------------------------------------------------------------------


def annee_a_date(jour):
    return Periode(datetime.date(jour.year, 1, 1), jour)


def douze_derniers_mois(jour):
    """The 12 calendar months ending with ``jour``'s month, the last one cut at ``jour``."""
    mois = []
    annee, numero = jour.year, jour.month
    for _ in range(12):
        periode = Periode.mois(annee, numero)
        mois.append(Periode(periode.debut, min(periode.fin, jour)))
        annee, numero = (annee, numero - 1) if numero > 1 else (annee - 1, 12)
    return list(reversed(mois))


def libelle_mois(periode):
    return mois_court(periode.debut)


# --- Flows -------------------------------------------------------------------------------------


def _compteurs(periode):
    """The counts of ``reporting.flux.compter`` (the same conditions), to group by PLIE."""
    return compteurs_flux(periode)


def flux_par_plie(plie_ids, periode):
    """{plie id: flow table (``reporting.flux.flux_depuis``)} over ``periode`` (one grouped query);
    a PLIE without any parcours gets a table of zeros."""
    lignes = {
        ligne.pop("plie_id"): ligne
        for ligne in Perimetre(frozenset(plie_ids))
        .parcours()
        .values("plie_id")
        .annotate(**_compteurs(periode))
        .order_by()
    }
    zeros = dict.fromkeys(_compteurs(periode), 0)
    return {plie_id: flux_depuis(lignes.get(plie_id, zeros)) for plie_id in plie_ids}


def sans_situation_par_plie(plie_ids, jour):
    """{plie id: participants in parcours on ``jour`` with no FSE entry questionnaire} (one query),
    as ``reporting.services.sans_situation_entree`` counts them."""
    counts = dict(
        parcours_derriere(plie_ids, "sans_situation_entree", Periode(jour, jour))
        .values("plie_id")
        .annotate(n=Count("participant_id", distinct=True))
        .values_list("plie_id", "n")
    )
    return {plie_id: counts.get(plie_id, 0) for plie_id in plie_ids}


def alertes_par_plie(plie_ids):
    """{plie id: {alert type: open alerts}}, every type present (one query)."""
    counts = {}
    for plie_id, type_alerte, n in (
        Alerte.objects.filter(plie_id__in=plie_ids)
        .values("plie_id", "type")
        .annotate(n=Count("pk"))
        .values_list("plie_id", "type", "n")
        .order_by()
    ):
        counts[(plie_id, type_alerte)] = n
    return {plie_id: {t: counts.get((plie_id, t), 0) for t in TypeAlerte.values} for plie_id in plie_ids}


def snapshots_utilisables(plie_ids, aujourdhui):
    """{plie id: SnapshotPlie} of today for every PLIE, else of yesterday for every PLIE, else
    ``None`` (one query): the figures of a périmètre all stand on the same day."""
    hier = aujourdhui - UN_JOUR
    par_jour = {}
    for snapshot in SnapshotPlie.objects.filter(plie_id__in=plie_ids, jour__in=[aujourdhui, hier]):
        par_jour.setdefault(snapshot.jour, {})[snapshot.plie_id] = snapshot
    for jour in (aujourdhui, hier):
        snapshots = par_jour.get(jour, {})
        if plie_ids and set(snapshots) == set(plie_ids):
            return snapshots
    return None


# --- Caseloads and trends ----------------------------------------------------------------------


def files_actives(plie_ids, jour):
    """Per (PLIE, référent): participants in parcours on ``jour`` (one grouped query), the
    largest first; a parcours without référent is on a row whose ``referent_id`` is ``None``."""
    return list(
        parcours_derriere(plie_ids, "en_parcours", Periode(jour, jour))
        .values("plie_id", "referent_id", "referent__first_name", "referent__last_name", "referent__email")
        .annotate(n=Count("pk"))
        .order_by("plie_id", "-n", "referent__last_name", "referent__first_name")
    )


SERIES = (
    ("entrees", "Entrées"),
    ("sorties", "Sorties"),
    ("sorties_positives", "Sorties positives"),
    ("en_parcours", "En parcours en fin de mois"),
)


def tendances(plie_ids, jour):
    """{plie id: [{"mois": Periode, "libelle", "entrees", "sorties", "sorties_positives",
    "en_parcours"}] × 12} over the 12 months ending on ``jour`` (one grouped query)."""
    mois = douze_derniers_mois(jour)
    compteurs = {}
    for i, periode in enumerate(mois):
        for serie, _ in SERIES:
            compteurs[f"{serie}_{i}"] = Count("pk", filter=INDICATEURS[serie].condition(periode))
    ensemble = Periode(mois[0].debut, mois[-1].fin)
    lignes = {
        ligne["plie_id"]: ligne
        for ligne in Perimetre(frozenset(plie_ids))
        .parcours()
        .filter(en_parcours_pendant(ensemble))
        .values("plie_id")
        .annotate(**compteurs)
        .order_by()
    }
    resultat = {}
    for plie_id in plie_ids:
        ligne = lignes.get(plie_id, {})
        resultat[plie_id] = [
            {
                "mois": periode,
                "libelle": libelle_mois(periode),
                **{serie: ligne.get(f"{serie}_{i}", 0) for serie, _ in SERIES},
            }
            for i, periode in enumerate(mois)
        ]
    return resultat


def graphiques(tendance):
    """One SVG bar chart per series of a 12-month trend."""
    return [
        {
            "serie": serie,
            "titre": titre,
            "svg": charts.barres_mensuelles(
                [(m["libelle"], m[serie]) for m in tendance], titre=titre, largeur=520
            ),
        }
        for serie, titre in SERIES
    ]


# --- Putting a dashboard together --------------------------------------------------------------


def _additionner(a, b):
    if isinstance(a, dict):
        return {cle: _additionner(a[cle], b[cle]) for cle in a}
    return a + b


@dataclass
class Colonne:
    """The figures of one PLIE (or of the consolidation, ``plie`` ``None``)."""

    plie: Structure | None
    flux: dict
    taux: dict
    alertes: dict
    sans_situation_entree: int
    tendance: list
    completude_operations: dict = field(default_factory=dict)
    files_actives: list = field(default_factory=list)
    sorties_masquees: str | None = None  # set by reporting.confidentialite.masquer_tableau

    @property
    def sorties(self):
        if self.sorties_masquees is not None:
            return self.sorties_masquees
        return indicateurs.total_sorties(self.flux)

    @property
    def alertes_liste(self):
        """[(type, French label, count)] in the order of ``TypeAlerte``."""
        return [(t, TypeAlerte(t).label, self.alertes.get(t, 0)) for t in TypeAlerte.values]

    @property
    def total_alertes(self):
        return sum(self.alertes.values())

    @property
    def total_file_active(self):
        return sum(ligne["n"] for ligne in self.files_actives)


@dataclass
class Tableau:
    jour: datetime.date  # the day the flows and stocks stand on (« chiffres au … »)
    aujourdhui: datetime.date
    source: str  # SNAPSHOT or LIVE
    periode: Periode  # the year to date of the flows
    colonnes: list  # one Colonne per PLIE, in the order of the PLIE's names
    total: Colonne  # the consolidation (equal to the only column when there is one PLIE)
    graphiques: list  # the charts of the consolidated trend

    @property
    def depuis_snapshot(self):
        return self.source == SNAPSHOT


@reads_from_replica
def tableau(plie_ids, *, aujourdhui=None, avec_files_actives=True):
    """The dashboard of the PLIE ``plie_ids`` (already restricted to what the user may see).

    Queries: the PLIE (1), the snapshots (1), the alerts (1), the files actives (1, unless
    ``avec_files_actives=False``); then, from the snapshots, nothing more (the flows, the
    FSE questionnaires never started, the operations' completeness and the 12-month trends of
    the snapshots' day, « chiffres au jj/mm/aaaa »), or, live, the flows and the questionnaires
    (2), the operations' completeness (1) and the trends (1). A snapshot written before the
    operations' completeness and the trends were stored has them counted live (1 each)."""
    aujourdhui = aujourdhui or timezone.localdate()
    plies = list(Structure.objects.plies().filter(id__in=plie_ids).order_by("nom"))
    ids = [plie.id for plie in plies]
    snapshots = snapshots_utilisables(ids, aujourdhui)
    if snapshots:
        jour = next(iter(snapshots.values())).jour
        flux = {pid: s.indicateurs["flux"] for pid, s in snapshots.items()}
        sans_situation = {
            pid: s.indicateurs.get("completude", {}).get("sans_situation_entree", 0)
            for pid, s in snapshots.items()
        }
        source = SNAPSHOT
        # the operations of the snapshot's year: yesterday's on 1 January are last year's
        operations = None
        if jour.year == aujourdhui.year:
            operations = _du_snapshot(snapshots, "completude_operations")
        trends = _du_snapshot(snapshots, "tendance")
        if trends is not None:
            trends = {pid: tendance_depuis(jour, valeurs) for pid, valeurs in trends.items()}
    else:
        jour = aujourdhui
        flux = flux_par_plie(ids, annee_a_date(jour)) if ids else {}
        sans_situation = sans_situation_par_plie(ids, jour) if ids else {}
        source = LIVE
        operations = trends = None
    alertes = alertes_par_plie(ids) if ids else {}
    if operations is None:
        operations = completude_par_plie(ids, aujourdhui) if ids else {}
    caseloads = files_actives(ids, aujourdhui) if ids and avec_files_actives else []
    if trends is None:
        trends = tendances(ids, jour) if ids else {}

    colonnes = [
        Colonne(
            plie=plie,
            flux=flux[plie.id],
            taux=indicateurs.taux_du_flux(flux[plie.id]),
            alertes=alertes[plie.id],
            sans_situation_entree=sans_situation[plie.id],
            tendance=trends[plie.id],
            completude_operations=operations[plie.id],
            files_actives=[ligne for ligne in caseloads if ligne["plie_id"] == plie.id],
        )
        for plie in plies
    ]
    total = _consolider(colonnes, jour)
    return Tableau(
        jour=jour,
        aujourdhui=aujourdhui,
        source=source,
        periode=annee_a_date(jour),
        colonnes=colonnes,
        total=total,
        graphiques=graphiques(total.tendance),
    )


def _du_snapshot(snapshots, cle):
    """{plie id: ``indicateurs[cle]``} when every snapshot has it, else ``None`` (a row written
    before the key existed: the figure is then counted live)."""
    valeurs = {pid: s.indicateurs.get(cle) for pid, s in snapshots.items()}
    return None if any(v is None for v in valeurs.values()) else valeurs


def tendance_depuis(jour, valeurs):
    """A stored 12-month trend (the counts of :func:`tendances`, month by month) with its months."""
    return [
        {"mois": periode, "libelle": libelle_mois(periode), **{serie: v[serie] for serie, _ in SERIES}}
        for periode, v in zip(douze_derniers_mois(jour), valeurs, strict=True)
    ]


def _consolider(colonnes, jour):
    if not colonnes:
        flux = flux_depuis(dict.fromkeys(_compteurs(annee_a_date(jour)), 0))
        tendance = [
            {"mois": p, "libelle": libelle_mois(p), **{s: 0 for s, _ in SERIES}}
            for p in douze_derniers_mois(jour)
        ]
        return Colonne(
            None,
            flux,
            indicateurs.taux_du_flux(flux),
            dict.fromkeys(TypeAlerte.values, 0),
            0,
            tendance,
            completude_operations=dict.fromkeys(COMPTEURS_RESUME, 0),
        )
    premiere, *autres = colonnes
    flux, alertes, sans_situation = premiere.flux, premiere.alertes, premiere.sans_situation_entree
    tendance, caseloads = premiere.tendance, list(premiere.files_actives)
    operations = premiere.completude_operations
    for colonne in autres:
        flux = _additionner(flux, colonne.flux)
        alertes = _additionner(alertes, colonne.alertes)
        sans_situation += colonne.sans_situation_entree
        tendance = [
            {**a, **{s: a[s] + b[s] for s, _ in SERIES}}
            for a, b in zip(tendance, colonne.tendance, strict=True)
        ]
        caseloads += colonne.files_actives
        operations = _additionner(operations, colonne.completude_operations)
    return Colonne(
        plie=None,
        flux=flux,
        taux=indicateurs.taux_du_flux(flux),
        alertes=alertes,
        sans_situation_entree=sans_situation,
        tendance=tendance,
        completude_operations=operations,
        files_actives=caseloads,
    )
