"""The exit-validation rules: when a job (or a training, or a business) becomes a validable
exit under the PLIE's exit referential (DOMAIN.md §5), and which exits count as positive.

« Never count an unvalidated job as a positive exit » (DOMAIN §5 (c)): :func:`compte_comme_positive`
is the one test every indicator uses; :func:`date_validable` says from which date a proposed
job exit may be validated, computed from the recorded contracts only.

Everything here is a pure function over plain values (:class:`ContratPeriode`, the ``criteres``
list of a :class:`~parcours.models.TypeSortie`), except :func:`contrats_of` (one query) and
:func:`validation_status` (which calls it when not given the contracts).

**The criteria.** ``TypeSortie.criteres`` is a list of dicts; the exit is validable at the
**earliest** date any of them is met (an empty list: no rule, see :func:`validation_status`):

=====================  ==========================================================  ==================
type                   parameters                                                  DOMAIN §5 line
=====================  ==========================================================  ==================
``duree_emploi``       ``mois``, ``meme_employeur`` (optional)                     CDI, CDD > 6 mois,
                                                                                   intérim « 6 mois
                                                                                   sans interruption »
``heures_fenetre``     ``heures``, ``fenetre_mois``, ``meme_employeur`` (opt.)     intérim 900 h / 9
                                                                                   mois, 1 200 h / 12
``duree_fenetre``      ``mois``, ``fenetre_mois``, ``meme_employeur`` (opt.)       6 mois sur 9
``semaines_fenetre``   ``semaines``, ``fenetre_mois``, ``meme_employeur`` (opt.)   39 semaines / 12
``apres_debut``        ``mois``                                                    création d'entreprise
``fin_formation``      ``mois_max``                                                formation qualifiante
=====================  ==========================================================  ==================

**Conventions** (the same for every criterion):

- a period covers every day from ``debut`` to ``fin`` *inclusive*; ``fin=None`` is open-ended and
  assumed to go on (so the validable date may lie in the future);
- two periods are *continuous* when the second starts at the latest the day after the first
  ends (ends 31/03, starts 01/04: continuous; starts 02/04: a one-day gap breaks the run);
- month arithmetic is calendar arithmetic, the day clamped to the month's end
  (:func:`add_months`: 31/08 + 6 months = 28/02, or 29/02 in a leap year);
- « N months done » on the date ``start + N months``: the person worked every day of
  ``[start, start + N months)``, and the exit is validable on ``start + N months``;
- a rolling window of F months *on* date ``d`` is ``[d − F months, d)``: what was done before
  ``d``. The validable date is the first ``d`` whose window reaches the threshold, i.e. the day
  after the day the threshold is reached (consistent with the previous rule);
- employers are compared normalised (:func:`normalise_employeur`: case, accents, spaces);
- hours of a contract = ``heures_hebdo × days / 7``, day by day inside the window. Overlapping
  contracts **of the same employer** are not double counted: on a day covered by several of
  them the largest weekly hours count (an overlap with one employer is a renewal or an avenant
  recorded twice). Contracts of **different** employers on the same day add up (two part-time
  jobs). A contract without weekly hours counts 0 hours (never a guess that could validate an
  exit), but counts for the duration criteria;
- durations over a window: 1 month = 30 days (6 months = 180 days), 1 week = 7 days, counted on
  the union of the contracts (a day worked for two employers counts once);
- training periods (``type_contrat="formation"``, built by :func:`contrats_of` from the
  « formation qualifiante » étapes) only count for ``fin_formation``; ``apres_debut`` only
  looks at business creations (``type_contrat="creation"``); every other criterion looks at
  every job, creations included.

**Horizon.** Criterion parameters are capped at :data:`MAX_MOIS` (60) months by
:func:`criteres_errors`. The duration criteria are computed directly (start + N months). The
window criteria scan day by day from the first contract: when every contract has an end, up
to the day after the last one (later windows only lose days); with an open-ended contract, up
to ``fenetre_mois`` + 48 months after the last contract date (past it every window total
repeats with the 4-year calendar), so at most 9 years past the last contract date and a few
thousand steps. A malformed criterion is never met (logged): an invalid row can never
validate an exit.
"""

