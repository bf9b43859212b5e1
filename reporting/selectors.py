"""Scoped reads for the reports: which parcours a report counts (:class:`Perimetre`), and the
public categories of each parcours computed **in SQL** (:func:`avec_categories`).

A report's scope is a set of PLIE ids taken from ``scope.plie_ids``: figures only, so
a financeur gets them too (aggregates, never a participant), optionally narrowed to one référent
or one prescripteur. Only admitted parcours count: a candidate never admitted has no
``date_entree`` and is in no report."""

from dataclasses import dataclass

from django.db.models import (
    Case,
    CharField,
    ExpressionWrapper,
    F,
    IntegerField,
    OuterRef,
    Q,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import ExtractDay, ExtractMonth, ExtractYear
from django.db.models.lookups import LessThan

from parcours.models import Parcours
from participants.categories import AGE_JEUNE, AGE_SENIOR, AGE_SENIOR_PLUS, DELD_MOIS
from participants.enums import NiveauFormation, Sexe, StatutEmploi
from participants.models import Participant, SituationEntree
from plie.core.models import Structure


@dataclass(frozen=True)
class Perimetre:
    """What a report counts: the parcours of ``plie_ids``, optionally of one référent (the
    parcours' current référent) and/or one prescripteur."""

    plie_ids: frozenset
    referent_id: int | None = None
    prescripteur_id: int | None = None

    def q(self, prefix=""):
        """The condition on a parcours (``prefix="parcours__"`` from an Entretien or an Etape)."""
        condition = Q(**{f"{prefix}plie_id__in": self.plie_ids, f"{prefix}date_entree__isnull": False})
        if self.referent_id is not None:
            condition &= Q(**{f"{prefix}referent_id": self.referent_id})
        if self.prescripteur_id is not None:
            condition &= Q(**{f"{prefix}prescripteur_id": self.prescripteur_id})
        return condition

    def parcours(self):
        """The admitted parcours of the scope, unordered (ready for aggregation)."""
        return Parcours.objects.filter(self.q()).order_by()


def perimetre_for(scope, plie_ids=None, *, referent_id=None, prescripteur_id=None):
    """The :class:`Perimetre` of ``scope``: the PLIE whose figures they may see (``plie_ids``
    narrows it, never widens it)."""
    visibles = scope.plie_ids
    ids = visibles if plie_ids is None else visibles & frozenset(plie_ids)
    return Perimetre(frozenset(ids), referent_id=referent_id, prescripteur_id=prescripteur_id)


def plie_visible(scope, code):
    """The PLIE ``code`` if ``scope`` may see its figures, else ``None`` (one query, the scope
    aside)."""
    return Structure.objects.plies().filter(code=code, id__in=scope.plie_ids).first()


# --- Public categories at entry, in SQL --------------------------------------------------------
# The same rules as participants.categories.categories_publiques (tests/reporting/
# test_categories_sql.py checks both agree on a table of cases):
# - age at the parcours' entry date, in whole years (a birthday on 29 February counts from 1 March);
#   jeune < 26, senior ≥ 45, « plus de 54 ans » > 54;
# - DELD: Q1 « non » (no job), actively seeking (1f) for 12 months or more (1g);
# - BRSA: minima sociaux (Q4) and RSA; TH: officially recognised disability (Q3);
# - QPV: the participant's address; niveau de formation: Q2 (2a…2d);
# - a fact not recorded is unknown (None), never « non ».
# The facts come from the participant's SituationEntree whose date_entree is the parcours' entry
# date, or else the latest one before it (a participant who re-enters has one per entry).

TRANCHE_MOINS_26 = "moins_26"
TRANCHE_26_44 = "26_44"
TRANCHE_45_54 = "45_54"
TRANCHE_55_PLUS = "55_plus"


def _mois_jour(field):
    return ExtractMonth(field) * 100 + ExtractDay(field)


def age_entree(date_entree, date_naissance):
    """Age in whole years on ``date_entree`` of someone born on ``date_naissance`` (two fields
    or outer references)."""
    return (
        ExtractYear(date_entree)
        - ExtractYear(date_naissance)
        - Case(
            When(LessThan(_mois_jour(date_entree), _mois_jour(date_naissance)), then=Value(1)),
            default=Value(0),
            output_field=IntegerField(),
        )
    )


AGE_ENTREE = age_entree("date_entree", "participant__date_naissance")

# The age bands over an ``age_entree`` annotation, first match wins (no age: no band).
BANDES_AGE = (
    (Q(age_entree__lt=AGE_JEUNE), TRANCHE_MOINS_26),
    (Q(age_entree__lt=AGE_SENIOR), TRANCHE_26_44),
    (Q(age_entree__lte=AGE_SENIOR_PLUS), TRANCHE_45_54),
)


def _tranche_age(valeur, sans_age, output_field):
    """The band of ``age_entree`` as ``valeur(band)`` (``sans_age`` without an age)."""
    return Case(
        When(age_entree__isnull=True, then=Value(sans_age)),
        *(When(condition, then=Value(valeur(tranche))) for condition, tranche in BANDES_AGE),
        default=Value(valeur(TRANCHE_55_PLUS)),
        output_field=output_field,
    )


TRANCHE_AGE = _tranche_age(lambda tranche: tranche, None, CharField())

# The facts of the situation at entry, over a SituationEntree row, as one digit each
# (OUI / NON / INCONNU; the niveau 1…4 for 2a…2d, 0 unknown) packed into one integer: a single
# correlated subquery per parcours instead of four (cheaper, and it keeps the bilan's cube query
# under PostgreSQL's JIT thresholds). :func:`decoder_faits` unpacks it.
OUI, NON, INCONNU = 2, 1, 0
NIVEAUX = {code: rang for rang, code in enumerate(NiveauFormation.values, start=1)}

DELD = Case(
    When(statut_emploi="", then=Value(INCONNU)),
    When(~Q(statut_emploi=StatutEmploi.SANS_EMPLOI) | Q(recherche_emploi=False), then=Value(NON)),
    When(Q(recherche_emploi__isnull=True) | Q(duree_recherche_mois__isnull=True), then=Value(INCONNU)),
    When(duree_recherche_mois__gte=DELD_MOIS, then=Value(OUI)),
    default=Value(NON),
)
BRSA = Case(
    When(minima_sociaux__isnull=True, then=Value(INCONNU)),
    When(minima_sociaux=True, beneficiaire_rsa=True, then=Value(OUI)),
    default=Value(NON),
)
TH = Case(
    When(handicap_reconnu=True, then=Value(OUI)),
    When(handicap_reconnu=False, then=Value(NON)),
    default=Value(INCONNU),
)
NIVEAU = Case(
    *(When(niveau_formation=code, then=Value(rang)) for code, rang in NIVEAUX.items()),
    default=Value(0),
)
FAITS = ExpressionWrapper(DELD * 1000 + BRSA * 100 + TH * 10 + NIVEAU, output_field=IntegerField())

_TROIS_ETATS = {OUI: True, NON: False, INCONNU: None}
_NIVEAUX_PAR_RANG = {rang: code for code, rang in NIVEAUX.items()}


def decoder_faits(code):
    """``{"deld", "brsa", "th": True / False / None, "niveau_formation": "2a"… or ""}`` from the
    packed facts (``None``: no situation at entry recorded, everything unknown)."""
    code = code or 0
    return {
        "deld": _TROIS_ETATS[code // 1000 % 10],
        "brsa": _TROIS_ETATS[code // 100 % 10],
        "th": _TROIS_ETATS[code // 10 % 10],
        "niveau_formation": _NIVEAUX_PAR_RANG.get(code % 10, ""),
    }


def faits_situation_entree():
    """The packed facts of the situation at entry of the outer parcours: the participant's
    situation dated the entry day, or else the latest one before it (a correlated subquery on the
    (participant, date_entree) unique index, which also makes the order total)."""
    situations = (
        SituationEntree.objects.filter(
            participant_id=OuterRef("participant_id"), date_entree__lte=OuterRef("date_entree")
        )
        .order_by("-date_entree")
        .annotate(faits=FAITS)
        .values("faits")[:1]
    )
    return Subquery(situations, output_field=IntegerField())


def avec_categories(parcours):
    """``parcours`` annotated with the public categories at entry: ``sexe``, ``age_entree``,
    ``tranche_age`` (moins_26, 26_44, 45_54, 55_plus), ``qpv`` (True / False / None) and
    ``faits_entree``, the packed DELD / BRSA / TH / niveau de formation (:func:`decoder_faits`)."""
    return parcours.annotate(age_entree=AGE_ENTREE).annotate(
        sexe=F("participant__sexe"),
        tranche_age=TRANCHE_AGE,
        qpv=F("participant__qpv"),
        faits_entree=faits_situation_entree(),
    )


# --- The participant's categories, packed --------------------------------------------------------
# sexe, tranche d'âge at the parcours' entry and QPV as three digits of one integer (0: unknown),
# read by one correlated subquery per parcours on the participant's primary key: the bilan's
# cube reads only the participants of the year's parcours instead of joining (and scanning) every
# participant of every PLIE (issue 17). :func:`decoder_categories` unpacks it.

SEXES = {code: rang for rang, code in enumerate(Sexe.values, start=1)}
TRANCHES = {
    tranche: rang
    for rang, tranche in enumerate((TRANCHE_MOINS_26, TRANCHE_26_44, TRANCHE_45_54, TRANCHE_55_PLUS), start=1)
}
_SEXES_PAR_RANG = {rang: code for code, rang in SEXES.items()}
_TRANCHES_PAR_RANG = {rang: tranche for tranche, rang in TRANCHES.items()}


def _rang(field, rangs):
    whens = (When(**{field: value}, then=Value(rang)) for value, rang in rangs.items())
    return Case(*whens, default=Value(0))


def categories_participant():
    """The packed categories (sexe × 100 + tranche d'âge × 10 + QPV) of the outer parcours'
    participant: the rules of :func:`avec_categories` (:data:`BANDES_AGE` over the age at the
    parcours' entry date; QPV ``True`` / ``False`` / ``None``)."""
    participant = (
        Participant.objects.filter(pk=OuterRef("participant_id"))
        .order_by()
        .annotate(age_entree=age_entree(OuterRef("date_entree"), "date_naissance"))
        .annotate(
            categories=ExpressionWrapper(
                _rang("sexe", SEXES) * 100
                # the band's rank straight from the age (a CASE over ``TRANCHE_AGE`` copied the age
                # expression into each of its branches: 4× the SQL and the ORM's compilation)
                + _tranche_age(TRANCHES.get, 0, IntegerField()) * 10
                + Case(When(qpv=True, then=Value(OUI)), When(qpv=False, then=Value(NON)), default=INCONNU),
                output_field=IntegerField(),
            )
        )
        .values("categories")[:1]
    )
    return Subquery(participant, output_field=IntegerField())


def decoder_categories(code):
    """``{"sexe", "tranche_age", "qpv"}`` from :func:`categories_participant`'s packed value, as
    :func:`avec_categories` gives them (an unknown sexe is ``""``, an unknown band ``None``)."""
    code = code or 0
    return {
        "sexe": _SEXES_PAR_RANG.get(code // 100 % 10, ""),
        "tranche_age": _TRANCHES_PAR_RANG.get(code // 10 % 10),
        "qpv": _TROIS_ETATS[code % 10],
    }
