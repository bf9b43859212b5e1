"""The tableau d'impact of the social clauses (seed 004 l.995–1008, l.1850–1881, l.4437–4470):
hours done, FTE, participants by public category, contracts obtained after the clause — per
market, per donneur d'ordre and per year — built from one list of rows per participant placed.

The rows (:class:`LigneImpact`, one per placement and calendar year) are the proof: every total
of the table is a sum over them (``tests/entreprises/test_impact.py`` checks it).

- **hours**: the hours the companies declared (``HeuresMois``), by the year of their month;
- **FTE**: hours / 1 607 (``regles.etp``);
- **participants**: distinct people; a person counts in a category (``participants.categories``,
  on the situation at entry: DELD, BRSA, TH, jeunes < 26, seniors ≥ 45) when the category is
  known to apply; « PLIE » = the person has entered a parcours of the PLIE;
- **contracts after the clause**: job contracts recorded in the person's parcours that start
  after the placement ended (the market's end when the placement has none), other than the
  placement's own contract, counted in the year they start.

A fixed number of queries (six), whatever the number of markets and people."""

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Sum
from django.db.models.functions import ExtractYear

from entreprises import regles
from entreprises.models import HeuresMois, Marche, Placement
from parcours.models import Contrat, Parcours
from participants.categories import categories_publiques
from participants.models import SituationEntree

CATEGORIES = ("plie", "deld", "brsa", "th", "jeune", "senior")
CATEGORY_LABELS = {
    "plie": "PLIE",
    "deld": "DELD",
    "brsa": "BRSA",
    "th": "TH",
    "jeune": "Jeunes (< 26 ans)",
    "senior": "Seniors (≥ 45 ans)",
}


@dataclass
class LigneImpact:
    """One participant placed on one market, for one calendar year."""

    marche_id: int
    marche: str
    donneur_ordre: str
    annee: int
    participant_id: int
    nom: str
    prenom: str
    modalite: str
    heures: Decimal
    contrats_apres: int
    categories: frozenset  # the keys of CATEGORIES that apply


@dataclass
class Total:
    """The totals of a group of rows."""

    cle: object
    libelle: str
    heures_requises: int | None = None
    heures: Decimal = Decimal(0)
    contrats_apres: int = 0
    participants: set = field(default_factory=set)
    par_categorie: dict = field(default_factory=lambda: {key: set() for key in CATEGORIES})

    @property
    def etp(self):
        return regles.etp(self.heures)

    @property
    def nb_participants(self):
        return len(self.participants)

    def nb(self, categorie):
        return len(self.par_categorie[categorie])

    @property
    def counts(self):
        return [self.nb(key) for key in CATEGORIES]

    def add(self, ligne):
        self.heures += ligne.heures
        self.contrats_apres += ligne.contrats_apres
        self.participants.add(ligne.participant_id)
        for key in ligne.categories:
            self.par_categorie[key].add(ligne.participant_id)


def marches_of(scope, *, plie_ids=None, annee=None, donneur_ordre=""):
    """The clause markets ``scope`` sees (of ``plie_ids`` when given), running during ``annee``
    when given."""
    marches = Marche.objects.visible_to(scope)
    if plie_ids is not None:
        marches = marches.filter(plie_id__in=plie_ids)
    if annee:
        marches = marches.filter(date_debut__year__lte=annee, date_fin__year__gte=annee)
    if donneur_ordre:
        marches = marches.filter(donneur_ordre=donneur_ordre)
    return marches


def lignes(scope, *, plie_ids=None, annee=None, donneur_ordre=""):
    """The rows of the table (see the module docstring), ordered by market, year, name."""
    selected = marches_of(scope, plie_ids=plie_ids, annee=annee, donneur_ordre=donneur_ordre)
    marches = {m.pk: m for m in selected}  # 1
    placements = list(
        Placement.objects.filter(marche_id__in=marches).select_related("participant").order_by("pk")
    )  # 2
    participant_ids = {p.participant_id for p in placements}
    heures = defaultdict(Decimal)
    for placement_id, year, total in (
        HeuresMois.objects.filter(placement__in=placements)
        .annotate(annee=ExtractYear("mois"))
        .values_list("placement_id", "annee")
        .annotate(total=Sum("heures"))
        .values_list("placement_id", "annee", "total")
    ):  # 3
        heures[(placement_id, year)] += Decimal(total).quantize(
            Decimal("0.01")
        )  # same scale on every backend
    situations = {}
    for situation in SituationEntree.objects.filter(participant_id__in=participant_ids).order_by(
        "participant_id", "date_entree", "pk"
    ):  # 4: the latest wins
        situations[situation.participant_id] = situation
    in_plie = set(
        Parcours.objects.filter(participant_id__in=participant_ids, date_entree__isnull=False).values_list(
            "participant_id", flat=True
        )
    )  # 5
    contrats = defaultdict(list)
    for contrat_id, participant_id, debut in Contrat.objects.filter(
        etape__parcours__participant_id__in=participant_ids
    ).values_list("pk", "etape__parcours__participant_id", "date_debut"):  # 6
        contrats[participant_id].append((contrat_id, debut))

    rows = []
    for placement in placements:
        marche = marches[placement.marche_id]
        participant = placement.participant
        fin = placement.date_fin or marche.date_fin
        apres = defaultdict(int)
        for contrat_id, debut in contrats[participant.pk]:
            if debut > fin and contrat_id != placement.contrat_id:
                apres[debut.year] += 1
        years = {y for (pid, y) in heures if pid == placement.pk} | set(apres)
        if not years:  # placed, no hours declared yet: the person counts in the start year
            years = {placement.date_debut.year}
        cats = _categories(participant, situations.get(participant.pk), participant.pk in in_plie)
        for year in sorted(years):
            if annee and year != annee:
                continue
            rows.append(
                LigneImpact(
                    marche_id=marche.pk,
                    marche=str(marche),
                    donneur_ordre=marche.donneur_ordre,
                    annee=year,
                    participant_id=participant.pk,
                    nom=participant.nom,
                    prenom=participant.prenom,
                    modalite=placement.get_modalite_display(),
                    heures=heures.get((placement.pk, year), Decimal(0)),
                    contrats_apres=apres.get(year, 0),
                    categories=cats,
                )
            )
    rows.sort(key=lambda r: (r.marche, r.annee, r.nom, r.prenom, r.participant_id))
    return list(marches.values()), rows