from __future__ import annotations

import calendar
import datetime
import functools
import itertools
import logging
import math
import unicodedata
from dataclasses import dataclass
from decimal import Decimal

from parcours.enums import CATEGORIES_POSITIVES, CategorieEtape, TypeContrat
from plie.core.dates import format_date

logger = logging.getLogger(__name__)

ONE_DAY = datetime.timedelta(days=1)
FORMATION = "formation"  # type_contrat of a training period (a « formation qualifiante » étape)
CREATION = TypeContrat.CREATION.value
JOURS_PAR_MOIS = 30
JOURS_PAR_SEMAINE = 7
MAX_MOIS = 60  # the longest rule or window a criterion may state (the search horizon)
MAX_SEMAINES = 260
MAX_HEURES = 10_000
CYCLE_MOIS = 48  # month lengths repeat every 4 years (leap years)


# --- plain values ------------------------------------------------------------------------------


@dataclass(frozen=True)
class ContratPeriode:
    """A period of work (or training) as the rules see it. ``fin``: the actual end, else the
    planned end, else ``None`` (open-ended, assumed to go on)."""

    employeur: str
    type_contrat: str
    debut: datetime.date
    fin: datetime.date | None = None
    heures_hebdo: Decimal | float | int | None = None


@dataclass(frozen=True)
class StatutValidation:
    """Where a parcours' proposed exit stands (:func:`validation_status`)."""

    date_validable: datetime.date | None
    validable_now: bool
    commission_requise: bool
    reason: str


