"""The annual flow table and the other aggregate queries of the bilan, computed **in the
database** (conditional aggregation: ``Count(..., filter=Q(...))``, grouped ``values()``), never
by looping over participants in Python.

Definitions (docs/domaine.md §7 « Annual flow table », ``001`` l.446–470):

- a parcours is **in parcours on day D** when ``date_entree ≤ D`` and (``date_sortie`` is empty
  or ``date_sortie > D``);
- **entrées** of a period: ``date_entree`` in the period; **sorties**: ``date_sortie`` in the
  period. ``Parcours.date_sortie`` is only set once the exit is validated, so a job exit still in
  « suivi dans l'emploi » is not an exit yet (the PLIE bilan's rule); the Département's monthly
  report dates exits by :data:`DATE_SORTIE_ENREGISTREE` instead (a recorded exit counts at once,
  flagged « en cours de validation »): both rules are stated in :mod:`reporting.regles_comptage`.
  A candidate never admitted (no ``date_entree``) counts nowhere;
- **en parcours pendant** the period (« en parcours en N »): entered on or before its last day
  and not exited before its first day = stock at the start + entrées;
- the exit's line in the flow table is its type's **national class**
  (``sortie.type.classe_nationale``, data of the PLIE's exit referential with the ``001``
  defaults of ``parcours.referentiels.CLASSES_NATIONALES``): emploi durable / sortie qualifiante
  / autres positives; abandons (leaving of one's own accord, ``001`` l.518-519) /
  déménagements-décès-retraites (the only exits neutralised nationally, ``001`` l.514,
  l.521-529) / autres. A positive class counts as a **sortie positive** only if
  ``sortie.validee`` (« never count an unvalidated job », docs/domaine.md §5 (c)); every other exit of
  the period (a sans-suite class, an unvalidated positive, an exit without its Sortie row) is a
  **sortie sans suite**, so that

      en parcours au 31/12/N-1 + entrées(N) − sorties(N) = en parcours au 31/12/N

  holds exactly, by construction: :func:`verifier_invariant` checks it on every flow table;
- ``sorties_par_categorie`` gives the same exits by the PLIE's own category
  (``sortie.type.categorie``), création d'entreprise on its own line (``000`` l.1653-1655:
  « 48 % = 42 % emploi + 5 % formation + 1 % création »), a positive category only once
  validated, ``non_validee`` for the rest (an unvalidated positive, no Sortie row).
"""

import datetime
from dataclasses import dataclass

from django.db import connections
from django.db.models import Count, DurationField, ExpressionWrapper, F, OuterRef, Q, Subquery, Sum, Value
from django.db.models.functions import Coalesce, Greatest, Least, TruncMonth

from parcours.enums import (
    CATEGORIES_POSITIVES,
    CLASSES_POSITIVES,
    CategorieSortie,
    ClasseNationale,
    ModeEntretien,
)
from parcours.models import Entretien, Etape
from plie.core.routers import read_alias
from reporting import indicateurs
from reporting.selectors import categories_participant, decoder_categories, faits_situation_entree

UN_JOUR = datetime.timedelta(days=1)