def _categories(participant, situation, in_plie):
    cats = categories_publiques(
        date_naissance=participant.date_naissance,
        date_entree=situation.date_entree if situation else None,
        situation=situation,
        qpv=participant.qpv,
        nationalite=participant.nationalite,
    )
    found = {key for key in ("deld", "brsa", "th", "jeune", "senior") if getattr(cats, key)}
    if in_plie:
        found.add("plie")
    return frozenset(found)


def totaux(rows, key, label, *, seed=()):
    """The :class:`Total` of each group of ``rows`` (``key(row)``), ``seed``: (key, label,
    required hours) of groups to show even without rows (a market with no one placed yet)."""
    groups = {k: Total(cle=k, libelle=lib, heures_requises=req) for k, lib, req in seed}
    for row in rows:
        k = key(row)
        if k not in groups:
            groups[k] = Total(cle=k, libelle=label(row))
        groups[k].add(row)
    return list(groups.values())


def tableau(scope, *, plie_ids=None, annee=None, donneur_ordre=""):
    """The whole table: per market (with its required hours), per donneur d'ordre, per year,
    the grand total, and the rows."""
    marches, rows = lignes(scope, plie_ids=plie_ids, annee=annee, donneur_ordre=donneur_ordre)
    marches.sort(key=lambda m: str(m))
    par_marche = totaux(
        rows,
        lambda r: r.marche_id,
        lambda r: r.marche,
        seed=[(m.pk, str(m), m.heures_requises) for m in marches],
    )
    donneurs = defaultdict(int)
    for m in marches:
        donneurs[m.donneur_ordre] += m.heures_requises
    par_donneur = totaux(
        rows,
        lambda r: r.donneur_ordre,
        lambda r: r.donneur_ordre,
        seed=[(d, d, h) for d, h in sorted(donneurs.items())],
    )
    par_annee = sorted(totaux(rows, lambda r: r.annee, lambda r: str(r.annee)), key=lambda t: t.cle)
    total = Total(cle=None, libelle="Total", heures_requises=sum(m.heures_requises for m in marches))
    for row in rows:
        total.add(row)
    return {
        "marches": marches,
        "par_marche": par_marche,
        "par_donneur": par_donneur,
        "par_annee": par_annee,
        "total": total,
        "lignes": rows,
    }


HEADER = ["", "Heures requises", "Heures réalisées", "ETP", "Participants"]


def xlsx(table):
    """The tableau d'impact as XLSX (``plie.core.writers.XlsxWriter``): one sheet per grouping and
    the rows per participant."""
    from plie.core.writers import XlsxWriter

    writer = XlsxWriter(title="Tableau d'impact des clauses sociales")
    categories = [CATEGORY_LABELS[key] for key in CATEGORIES]
    for title, totals in (
        ("Par marché", table["par_marche"]),
        ("Par donneur d'ordre", table["par_donneur"]),
        ("Par année", table["par_annee"]),
    ):
        sheet = writer.sheet(title)
        writer.append(sheet, [title, *HEADER[1:], *categories, "Contrats après la clause"])
        for t in [*totals, table["total"]]:
            writer.append(
                sheet,
                [
                    t.libelle,
                    t.heures_requises,
                    t.heures,
                    t.etp,
                    t.nb_participants,
                    *t.counts,
                    t.contrats_apres,
                ],
            )
    sheet = writer.sheet("Par participant")
    writer.append(
        sheet,
        [
            "Marché",
            "Donneur d'ordre",
            "Année",
            "Nom",
            "Prénom",
            "Modalité",
            "Heures",
            *categories,
            "Contrats après",
        ],
    )
    for r in table["lignes"]:
        writer.append(
            sheet,
            [
                r.marche,
                r.donneur_ordre,
                r.annee,
                r.nom,
                r.prenom,
                r.modalite,
                r.heures,
                *["oui" if key in r.categories else "" for key in CATEGORIES],
                r.contrats_apres,
            ],
        )
    return writer.content()


def pdf(table, *, plies, annee=None, donneur=""):
    """The tableau d'impact as a PDF (WeasyPrint, the shared page frame; no network)."""
    from django.template.loader import render_to_string
    from django.utils import timezone
    from weasyprint import HTML

    from participants.pdf import STATIC_DIR, StaticOnlyFetcher

    context = {
        **table,
        "sections": [
            ("Par marché", table["par_marche"]),
            ("Par donneur d'ordre", table["par_donneur"]),
            ("Par année", table["par_annee"]),
        ],
        "categories": [CATEGORY_LABELS[key] for key in CATEGORIES],
        "plies": plies,
        "annee": annee,
        "donneur": donneur,
        "pied": f"Tableau d'impact des clauses sociales — {plies}",
        "edited_at": timezone.localtime(),
    }
    html = render_to_string("entreprises/pdf/impact.html", context)
    return HTML(string=html, base_url=STATIC_DIR.as_uri() + "/", url_fetcher=StaticOnlyFetcher()).write_pdf()