def add_months(day, months):
    """``day`` plus ``months`` calendar months (negative: minus), the day of the month clamped
    to the target month's last day: 31/08/2025 + 6 = 28/02/2026; 31/08/2023 + 6 = 29/02/2024;
    31/03 − 1 = 28/02 (or 29/02)."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    month += 1
    return datetime.date(year, month, min(day.day, _days_in_month(year, month)))


@functools.cache
def _days_in_month(year, month):
    return calendar.monthrange(year, month)[1]


def normalise_employeur(nom):
    """An employer's name for comparison: accents removed, case folded, spaces collapsed
    (« Intérim  Plus » = « interim plus »)."""
    decomposed = unicodedata.normalize("NFKD", nom or "")
    bare = "".join(char for char in decomposed if not unicodedata.combining(char))
    return " ".join(bare.casefold().split())


# --- categories --------------------------------------------------------------------------------


def est_positive(categorie):
    """A positive exit category (DOMAIN §5: emploi durable, sortie qualifiante, dynamique /
    autre); neutralised, abandon and other exits are not."""
    return categorie in CATEGORIES_POSITIVES


def compte_comme_positive(sortie):
    """DOMAIN §5 (c): an exit counts as positive only when its category is positive **and** it
    is validated (a job whose rule is not met yet is never a positive exit)."""
    return bool(sortie.validee) and est_positive(sortie.type.categorie)


# --- periods -----------------------------------------------------------------------------------


def _clean(periodes):
    """Drop incoherent periods (ending before they start)."""
    return [p for p in periodes if p.fin is None or p.fin >= p.debut]


def _emplois(periodes):
    return [p for p in _clean(periodes) if p.type_contrat != FORMATION]


def _groups(periodes, meme_employeur):
    """One group per employer (normalised name) with ``meme_employeur``, else one group."""
    if not meme_employeur:
        return [periodes] if periodes else []
    groups = {}
    for periode in periodes:
        groups.setdefault(normalise_employeur(periode.employeur), []).append(periode)
    return list(groups.values())


def _runs(periodes):
    """Maximal continuous runs ``(debut, fin or None)`` of ``periodes`` (chained without a
    gap: the next starts at the latest the day after the previous ends)."""
    runs = []
    for periode in sorted(periodes, key=lambda p: p.debut):
        if runs:
            start, end = runs[-1]
            if end is None or periode.debut <= end + ONE_DAY:
                runs[-1] = (start, None if end is None or periode.fin is None else max(end, periode.fin))
                continue
        runs.append((periode.debut, periode.fin))
    return runs


def _weight_hours(periode):
    """Weekly hours in tenths of an hour (an exact integer): per day it stands for
    ``heures_hebdo / 7`` hours, so a sum over days compares with ``heures × 70``."""
    if periode.heures_hebdo is None:
        return 0
    return max(0, int(round(Decimal(str(periode.heures_hebdo)) * 10)))


def _first_window_date(periodes, fenetre_mois, seuil, *, hours):
    """The first date ``d`` whose window ``[d − fenetre_mois, d)`` reaches ``seuil``.

    ``hours=False``: counts days covered by at least one period; ``hours=True``: sums per day
    the largest weekly-hours weight of each employer's periods covering it (same employer
    never double counted, different employers added)."""
    if not periodes:
        return None
    first = min(p.debut for p in periodes)
    last = max([p.debut for p in periodes] + [p.fin for p in periodes if p.fin is not None])
    if all(p.fin is not None for p in periodes):
        # Every period is over after ``last``: later windows only lose days.
        end = last + ONE_DAY
    else:
        # Past ``last`` the daily weights are constant; once a window lies wholly past it, its
        # total depends only on its length in days, which repeats with the 4-year calendar.
        end = add_months(last + ONE_DAY, fenetre_mois + CYCLE_MOIS)
    size = (end - first).days + 1
    daily = [0] * size
    per_employer = _groups(periodes, meme_employeur=True) if hours else [periodes]
    for group in per_employer:
        layer = [0] * size
        for periode in group:
            weight = _weight_hours(periode) if hours else 1
            if weight == 0:
                continue
            start = (periode.debut - first).days
            stop = size if periode.fin is None else min(size, (periode.fin - first).days + 1)
            layer[start:stop] = [max(weight, value) for value in layer[start:stop]]
        daily = [a + b for a, b in zip(daily, layer, strict=True)]
    prefix = [0, *itertools.accumulate(daily)]  # prefix[i]: total of the days before first + i
    if prefix[-1] < seuil:
        return None  # no window can hold more than everything
    for index in range(1, size + 1):
        if daily[index - 1] == 0:
            continue  # a window ending on a day off holds no more than the day before's
        day = first + datetime.timedelta(days=index)
        window_start = max(0, (add_months(day, -fenetre_mois) - first).days)
        if prefix[index] - prefix[window_start] >= seuil:
            return day
    return None


def _earliest(dates):
    dates = [day for day in dates if day is not None]
    return min(dates) if dates else None


# --- the criteria --------------------------------------------------------------------------------


def duree_emploi(periodes, *, mois, meme_employeur=False):
    """DOMAIN §5 « CDI: 6 months in the job », « CDD > 6 months: 6 months with the same
    employer », « intérim: … or 6 months without gap »: continuous employment (contracts
    chained without a gap) for ``mois`` calendar months, with ``meme_employeur`` only chains
    of one employer. Validable on the run's start + ``mois`` months, provided the run lasts
    until the day before."""
    candidates = []
    for group in _groups(_emplois(periodes), meme_employeur):
        for start, end in _runs(group):
            target = add_months(start, mois)
            if end is None or end >= target - ONE_DAY:
                candidates.append(target)
    return _earliest(candidates)


def heures_fenetre(periodes, *, heures, fenetre_mois, meme_employeur=False):
    """DOMAIN §5 « intérim: 900 h in the same agency over the last 9 months » and « successive
    contracts: 1,200 h over 12 months »: the first date whose rolling window of
    ``fenetre_mois`` months holds at least ``heures`` hours (``heures_hebdo × days / 7`` per
    contract, clipped to the window; same-employer overlaps counted once at the larger weekly
    hours); with ``meme_employeur`` the hours of one employer only."""
    seuil = Decimal(str(heures)) * 70
    return _earliest(
        _first_window_date(group, fenetre_mois, seuil, hours=True)
        for group in _groups(_emplois(periodes), meme_employeur)
    )


def duree_fenetre(periodes, *, mois, fenetre_mois, meme_employeur=False):
    """DOMAIN §5 « successive contracts: 6 months over the last 9 months »: the first date
    whose rolling window of ``fenetre_mois`` months holds at least ``mois × 30`` days employed
    (the union of the contracts, any employer unless ``meme_employeur``)."""
    return _earliest(
        _first_window_date(group, fenetre_mois, mois * JOURS_PAR_MOIS, hours=False)
        for group in _groups(_emplois(periodes), meme_employeur)
    )


def semaines_fenetre(periodes, *, semaines, fenetre_mois, meme_employeur=False):
    """DOMAIN §5 « successive contracts: 39 weeks over 12 months »: the first date whose rolling
    window of ``fenetre_mois`` months holds at least ``semaines × 7`` days employed (union of
    the contracts)."""
    return _earliest(
        _first_window_date(group, fenetre_mois, semaines * JOURS_PAR_SEMAINE, hours=False)
        for group in _groups(_emplois(periodes), meme_employeur)
    )


def apres_debut(periodes, *, mois):
    """DOMAIN §5 « création d'entreprise: 6 months after registration (RCS) »: the business's
    start (``type_contrat="creation"``) + ``mois`` months, provided the activity has not ended
    before (it lasts at least until the day before)."""
    candidates = []
    for periode in _clean(periodes):
        if periode.type_contrat != CREATION:
            continue
        target = add_months(periode.debut, mois)
        if periode.fin is None or periode.fin >= target - ONE_DAY:
            candidates.append(target)
    return _earliest(candidates)


def fin_formation(periodes, *, mois_max):
    """DOMAIN §5 « formation qualifiante: end of training, or after 6 months for long
    training »: the training's end (its last day), or its start + ``mois_max`` months when that
    comes first (an open-ended training: start + ``mois_max`` months)."""
    candidates = []
    for periode in _clean(periodes):
        if periode.type_contrat != FORMATION:
            continue
        long_training = add_months(periode.debut, mois_max)
        candidates.append(long_training if periode.fin is None else min(periode.fin, long_training))
    return _earliest(candidates)


# (function, required parameters, optional parameters) per criterion type.
CRITERES = {
    "duree_emploi": (duree_emploi, ("mois",), ("meme_employeur",)),
    "heures_fenetre": (heures_fenetre, ("heures", "fenetre_mois"), ("meme_employeur",)),
    "duree_fenetre": (duree_fenetre, ("mois", "fenetre_mois"), ("meme_employeur",)),
    "semaines_fenetre": (semaines_fenetre, ("semaines", "fenetre_mois"), ("meme_employeur",)),
    "apres_debut": (apres_debut, ("mois",), ()),
    "fin_formation": (fin_formation, ("mois_max",), ()),
}


# --- checking and describing criteria ------------------------------------------------------------


def _is_number(value):
    """An int or a finite float (JSON has no other numbers; ``true`` is not one)."""
    if isinstance(value, bool):
        return False
    return isinstance(value, int) or (isinstance(value, float | Decimal) and math.isfinite(value))


def _parameter_errors(name, value):
    """French messages for one parameter's value (``[]`` when fine)."""
    if name == "meme_employeur":
        return [] if isinstance(value, bool) else ["« meme_employeur » doit valoir true ou false."]
    if name == "heures":
        if not _is_number(value):
            return ["« heures » doit être un nombre d'heures."]
        if value <= 0:
            return ["« heures » doit être strictement positif."]
        if value > MAX_HEURES:
            return [f"« heures » ne peut pas dépasser {MAX_HEURES}."]
        return []
    unit, maximum = ("semaines", MAX_SEMAINES) if name == "semaines" else ("mois", MAX_MOIS)
    if not _is_number(value) or int(value) != value:
        return [f"« {name} » doit être un nombre entier de {unit}."]
    if value <= 0:
        return [f"« {name} » doit être strictement positif."]
    if value > maximum:
        return [f"« {name} » ne peut pas dépasser {maximum} {unit}."]
    return []