@dataclass(frozen=True)
class Periode:
    """A period of days, both ends included: a civil year, a month, or any range."""

    debut: datetime.date
    fin: datetime.date

    def __post_init__(self):
        if self.fin < self.debut:
            raise ValueError("La fin de la période précède son début.")

    @classmethod
    def annee(cls, annee):
        return cls(datetime.date(annee, 1, 1), datetime.date(annee, 12, 31))

    @classmethod
    def mois(cls, annee, mois):
        suivant = datetime.date(annee + mois // 12, mois % 12 + 1, 1)
        return cls(datetime.date(annee, mois, 1), suivant - UN_JOUR)

    @property
    def veille(self):
        """The day before the period (31/12/N-1 for the year N): the starting stock's day."""
        return self.debut - UN_JOUR

    def mois_couverts(self):
        """The calendar months the period touches, each cut to the period: [(« AAAA-MM », Periode)]."""
        months = []
        debut = self.debut
        while debut <= self.fin:
            mois = Periode.mois(debut.year, debut.month)
            months.append((f"{debut:%Y-%m}", Periode(debut, min(mois.fin, self.fin))))
            debut = mois.fin + UN_JOUR
        return months


# --- Conditions on a parcours (``prefix="parcours__"`` from an Entretien or an Etape) ----------


# The exit date a report counts by (``reporting.regles_comptage``): ``date_sortie`` (the PLIE
# bilan: set once the exit is validated) or ``DATE_SORTIE_ENREGISTREE`` (the Département's
# monthly report: the recorded exit's date as soon as it is recorded, see
# :func:`avec_sortie_enregistree`).
DATE_SORTIE = "date_sortie"
DATE_SORTIE_ENREGISTREE = "date_sortie_enregistree"


def avec_sortie_enregistree(parcours):
    """``parcours`` annotated with ``date_sortie_enregistree``: ``Parcours.date_sortie`` when set
    (a validated exit, or an imported exit date), else the date of its recorded
    :class:`~parcours.models.Sortie` (a proposed exit not withdrawn: a withdrawn exit's row is
    deleted), else empty."""
    return parcours.annotate(**{DATE_SORTIE_ENREGISTREE: Coalesce("date_sortie", "sortie__date_sortie")})


def en_parcours_le(jour, prefix="", sortie=DATE_SORTIE):
    """In parcours on ``jour``: entered on or before it, not exited on or before it."""
    return Q(**{f"{prefix}date_entree__lte": jour}) & (
        Q(**{f"{prefix}{sortie}__isnull": True}) | Q(**{f"{prefix}{sortie}__gt": jour})
    )


def en_parcours_pendant(periode, prefix="", sortie=DATE_SORTIE):
    """In parcours at some point of the period (stock at its start + its entrées)."""
    return Q(**{f"{prefix}date_entree__lte": periode.fin}) & (
        Q(**{f"{prefix}{sortie}__isnull": True}) | Q(**{f"{prefix}{sortie}__gte": periode.debut})
    )


def entre_pendant(periode, prefix=""):
    return Q(**{f"{prefix}date_entree__range": (periode.debut, periode.fin)})


def sorti_pendant(periode, prefix="", sortie=DATE_SORTIE):
    return Q(**{f"{prefix}{sortie}__range": (periode.debut, periode.fin)})


def sortie_de_categorie(periode, categorie, sortie=DATE_SORTIE):
    """Exited in the period with an exit of ``categorie``; a positive category only once the
    exit is validated (the SQL form of ``parcours.sorties.compte_comme_positive``)."""
    condition = sorti_pendant(periode, sortie=sortie) & Q(sortie__type__categorie=categorie)
    if categorie in CATEGORIES_POSITIVES:
        condition &= Q(sortie__validee=True)
    return condition


def sortie_de_classe(periode, classe, sortie=DATE_SORTIE):
    """Exited in the period with an exit of the national ``classe``; a positive class only once
    the exit is validated."""
    condition = sorti_pendant(periode, sortie=sortie) & Q(sortie__type__classe_nationale=classe)
    if classe in CLASSES_POSITIVES:
        condition &= Q(sortie__validee=True)
    return condition


def sortie_positive(periode):
    """A validated exit of a positive class (the PLIE's positive categories are exactly the
    positive classes: ``parcours.referentiels.classe_nationale_errors``)."""
    return sorti_pendant(periode) & Q(
        sortie__type__classe_nationale__in=CLASSES_POSITIVES, sortie__validee=True
    )


def compteurs_categories(periode, sortie=DATE_SORTIE):
    """``{"categorie_<categorie>": Count}``: the exits of the period by the PLIE's category."""
    return {
        f"categorie_{categorie}": Count("pk", filter=sortie_de_categorie(periode, categorie, sortie))
        for categorie in CategorieSortie.values
    }


DUREE_PARCOURS = ExpressionWrapper(F("date_sortie") - F("date_entree"), output_field=DurationField())


def compteurs_par_valeur(periode):
    """The counts each breakdown value gets (docs/domaine.md §7, ``001`` l.540–575)."""
    return {
        "entrees": Count("pk", filter=entre_pendant(periode)),
        "sorties": Count("pk", filter=sorti_pendant(periode)),
        "sorties_positives": Count("pk", filter=sortie_positive(periode)),
        "abandons": Count("pk", filter=sortie_de_classe(periode, ClasseNationale.ABANDON)),
    }


# --- The flow table -----------------------------------------------------------------------------


class FluxIncoherent(AssertionError):
    """stock + entrées − sorties ≠ stock: the data breaks the flow table's definitions."""


def compter(perimetre, periode, *, sorties_enregistrees=False):
    """Every count of the flow table and the exited parcours' total duration (one query).

    ``sorties_enregistrees``: date the exits by :data:`DATE_SORTIE_ENREGISTREE` (the monthly
    report's rule, ``reporting.regles_comptage``) and count, in ``en_cours_validation``, the
    recorded exits of a positive category not validated yet (they are neither positive nor
    « sans suite » there); otherwise ``Parcours.date_sortie`` (validated exits only) and
    ``en_cours_validation`` is 0."""
    parcours = perimetre.parcours()
    champ = DATE_SORTIE
    en_cours = {}
    if sorties_enregistrees:
        parcours, champ = avec_sortie_enregistree(parcours), DATE_SORTIE_ENREGISTREE
        en_cours["en_cours_validation"] = Count(
            "pk",
            filter=sorti_pendant(periode, sortie=champ)
            & Q(sortie__validee=False, sortie__type__categorie__in=CATEGORIES_POSITIVES),
        )
    return parcours.aggregate(
        **compteurs_flux(periode, sortie=champ),
        **en_cours,
        duree_sorties=Sum(DUREE_PARCOURS, filter=sorti_pendant(periode)),
    )


def compteurs_flux(periode, sortie=DATE_SORTIE):
    """The counts of the flow table (:func:`flux_depuis` reads them): stocks, entries, exits by
    national class and by the PLIE's category; exits dated by the field ``sortie``
    (:data:`DATE_SORTIE`, or :data:`DATE_SORTIE_ENREGISTREE` once annotated)."""
    return {
        "en_parcours_debut": Count("pk", filter=en_parcours_le(periode.veille, sortie=sortie)),
        "entrees": Count("pk", filter=entre_pendant(periode)),
        "en_parcours_pendant": Count("pk", filter=en_parcours_pendant(periode, sortie=sortie)),
        "sorties": Count("pk", filter=sorti_pendant(periode, sortie=sortie)),
        "emploi_durable": Count(
            "pk", filter=sortie_de_classe(periode, ClasseNationale.EMPLOI_DURABLE, sortie)
        ),
        "qualifiante": Count("pk", filter=sortie_de_classe(periode, ClasseNationale.QUALIFIANTE, sortie)),
        "positive_autre": Count(
            "pk", filter=sortie_de_classe(periode, ClasseNationale.POSITIVE_AUTRE, sortie)
        ),
        "abandons": Count("pk", filter=sortie_de_classe(periode, ClasseNationale.ABANDON, sortie)),
        "neutralisees": Count(
            "pk", filter=sortie_de_classe(periode, ClasseNationale.DEMENAGEMENT_DECES_RETRAITE, sortie)
        ),
        "en_parcours_fin": Count("pk", filter=en_parcours_le(periode.fin, sortie=sortie)),
        **compteurs_categories(periode, sortie),
    }


def flux_depuis(compteurs):
    """The flow table (the bilan's ``flux``) from :func:`compter`'s counts, invariant checked.

    - sorties positives = emploi durable + qualifiante + autres positives (validated only);
    - sorties sans suite = sorties − sorties positives, split into abandons, neutralisées
      (déménagements, décès, retraites only) and autres (réorientation, santé, non-respect du
      contrat d'engagement, incarcération, maternité, other, and any exit whose type is unknown
      or whose positive exit is not validated);
    - ``sorties_par_categorie``: the exits by the PLIE's category (``non_validee``: the rest)."""
    c = compteurs
    positives = c["emploi_durable"] + c["qualifiante"] + c["positive_autre"]
    en_cours = c.get("en_cours_validation", 0)
    sans_suite = c["sorties"] - positives - en_cours
    flux = {
        "en_parcours_debut": c["en_parcours_debut"],
        "entrees": c["entrees"],
        "en_parcours_annee": c["en_parcours_debut"] + c["entrees"],
        "sorties_positives": {
            "total": positives,
            "emploi_durable": c["emploi_durable"],
            "qualifiante": c["qualifiante"],
            "autres": c["positive_autre"],
        },
        "sorties_sans_suite": {
            "total": sans_suite,
            "abandons": c["abandons"],
            "neutralisees": c["neutralisees"],
            "autres": sans_suite - c["abandons"] - c["neutralisees"],
        },
        "en_parcours_fin": c["en_parcours_fin"],
        "sorties_par_categorie": par_categorie(c),
    }
    if "en_cours_validation" in c:  # the monthly report's rule: recorded, not validated yet
        flux["sorties_en_cours_validation"] = en_cours
    if c["en_parcours_pendant"] != flux["en_parcours_annee"]:
        raise FluxIncoherent(
            f"En parcours pendant la période : {c['en_parcours_pendant']} compté, "
            f"{flux['en_parcours_annee']} attendu (stock + entrées)."
        )
    verifier_invariant(flux)
    return flux


def par_categorie(compteurs):
    """``{categorie: n, …, "non_validee": n}`` from :func:`compteurs_flux`'s counts (a count
    missing from ``compteurs``, as in an older stored version, is 0)."""
    resultat = {categorie: compteurs.get(f"categorie_{categorie}", 0) for categorie in CategorieSortie.values}
    resultat[NON_VALIDEE] = compteurs["sorties"] - sum(resultat.values())
    return resultat


NON_VALIDEE = "non_validee"


def verifier_invariant(flux):
    """en parcours au début + entrées − sorties = en parcours à la fin, exactly (docs/domaine.md §7:
    « Stock(N-1) + entries − exits = stock(N), exactly »). Raises :class:`FluxIncoherent`
    (an explicit check, not an ``assert`` that ``python -O`` would drop)."""
    sorties = indicateurs.total_sorties(flux)
    attendu = flux["en_parcours_debut"] + flux["entrees"] - sorties
    if attendu != flux["en_parcours_fin"]:
        raise FluxIncoherent(
            f"Flux incohérent : {flux['en_parcours_debut']} + {flux['entrees']} − {sorties} "
            f"= {attendu}, mais {flux['en_parcours_fin']} en parcours à la fin."
        )
    return flux


def flux_annuel(perimetre, periode):
    """The flow table of ``perimetre`` over ``periode`` (one query)."""
    return flux_depuis(compter(perimetre, periode))


# --- Breakdowns (one grouped query per source) --------------------------------------------------

# The cube's keys: sexe, tranche d'âge and QPV travel packed in ``categories``
# (:func:`reporting.selectors.categories_participant`), DELD, BRSA, TH and the niveau de formation
# in ``faits_entree``.
CATEGORIES_PUBLIQUES = ("sexe", "tranche_age", "qpv", "faits_entree")


def lignes_categories(perimetre, periode):
    """The counts of :func:`compteurs_par_valeur` grouped by every public category at once (a
    cube of at most a few thousand rows, whatever the number of participants), over the parcours
    that entered or exited in the period: rows of :data:`CATEGORIES_PUBLIQUES` and the counts.

    The participant's categories come from a correlated subquery on its primary key
    (:func:`~reporting.selectors.categories_participant`), not a join: a join let PostgreSQL
    scan every participant of every PLIE for the year's few thousand parcours (issue 17: ~215 ms
    at 300,000 participants)."""
    parcours = perimetre.parcours().filter(entre_pendant(periode) | sorti_pendant(periode))
    rows = (
        parcours.annotate(categories=categories_participant(), faits_entree=faits_situation_entree())
        .values("categories", "faits_entree")
        .annotate(**compteurs_par_valeur(periode))
        .order_by()
    )
    return [{**decoder_categories(row.pop("categories")), **row} for row in rows]


def lignes_referents(perimetre, periode):
    """Per référent (the parcours' current one) over the parcours in parcours during the period:
    the breakdown counts and, for each month the period touches, the participants in parcours
    during that month (``m0``, ``m1``…, in the order of ``periode.mois_couverts()``)."""
    mensuels = {
        f"m{i}": Count("pk", filter=en_parcours_pendant(mois))
        for i, (_, mois) in enumerate(periode.mois_couverts())
    }
    return list(
        perimetre.parcours()
        .filter(en_parcours_pendant(periode))
        .values("referent_id", "referent__first_name", "referent__last_name", "referent__email")
        .annotate(**compteurs_par_valeur(periode), **mensuels)
        .order_by()
    )


REFERENT = ("referent_id", "referent__first_name", "referent__last_name", "referent__email")
PRESCRIPTEUR = ("prescripteur_id", "prescripteur__nom")


def compter_et_repartir(perimetre, periode):
    """``(compteurs, lignes_referents, lignes_prescripteurs)``: :func:`compter`'s counts and the
    rows of :func:`lignes_referents` and :func:`lignes_prescripteurs`, the same values, from
    **one** query instead of three (issue 17: one scan of the PLIE's parcours).

    The parcours in parcours during the period are grouped by (référent, prescripteur) with every
    count as a conditional aggregate (a few hundred groups, whatever the number of participants),
    then rolled up here: all groups for the flow table, per référent, per prescripteur. Every
    count of :func:`compter` implies being in parcours during the period (an exit dates after
    the entry: ``parcours_sortie_after_entree``), so restricting the rows to them changes no
    figure; a prescripteur keeps only its parcours entered or exited in the period
    (``entre_ou_sorti``), as :func:`lignes_prescripteurs` does."""
    flux = compteurs_flux(periode)
    par_valeur = compteurs_par_valeur(periode)
    mensuels = {
        f"m{i}": Count("pk", filter=en_parcours_pendant(mois))
        for i, (_, mois) in enumerate(periode.mois_couverts())
    }
    rows = list(
        perimetre.parcours()
        .filter(en_parcours_pendant(periode))
        .values(*REFERENT, *PRESCRIPTEUR)
        .annotate(
            **flux,
            duree_sorties=Sum(DUREE_PARCOURS, filter=sorti_pendant(periode)),
            v_sorties_positives=par_valeur["sorties_positives"],
            entre_ou_sorti=Count("pk", filter=entre_pendant(periode) | sorti_pendant(periode)),
            **mensuels,
        )
        .order_by()
    )
    compteurs = {key: sum(row[key] for row in rows) for key in flux}
    durees = [row["duree_sorties"] for row in rows if row["duree_sorties"] is not None]
    compteurs["duree_sorties"] = sum(durees, datetime.timedelta()) if durees else None
    referents, prescripteurs = {}, {}
    for row in rows:
        valeurs = {
            "entrees": row["entrees"],
            "sorties": row["sorties"],
            "sorties_positives": row["v_sorties_positives"],
            "abandons": row["abandons"],
        }
        ligne = referents.setdefault(
            row["referent_id"],
            {
                **{key: row[key] for key in REFERENT},
                **dict.fromkeys(valeurs, 0),
                **dict.fromkeys(mensuels, 0),
            },
        )
        for key, valeur in valeurs.items():
            ligne[key] += valeur
        for key in mensuels:
            ligne[key] += row[key]
        if row["entre_ou_sorti"]:
            ligne = prescripteurs.setdefault(
                row["prescripteur_id"],
                {**{key: row[key] for key in PRESCRIPTEUR}, **dict.fromkeys(valeurs, 0)},
            )
            for key, valeur in valeurs.items():
                ligne[key] += valeur
    return compteurs, list(referents.values()), list(prescripteurs.values())


def lignes_prescripteurs(perimetre, periode):
    return list(
        perimetre.parcours()
        .filter(entre_pendant(periode) | sorti_pendant(periode))
        .values("prescripteur_id", "prescripteur__nom")
        .annotate(**compteurs_par_valeur(periode))
        .order_by()
    )


# --- Étapes -------------------------------------------------------------------------------------


def etape_pendant(periode):
    """An étape running during the period (an étape without an end date is still running; a
    cancelled one never ran)."""
    return (
        Q(annulee=False)
        & Q(date_debut__lte=periode.fin)
        & (Q(date_fin__isnull=True) | Q(date_fin__gte=periode.debut))
    )


def lignes_etapes(perimetre, periode):
    """Per step category: the étapes running during the period of the parcours in parcours
    during it, those started in it, and the participants who had one (one query)."""
    return list(
        Etape.objects.filter(
            perimetre.q("parcours__"), en_parcours_pendant(periode, "parcours__"), etape_pendant(periode)
        )
        .values("type__categorie")
        .annotate(
            etapes=Count("pk"),
            debutees=Count("pk", filter=Q(date_debut__range=(periode.debut, periode.fin))),
            participants=Count("parcours_id", distinct=True),
        )
        .order_by()
    )


def lignes_etape_principale(perimetre, periode):
    """Participants in parcours during the period by **main step category**: the category of
    their étape with the most days within the period (ties: the latest started, then the latest
    created). Those with no étape are not in the rows (participants in parcours − the rows'
    total). docs/domaine.md §7 « distribution of participants by main step type », ``001`` l.712–730.

    One query: each parcours in parcours during the period gets the category of its main étape
    (a correlated subquery ordered by days in the period), and the parcours are counted per
    category. (Grouping the ranked étapes themselves counted one row per category: the window
    was computed after the grouping.)"""
    jours_dans_periode = ExpressionWrapper(
        Least(Coalesce("date_fin", Value(periode.fin)), Value(periode.fin))
        - Greatest("date_debut", Value(periode.debut)),
        output_field=DurationField(),
    )
    principale = (
        Etape.objects.filter(parcours_id=OuterRef("pk"))
        .filter(etape_pendant(periode))
        .annotate(jours=jours_dans_periode)
        .order_by(F("jours").desc(), F("date_debut").desc(), F("pk").desc())
        .values("type__categorie")[:1]
    )
    rows = (
        perimetre.parcours()
        .filter(en_parcours_pendant(periode))
        .annotate(categorie=Subquery(principale))
        .values("categorie")
        .annotate(participants=Count("pk"))
        .order_by()
    )
    # those without étape (the NULL group) dropped here: filtering on the subquery in SQL ran
    # it a second time for every parcours (issue 17)
    return [row for row in rows if row["categorie"] is not None]


def lignes_etapes_et_principale(perimetre, periode):
    """``(lignes_etapes, lignes_etape_principale)``: both étapes sections in one query on
    PostgreSQL (:func:`lignes_etapes_postgresql`), else the two ORM queries."""
    connection = connections[read_alias()]
    if connection.vendor == "postgresql":
        return lignes_etapes_postgresql(perimetre, periode, connection)
    return lignes_etapes(perimetre, periode), lignes_etape_principale(perimetre, periode)


def _perimetre_sql(perimetre, alias="p"):
    """The conditions of :meth:`Perimetre.q` on ``alias`` (a ``parcours_parcours``) with their
    named parameters, for the hand-written queries below."""
    conditions = [f"{alias}.plie_id = ANY(%(plies)s)", f"{alias}.date_entree IS NOT NULL"]
    params = {"plies": sorted(perimetre.plie_ids)}
    for column, value in (
        ("referent_id", perimetre.referent_id),
        ("prescripteur_id", perimetre.prescripteur_id),
    ):
        if value is not None:
            conditions.append(f"{alias}.{column} = %({column})s")
            params[column] = value
    return " AND ".join(conditions), params


ETAPES_SQL = """
WITH e AS MATERIALIZED (
    SELECT p.id AS parcours_id, t.categorie, e.id, e.date_debut,
           LEAST(COALESCE(e.date_fin, %(fin)s), %(fin)s) - GREATEST(e.date_debut, %(debut)s) AS jours
    FROM parcours_parcours p
    CROSS JOIN LATERAL (
        SELECT e.id, e.type_id, e.date_debut, e.date_fin FROM parcours_etape e
        WHERE e.parcours_id = p.id AND NOT e.annulee AND e.date_debut <= %(fin)s
          AND (e.date_fin IS NULL OR e.date_fin >= %(debut)s)
        OFFSET 0
    ) e
    JOIN parcours_typeetape t ON t.id = e.type_id
    WHERE {perimetre} AND p.date_entree <= %(fin)s AND (p.date_sortie IS NULL OR p.date_sortie >= %(debut)s)
)
SELECT FALSE AS principale, categorie, COUNT(*)::integer AS etapes,
       COUNT(*) FILTER (WHERE date_debut >= %(debut)s)::integer AS debutees,
       COUNT(DISTINCT parcours_id)::integer AS participants
FROM e GROUP BY categorie
UNION ALL
SELECT TRUE, categorie, 0, 0, COUNT(*)::integer
FROM (SELECT DISTINCT ON (parcours_id) parcours_id, categorie FROM e
      ORDER BY parcours_id, jours DESC, date_debut DESC, id DESC) principales
GROUP BY categorie
"""


def lignes_etapes_postgresql(perimetre, periode, connection):
    """:func:`lignes_etapes` and :func:`lignes_etape_principale`'s rows from one query (issue 17):
    the étapes running during the period are read parcours by parcours on the index
    ``etape (parcours_id)`` (``LATERAL … OFFSET 0`` keeps the nested loop: a join let the
    planner scan every étape of every PLIE), once, then counted per category and, for the main
    category, each parcours' first étape by days in the period, latest start, latest created
    (``DISTINCT ON``, the order of :func:`lignes_etape_principale`'s subquery). An étape started
    during the period is one with ``date_debut ≥ debut`` (it runs during it: ``date_debut ≤ fin``)."""
    conditions, params = _perimetre_sql(perimetre)
    etapes, principale = [], []
    with connection.cursor() as cursor:
        params.update(debut=periode.debut, fin=periode.fin)
        cursor.execute(ETAPES_SQL.replace("{perimetre}", conditions), params)
        for est_principale, categorie, n_etapes, debutees, participants in cursor.fetchall():
            if est_principale:
                principale.append({"categorie": categorie, "participants": participants})
            else:
                etapes.append(
                    {
                        "type__categorie": categorie,
                        "etapes": n_etapes,
                        "debutees": debutees,
                        "participants": participants,
                    }
                )
    return etapes, principale


# --- Intensity of accompaniment -----------------------------------------------------------------


def entretiens_de(perimetre, periode):
    """Entretiens of the period held while the parcours was in parcours (from its entry to its
    exit day included): the diagnostic before admission and the follow-up after exit are not
    accompaniment."""
    return Entretien.objects.filter(
        perimetre.q("parcours__"),
        Q(date__range=(periode.debut, periode.fin)),
        Q(parcours__date_entree__lte=F("date")),
        Q(parcours__date_sortie__isnull=True) | Q(parcours__date_sortie__gte=F("date")),
    )


def intensite_entretiens(perimetre, periode):
    """``(par_referent_mois, modes)``: ``{(référent id, i): (entretiens, participants met)}`` for
    the i-th month of ``periode.mois_couverts()`` (the référent of the parcours; pairs with no
    entretien may be absent) and ``{mode: entretiens}`` over the period, of the entretiens of
    :func:`entretiens_de`. On PostgreSQL :func:`intensite_entretiens_postgresql`, elsewhere rolled
    up from :func:`lignes_entretiens_orm`'s rows (:func:`intensite_depuis_lignes`)."""
    connection = connections[read_alias()]
    if connection.vendor == "postgresql":
        return intensite_entretiens_postgresql(perimetre, periode, connection)
    return intensite_depuis_lignes(periode, lignes_entretiens_orm(perimetre, periode))


def intensite_depuis_lignes(periode, lignes):
    """:func:`intensite_entretiens`'s value from the rows of :func:`lignes_entretiens_orm`."""
    index = {cle: i for i, (cle, _) in enumerate(periode.mois_couverts())}
    par_referent_mois = {}
    for ligne in lignes:
        cle = (ligne["parcours__referent_id"], index[f"{ligne['mois']:%Y-%m}"])
        entretiens, participants = par_referent_mois.get(cle, (0, 0))
        par_referent_mois[cle] = (entretiens + ligne["entretiens"], participants + ligne["participants"])
    modes = {mode: sum(ligne[f"mode_{mode}"] for ligne in lignes) for mode in ModeEntretien.values}
    return par_referent_mois, modes


INTENSITE_SQL = """
SELECT p.referent_id, {mois}, {sommes}
FROM parcours_parcours p
CROSS JOIN LATERAL (
    SELECT {cumuls}, {modes}
    FROM parcours_entretien e
    WHERE e.parcours_id = p.id AND e.date BETWEEN %(debut)s AND %(fin)s AND e.date >= p.date_entree
      AND (p.date_sortie IS NULL OR e.date <= p.date_sortie)
) c
WHERE {perimetre} AND p.date_entree <= %(fin)s AND (p.date_sortie IS NULL OR p.date_sortie >= %(debut)s)
GROUP BY 1
"""


def intensite_entretiens_postgresql(perimetre, periode, connection):
    """:func:`intensite_entretiens` in one query (issue 17, ~1.6× faster than grouping each
    parcours' entretiens by month): for each parcours of the scope in parcours during the period,
    its entretiens of the period held while in parcours are read on the index
    ``(parcours_id, date) INCLUDE (mode)`` into one row of running counts, ``c<i>`` = those up to
    the end of the i-th month (no sort, no grouping per parcours); the month's entretiens are
    ``c<i> − c<i−1>``, and the parcours was met that month when it is above 0. Summed per
    référent."""
    mois = periode.mois_couverts()
    params = {"debut": periode.debut, "fin": periode.fin}
    cumuls, par_mois = [], []
    for i, (_, m) in enumerate(mois):
        params[f"fin{i}"] = m.fin
        cumuls.append(f"COUNT(*) FILTER (WHERE e.date <= %(fin{i})s) AS c{i}")
        avant = f"c.c{i - 1}" if i else "0"
        par_mois.append(f"SUM(c.c{i} - {avant})::integer, COUNT(*) FILTER (WHERE c.c{i} > {avant})::integer")
    modes = list(ModeEntretien.values)
    for j, mode in enumerate(modes):
        params[f"mode{j}"] = mode
    conditions, perimetre_params = _perimetre_sql(perimetre)
    params.update(perimetre_params)
    sql = INTENSITE_SQL.format(
        mois=", ".join(par_mois),
        sommes=", ".join(f"SUM(c.mode{j})::integer" for j in range(len(modes))),
        cumuls=", ".join(cumuls),
        modes=", ".join(
            f"COUNT(*) FILTER (WHERE e.mode = %(mode{j})s) AS mode{j}" for j in range(len(modes))
        ),
        perimetre=conditions,
    )
    par_referent_mois, totaux = {}, dict.fromkeys(modes, 0)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        for referent_id, *valeurs in cursor.fetchall():
            for i in range(len(mois)):
                entretiens, participants = valeurs[2 * i], valeurs[2 * i + 1]
                if entretiens:
                    par_referent_mois[(referent_id, i)] = (entretiens, participants)
            for mode, n in zip(modes, valeurs[2 * len(mois) :], strict=True):
                totaux[mode] += n
    return par_referent_mois, totaux


def lignes_entretiens_orm(perimetre, periode):
    """Per (référent of the parcours, month): the entretiens of :func:`entretiens_de`, those of
    each mode (``mode_<mode>``) and the distinct participants met (one query, any database)."""
    par_mode = {f"mode_{mode}": Count("pk", filter=Q(mode=mode)) for mode in ModeEntretien.values}
    return list(
        entretiens_de(perimetre, periode)
        .annotate(mois=TruncMonth("date"))
        .values("parcours__referent_id", "mois")
        .annotate(entretiens=Count("pk"), participants=Count("parcours_id", distinct=True), **par_mode)
        .order_by()
    )