def _critere_errors(critere):
    """French messages for one criterion, without the « Critère n° i » prefix."""
    if not isinstance(critere, dict):
        return ['un critère s\'écrit comme un objet, par exemple {"type": "duree_emploi", "mois": 6}.']
    known = ", ".join(sorted(CRITERES))
    kind = critere.get("type")
    if kind is None:
        return [f"le type manque (types possibles : {known})."]
    if kind not in CRITERES:
        return [f"type « {kind} » inconnu (types possibles : {known})."]
    _function, required, optional = CRITERES[kind]
    errors = []
    for name in required:
        if name not in critere:
            errors.append(f"le paramètre « {name} » manque.")
        else:
            errors.extend(_parameter_errors(name, critere[name]))
    for name in optional:
        if name in critere:
            errors.extend(_parameter_errors(name, critere[name]))
    for name in critere:
        if name not in ("type", *required, *optional):
            errors.append(f"paramètre « {name} » inconnu pour ce type.")
    if errors:
        return errors
    if kind == "duree_fenetre" and critere["mois"] > critere["fenetre_mois"]:
        errors.append(
            f"la durée ({critere['mois']} mois) dépasse la fenêtre ({critere['fenetre_mois']} mois)."
        )
    if kind == "semaines_fenetre" and critere["semaines"] * 7 > critere["fenetre_mois"] * 31:
        errors.append(
            f"{critere['semaines']} semaines ne tiennent pas dans une fenêtre de "
            f"{critere['fenetre_mois']} mois."
        )
    return errors


def criteres_errors(criteres):
    """French messages for malformed criteria (``[]`` when every criterion is well formed):
    not a list, not an object, unknown type, missing, unknown, negative or mistyped parameter,
    a duration longer than its window."""
    if not isinstance(criteres, list):
        return ["Les critères s'écrivent comme une liste entre crochets : [ {…}, {…} ]."]
    messages = []
    for number, critere in enumerate(criteres, start=1):
        label = f"Critère n° {number}"
        if isinstance(critere, dict) and critere.get("type") in CRITERES:
            label += f" ({critere['type']})"
        messages.extend(f"{label} : {error}" for error in _critere_errors(critere))
    return messages


def _meme(critere):
    return " chez le même employeur" if critere.get("meme_employeur") else ""


def _heures(value):
    return f"{value:,}".replace(",", " ") + " h"


def critere_label(critere):
    """One criterion in French (« 900 h sur 9 mois glissants chez le même employeur »)."""
    kind = critere.get("type") if isinstance(critere, dict) else None
    if _critere_errors(critere):
        return "critère mal formé"
    if kind == "duree_emploi":
        return f"{critere['mois']} mois d'emploi sans interruption{_meme(critere)}"
    if kind == "heures_fenetre":
        return f"{_heures(critere['heures'])} sur {critere['fenetre_mois']} mois glissants{_meme(critere)}"
    if kind == "duree_fenetre":
        return f"{critere['mois']} mois d'emploi sur {critere['fenetre_mois']} mois glissants{_meme(critere)}"
    if kind == "semaines_fenetre":
        return (
            f"{critere['semaines']} semaines d'emploi sur {critere['fenetre_mois']} mois glissants"
            f"{_meme(critere)}"
        )
    if kind == "apres_debut":
        return f"{critere['mois']} mois après l'immatriculation (début d'activité)"
    return f"fin de la formation, ou {critere['mois_max']} mois après son début pour une formation longue"


def criteres_label(criteres):
    """The rule in French, criteria joined by « ou » (shown when choosing and validating)."""
    if not isinstance(criteres, list) or not criteres:
        return ""
    return " ou ".join(critere_label(critere) for critere in criteres)


# --- the rule ------------------------------------------------------------------------------------


def critere_date(contrats, critere):
    """The date from which ``critere`` is met by ``contrats`` (``None``: never, or malformed)."""
    if _critere_errors(critere):
        logger.warning("Critère de sortie mal formé ignoré : %r", critere)
        return None
    function, required, optional = CRITERES[critere["type"]]
    params = {name: critere[name] for name in (*required, *optional) if name in critere}
    return function(list(contrats), **params)


def date_validable(contrats, criteres):
    """The date from which an exit under ``criteres`` becomes validable with ``contrats`` (a
    list of :class:`ContratPeriode`): the **earliest** date any criterion is met, possibly in
    the future (open-ended contracts are assumed to go on); ``None`` when these contracts can
    never meet the rule, when ``criteres`` is empty (no rule to compute) or malformed."""
    if not isinstance(criteres, list):
        return None
    return _earliest(critere_date(contrats, critere) for critere in criteres)


# --- from the database -----------------------------------------------------------------------------


def periodes_of_etapes(etapes):
    """:class:`ContratPeriode` s of ``etapes`` (with ``contrat``, ``type`` and ``operateur``
    loaded): each contract (its actual end, else planned end, else open-ended; a contract of a
    « création d'entreprise » étape is a ``creation``), and each « formation qualifiante »
    étape as a ``formation`` period run by its opérateur."""
    from django.core.exceptions import ObjectDoesNotExist

    periodes = []
    for etape in etapes:
        try:
            contrat = etape.contrat
        except ObjectDoesNotExist:
            contrat = None
        if contrat is not None:
            creation = etape.type.categorie == CategorieEtape.CREATION_ENTREPRISE
            periodes.append(
                ContratPeriode(
                    employeur=contrat.employeur,
                    type_contrat=CREATION if creation else contrat.type_contrat,
                    debut=contrat.date_debut,
                    fin=contrat.date_fin or contrat.date_fin_prevue,
                    heures_hebdo=contrat.heures_hebdo,
                )
            )
        if etape.type.categorie == CategorieEtape.FORMATION_QUALIFIANTE:
            periodes.append(
                ContratPeriode(
                    employeur=etape.operateur.nom if etape.operateur_id else "",
                    type_contrat=FORMATION,
                    debut=etape.date_debut,
                    fin=etape.date_fin or etape.date_fin_prevue,
                )
            )
    return sorted(periodes, key=lambda p: (p.debut, p.employeur))


def etapes_for_rules():
    """Étapes the rules read (those with a contract and the qualifying trainings), with what
    :func:`periodes_of_etapes` needs loaded; filter it by parcours."""
    from django.db.models import Q

    from parcours.models import Etape

    return Etape.objects.filter(
        Q(contrat__isnull=False) | Q(type__categorie=CategorieEtape.FORMATION_QUALIFIANTE)
    ).select_related("contrat", "type", "operateur")


def contrats_of(parcours):
    """The parcours' periods of work and qualifying training, as the rules see them (1 query)."""
    return periodes_of_etapes(etapes_for_rules().filter(parcours_id=parcours.pk))


def validation_status(parcours, today, *, contrats=None):
    """Where the parcours' proposed exit stands on ``today`` (``parcours.sortie`` with its
    ``type`` loaded; ``contrats``: its periods, read by :func:`contrats_of` when not given).

    - no exit, or an exit already validated: nothing to validate;
    - a type without criteria: validable from the exit date (by the commission when required);
    - a type with criteria: validable from :func:`date_validable`, never before the exit date;
      ``None`` with the reason when the recorded contracts do not meet the rule."""
    from django.core.exceptions import ObjectDoesNotExist

    try:
        sortie = parcours.sortie
    except ObjectDoesNotExist:
        sortie = None
    if sortie is None:
        return StatutValidation(None, False, False, "Aucune sortie proposée.")
    type_sortie = sortie.type
    commission = type_sortie.commission_requise
    if sortie.validee:
        when = f" le {format_date(sortie.date_validation)}" if sortie.date_validation else ""
        return StatutValidation(sortie.date_validation, False, commission, f"Sortie déjà validée{when}.")
    suffix = " : à présenter en commission" if commission else ""
    criteres = type_sortie.criteres
    if not criteres:
        day = sortie.date_sortie
        return StatutValidation(
            day, day <= today, commission, f"Validable depuis le {format_date(day)}{suffix}."
        )
    errors = criteres_errors(criteres)
    if errors:
        return StatutValidation(
            None, False, commission, "Règle de validation mal formée : " + " ".join(errors)
        )
    if contrats is None:
        contrats = contrats_of(parcours)
    regle = criteres_label(criteres)
    day = date_validable(contrats, criteres)
    if day is None:
        return StatutValidation(
            None, False, commission, f"Règle non remplie par les contrats enregistrés ({regle})."
        )
    day = max(day, sortie.date_sortie)
    if day > today:
        return StatutValidation(
            day, False, commission, f"Validable à partir du {format_date(day)} ({regle})."
        )
    return StatutValidation(
        day, True, commission, f"Validable depuis le {format_date(day)} ({regle}){suffix}."
    )
