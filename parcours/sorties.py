"""The exit-validation rules: when a job (or a training, or a business) becomes a validable
exit under the PLIE's exit referential (docs/domaine.md §5), and which exits count as positive.

« Never count an unvalidated job as a positive exit » (docs/domaine.md §5 (c)): :func:`compte_comme_positive`
is the one test every indicator uses; :func:`date_validable` says from which date a proposed
job exit may be validated, computed from the recorded contracts only.

Everything here is a pure function over plain values (:class:`ContratPeriode`, the ``criteres``
list of a :class:`~parcours.models.TypeSortie`), except :func:`contrats_of` (one query) and
:func:`validation_status` (which calls it when not given the contracts).

**A rule is met on a day.** Each criterion is a predicate « met on day V by the employment as it
stands on V » (:func:`critere_met`). An exit dated E is validable from the **first V ≥ E** on
which one of its type's criteria is met (:func:`date_validable`); a job that ended before E
(its end < E) is not read at all, so it never validates the exit: a CDD of 2022 does not
validate a CDI exit of 2026, hours worked years before do not fill « the last 9 months ».

type                   parameters                                                  docs/domaine.md §5 line
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
=======
=====================  ===================================================  ====================
type                   parameters (``meme_employeur`` and                   reads, on day V
                       ``heures_hebdo_min``: optional, every job criterion)
=====================  ===================================================  ====================
``duree_emploi``       ``mois``                                             the continuous run
                                                                            of work going on V
``heures_fenetre``     ``heures``, ``fenetre_mois``                         hours worked in the
                                                                            window ending on V
``duree_fenetre``      ``mois``, ``fenetre_mois``                           days worked in the
                                                                            window ending on V
``semaines_fenetre``   ``semaines``, ``fenetre_mois``                       days worked in the
                                                                            window ending on V
``apres_debut``        ``mois``                                             a business creation
                                                                            still running
``fin_formation``      ``mois_max``                                         a qualifying training
=====================  ===================================================  ====================

``meme_employeur`` (« même employeur / même agence »): the criterion is met by the contracts of
one employer (one agency, one user company as recorded in the contract's « employeur ») alone.
``heures_hebdo_min`` (« 20 h hebdomadaires minimum »): a day counts only when the weekly hours
of the work standing that day reach the minimum (with ``meme_employeur``: that employer's
hours; otherwise every employer's hours added up); a contract without weekly hours never
reaches a minimum.

**Conventions** (stated once, the same for every criterion):

- *what stands on V* is the work done on the days **before** V: a period covers every day from
  ``debut`` to ``fin`` inclusive (``fin=None``: open-ended, assumed to go on, so the validable
  date may lie in the future); the day V itself is not needed;
- *continuous*: two periods chain when the second starts at the latest the day after the first
  ends (ends 31/03, starts 01/04: continuous; starts 02/04: a one-day gap breaks the run);
  overlapping periods chain too. Only periods the criterion reads chain (one employer's with
  ``meme_employeur``, days reaching ``heures_hebdo_min`` with a minimum);
- *calendar months*, counted back from V: ``V − N months`` is :func:`add_months` (``V``, −N),
  the day clamped to the month's end (31/03 − 1 month = 28/02, 29/02 in a leap year);
- *« N months of work done on V »* (``duree_emploi``, ``apres_debut``): the run going on V
  covered every day of [V − N months, V). So 6 months from 01/03 are done on 01/09, from
  15/01 on 15/07, and **from a month-end day on the first of the month after the clamped
  date**: from 31/08/2025 on 01/03/2026 (not on 28/02, when only 28/08 − 27/02 is covered),
  from 31/08/2027 on 01/03/2028 (not on 29/02/2028), from 29/02/2028 + 12 months on 01/03/2029
  (:func:`months_done_on`);
- *the window of F months ending on V* is [V − F months, V);
- *« N months of work in the window »* (``duree_fenetre``): at least as many days worked in
  the window as there are days in [V − N months, V), so N whole calendar months worked without
  a gap just before V meet it exactly: a CDD 01/01–30/06 gives « 6 mois sur 9 » on 01/07, a
  180-day CDD 01/01–29/06 never (180 days < the 181 to 184 days of 6 calendar months);
- *weeks* are 7 days (``semaines_fenetre``: at least 7 × N days worked in the window);
- *days worked* over several contracts are their union (a day worked for two employers counts
  once); *hours* of a contract are ``heures_hebdo × days / 7``, day by day inside the window.
  Overlapping contracts **of one employer** are not double counted: on a day covered by several
  of them the largest weekly hours count (an overlap with one employer is a renewal or an
  avenant recorded twice). Contracts of **different** employers on the same day add up (two
  part-time jobs). A contract without weekly hours counts 0 hours, but counts for the duration
  criteria when no minimum is set;
- employers are compared normalised (:func:`normalise_employeur`: case, accents, spaces);
- training periods (``type_contrat="formation"``, built by :func:`contrats_of` from the
  « formation qualifiante » étapes) only count for ``fin_formation``; ``apres_debut`` only
  looks at business creations (``type_contrat="creation"``); every other criterion looks at
  every job, creations included;
- ``fin_formation`` is met from the training's last day, or once ``mois_max`` months of it are
  done (a long training), whichever comes first.

**Horizon.** Parameters are capped (:data:`MAX_MOIS` months, :data:`MAX_SEMAINES` weeks,
:data:`MAX_HEURES` hours) and checked by :func:`criteres_errors`, which also refuses
contradictory parameters (a duration longer than its window, more weeks than the window holds,
more hours than 48 h a week can fill). The first V is searched day by day from E up to the
rule's months after the last contract date; for the hours and weeks of an open-ended contract,
48 months more (past that every window total repeats with the 4-year calendar). A malformed
criterion is never met (logged): an invalid row can never validate an exit.
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
JOURS_PAR_SEMAINE = 7
MAX_MOIS = 60  # the longest rule or window a criterion may state (the search horizon)
MAX_SEMAINES = 260
MAX_HEURES = 10_000
HEURES_HEBDO_MAX = 48  # the legal weekly maximum (Code du travail, L3121-20)
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


def months_done_on(start, months):
    """The first day V on which ``months`` calendar months of work begun on ``start`` are done:
    the first V with V − ``months`` months ≥ ``start``. 01/03 + 6 → 01/09; 31/08/2025 + 6 →
    01/03/2026 (28/02/2026 − 6 months is 28/08, before the start)."""
    target = add_months(start, months)
    if add_months(target, -months) < start:
        target += ONE_DAY  # the day was clamped: the first of the next month
    return target


@functools.cache
def _days_in_month(year, month):
    return calendar.monthrange(year, month)[1]


@functools.cache
def window_days_range(months):
    """``(shortest, longest)`` number of days of a window of ``months`` calendar months ending
    on some day (over a 4-year cycle, leap year included): (28, 31) for 1 month."""
    lengths = set()
    day = datetime.date(2024, 1, 1)
    for _ in range(1461):
        lengths.add((day - add_months(day, -months)).days)
        day += ONE_DAY
    return min(lengths), max(lengths)


def normalise_employeur(nom):
    """An employer's name for comparison: accents removed, case folded, spaces collapsed
    (« Intérim  Plus » = « interim plus »)."""
    decomposed = unicodedata.normalize("NFKD", nom or "")
    bare = "".join(char for char in decomposed if not unicodedata.combining(char))
    return " ".join(bare.casefold().split())


# --- categories --------------------------------------------------------------------------------


def est_positive(categorie):
    """A positive exit category (docs/domaine.md §5: emploi durable, sortie qualifiante, dynamique /
    autre); neutralised, abandon and other exits are not."""
    return categorie in CATEGORIES_POSITIVES


def compte_comme_positive(sortie):
    """docs/domaine.md §5 (c): an exit counts as positive only when its category is positive **and** it
    is validated (a job whose rule is not met yet is never a positive exit)."""
    return bool(sortie.validee) and est_positive(sortie.type.categorie)


# --- periods -----------------------------------------------------------------------------------


def _read(periodes, depuis):
    """The periods a rule reads for an exit dated ``depuis``: coherent ones (not ending before
    they start) that had not ended before the exit (``None``: every period)."""
    return [
        p
        for p in periodes
        if (p.fin is None or p.fin >= p.debut) and (depuis is None or p.fin is None or p.fin >= depuis)
    ]


def _emplois(periodes):
    return [p for p in periodes if p.type_contrat != FORMATION]


def _groups(periodes, meme_employeur):
    """One group per employer (normalised name) with ``meme_employeur``, else one group."""
    if not meme_employeur:
        return [periodes] if periodes else []
    groups = {}
    for periode in periodes:
        groups.setdefault(normalise_employeur(periode.employeur), []).append(periode)
    return list(groups.values())


def _weight_hours(periode):
    """Weekly hours in tenths of an hour (an exact integer): per day it stands for
    ``heures_hebdo / 7`` hours, so a sum over days compares with ``heures × 70``."""
    if periode.heures_hebdo is None:
        return 0
    return max(0, int(round(Decimal(str(periode.heures_hebdo)) * 10)))


def _tenths(value):
    return int(round(Decimal(str(value)) * 10))


class _Timeline:
    """One group of periods day by day from ``origin`` (its first start) to ``end``: which
    days count (covered, and reaching the weekly minimum if any), the weekly hours (tenths)
    counted on each, running totals, and where each run of counted days started."""

    def __init__(self, periodes, *, end, heures_hebdo_min=None):
        self.origin = min(p.debut for p in periodes)
        size = max(0, (end - self.origin).days + 1)
        self.size = size
        rate = [0] * size
        covered = [False] * size
        for group in _groups(periodes, meme_employeur=True):
            layer = [0] * size
            for periode in group:
                start = (periode.debut - self.origin).days
                stop = size if periode.fin is None else min(size, (periode.fin - self.origin).days + 1)
                if start >= stop:
                    continue
                covered[start:stop] = [True] * (stop - start)
                weight = _weight_hours(periode)
                layer[start:stop] = [max(weight, value) for value in layer[start:stop]]
            rate = [a + b for a, b in zip(rate, layer, strict=True)]
        minimum = None if heures_hebdo_min is None else _tenths(heures_hebdo_min)
        counts = [c and (minimum is None or r >= minimum) for c, r in zip(covered, rate, strict=True)]
        self.counts = counts
        self.days = [0, *itertools.accumulate(int(c) for c in counts)]
        self.hours = [0, *itertools.accumulate(r if c else 0 for c, r in zip(counts, rate, strict=True))]
        run_start, current = [None] * size, None
        for index, counted in enumerate(counts):
            current = (index if current is None else current) if counted else None
            run_start[index] = current
        self.run_start = run_start

    def _index(self, day):
        return min(self.size, max(0, (day - self.origin).days))

    def run_since(self, day, start):
        """The run of counted days going on ``day`` (covering the day before) began on or
        before ``start``."""
        v = (day - self.origin).days
        if v < 1 or v > self.size or start < self.origin:
            return False
        first = self.run_start[v - 1]
        return first is not None and first <= (start - self.origin).days

    def window(self, day, months):
        """``(days counted, hours × 70)`` in the ``months`` months ending on ``day``."""
        v, a = self._index(day), self._index(add_months(day, -months))
        return self.days[v] - self.days[a], self.hours[v] - self.hours[a]


# --- the criteria --------------------------------------------------------------------------------
# Each ``_met_*`` function says whether the criterion is met on ``day`` by one group's timeline.


def _met_duree(timeline, day, *, mois, **_):
    return timeline.run_since(day, add_months(day, -mois))


def _met_heures(timeline, day, *, heures, fenetre_mois, **_):
    return timeline.window(day, fenetre_mois)[1] >= Decimal(str(heures)) * 70


def _met_duree_fenetre(timeline, day, *, mois, fenetre_mois, **_):
    return timeline.window(day, fenetre_mois)[0] >= (day - add_months(day, -mois)).days


def _met_semaines(timeline, day, *, semaines, fenetre_mois, **_):
    return timeline.window(day, fenetre_mois)[0] >= semaines * JOURS_PAR_SEMAINE


def _groups_for(kind, periodes, params, depuis):
    """The groups of periods a criterion reads (one per employer with ``meme_employeur``)."""
    periodes = _read(periodes, depuis)
    if kind == "apres_debut":
        return _groups([p for p in periodes if p.type_contrat == CREATION], meme_employeur=True)
    return _groups(_emplois(periodes), params.get("meme_employeur", False))


_PREDICATES = {
    "duree_emploi": _met_duree,
    "heures_fenetre": _met_heures,
    "duree_fenetre": _met_duree_fenetre,
    "semaines_fenetre": _met_semaines,
    "apres_debut": _met_duree,
}


def _horizon(kind, group, params, depuis):
    """The last day worth trying (see the module docstring, « Horizon »)."""
    bounds = [p.debut for p in group] + [p.fin + ONE_DAY for p in group if p.fin is not None]
    if depuis is not None:
        bounds.append(depuis)
    months = params.get("fenetre_mois", params.get("mois", 0))
    if kind in ("heures_fenetre", "semaines_fenetre") and any(p.fin is None for p in group):
        months += CYCLE_MOIS
    return add_months(max(bounds), months) + 2 * ONE_DAY


def _first_day(kind, periodes, params, depuis):
    """The first day ≥ ``depuis`` (≥ the first start when ``None``) on which the criterion
    ``kind`` with ``params`` is met, else ``None``."""
    if kind == "fin_formation":
        return _first_day_formation(periodes, depuis, **params)
    predicate = _PREDICATES[kind]
    minimum = params.get("heures_hebdo_min")
    best = None
    for group in _groups_for(kind, periodes, params, depuis):
        end = _horizon(kind, group, params, depuis)
        if best is not None:
            end = min(end, best - ONE_DAY)
        timeline = _Timeline(group, end=end, heures_hebdo_min=minimum)
        day = timeline.origin + ONE_DAY
        if depuis is not None and depuis > day:
            day = depuis
        while day <= end:
            if predicate(timeline, day, **params):
                best = day
                break
            day += ONE_DAY
    return best


def _first_day_formation(periodes, depuis, *, mois_max):
    """A training's last day, or the day ``mois_max`` months of it are done, whichever comes
    first (and never before ``depuis``)."""
    candidates = []
    for periode in _read(periodes, depuis):
        if periode.type_contrat != FORMATION:
            continue
        long_training = months_done_on(periode.debut, mois_max)
        candidates.append(long_training if periode.fin is None else min(periode.fin, long_training))
    if not candidates:
        return None
    first = min(candidates)
    return max(first, depuis) if depuis is not None else first


def _met_formation(periodes, day, depuis, *, mois_max):
    first = _first_day_formation(periodes, depuis, mois_max=mois_max)
    return first is not None and first <= day


def critere_met(contrats, critere, day, *, depuis=None):
    """Whether ``critere`` is met on ``day`` by the employment as it stands that day (the
    periods of ``contrats`` that had not ended before ``depuis``, the exit's date). A malformed
    criterion is never met."""
    if critere_field_errors(critere):
        return False
    kind = critere["type"]
    params = _params(critere)
    if kind == "fin_formation":
        return _met_formation(list(contrats), day, depuis, **params)
    predicate = _PREDICATES[kind]
    for group in _groups_for(kind, list(contrats), params, depuis):
        timeline = _Timeline(group, end=day, heures_hebdo_min=params.get("heures_hebdo_min"))
        if predicate(timeline, day, **params):
            return True
    return False


def _params(critere):
    _label, required, optional = CRITERES[critere["type"]]
    return {name: critere[name] for name in (*required, *optional) if name in critere}


# Public one-criterion helpers (the first day from ``depuis``), kept for readability and tests.


def duree_emploi(periodes, *, mois, meme_employeur=False, heures_hebdo_min=None, depuis=None):
    """docs/domaine.md §5 « CDI: 6 months in the job », « CDD > 6 months: 6 months with the same
    employer », « intérim: 6 months without gap in the same agency », « contrats aidés: 12
    months at 20 h a week at least »: the first day from ``depuis`` on which the run of work
    going on (chained without a gap; one employer's with ``meme_employeur``; days reaching
    ``heures_hebdo_min``) has lasted ``mois`` calendar months."""
    params = {"mois": mois, "meme_employeur": meme_employeur, "heures_hebdo_min": heures_hebdo_min}
    return _first_day("duree_emploi", periodes, params, depuis)


def heures_fenetre(
    periodes, *, heures, fenetre_mois, meme_employeur=False, heures_hebdo_min=None, depuis=None
):
    """docs/domaine.md §5 « intérim: 900 h in the same agency over the last 9 months », « 1,200 h over
    12 months »: the first day from ``depuis`` whose window of ``fenetre_mois`` months holds at
    least ``heures`` hours."""
    params = {
        "heures": heures,
        "fenetre_mois": fenetre_mois,
        "meme_employeur": meme_employeur,
        "heures_hebdo_min": heures_hebdo_min,
    }
    return _first_day("heures_fenetre", periodes, params, depuis)


def duree_fenetre(periodes, *, mois, fenetre_mois, meme_employeur=False, heures_hebdo_min=None, depuis=None):
    """docs/domaine.md §5 « successive contracts: 6 months over the last 9 months »: the first day from
    ``depuis`` whose window of ``fenetre_mois`` months holds ``mois`` calendar months of work."""
    params = {
        "mois": mois,
        "fenetre_mois": fenetre_mois,
        "meme_employeur": meme_employeur,
        "heures_hebdo_min": heures_hebdo_min,
    }
    return _first_day("duree_fenetre", periodes, params, depuis)


def semaines_fenetre(
    periodes, *, semaines, fenetre_mois, meme_employeur=False, heures_hebdo_min=None, depuis=None
):
    """docs/domaine.md §5 « 39 weeks over 12 months »: the first day from ``depuis`` whose window of
    ``fenetre_mois`` months holds at least ``semaines × 7`` days worked."""
    params = {
        "semaines": semaines,
        "fenetre_mois": fenetre_mois,
        "meme_employeur": meme_employeur,
        "heures_hebdo_min": heures_hebdo_min,
    }
    return _first_day("semaines_fenetre", periodes, params, depuis)


def apres_debut(periodes, *, mois, depuis=None):
    """docs/domaine.md §5 « création d'entreprise: 6 months after registration (RCS) »: the first day
    from ``depuis`` on which the business (``type_contrat="creation"``), still running the day
    before, has ``mois`` calendar months of activity."""
    return _first_day("apres_debut", periodes, {"mois": mois}, depuis)


def fin_formation(periodes, *, mois_max, depuis=None):
    """docs/domaine.md §5 « formation qualifiante: end of training, or after 6 months for long
    training »: the training's last day, or the day ``mois_max`` months of it are done."""
    return _first_day_formation(periodes, depuis, mois_max=mois_max)


# --- checking and describing criteria ------------------------------------------------------------

EMPLOI_OPTIONS = ("meme_employeur", "heures_hebdo_min")

# type: (French label, required parameters, optional parameters)
CRITERES = {
    "duree_emploi": ("Durée d'emploi sans interruption", ("mois",), EMPLOI_OPTIONS),
    "heures_fenetre": (
        "Heures travaillées sur les derniers mois",
        ("heures", "fenetre_mois"),
        EMPLOI_OPTIONS,
    ),
    "duree_fenetre": ("Mois travaillés sur les derniers mois", ("mois", "fenetre_mois"), EMPLOI_OPTIONS),
    "semaines_fenetre": (
        "Semaines travaillées sur les derniers mois",
        ("semaines", "fenetre_mois"),
        EMPLOI_OPTIONS,
    ),
    "apres_debut": ("Création d'entreprise : mois d'activité", ("mois",), ()),
    "fin_formation": ("Fin de formation qualifiante", ("mois_max",), ()),
}

# The parameters as the administrateur's form names them.
PARAMETRES = {
    "mois": "Durée (mois)",
    "heures": "Heures",
    "semaines": "Semaines",
    "fenetre_mois": "Sur les derniers (mois)",
    "mois_max": "Au plus tard après (mois)",
    "meme_employeur": "Même employeur / même agence",
    "heures_hebdo_min": "Minimum d'heures par semaine",
}

JOB_CRITERES = frozenset(
    {"duree_emploi", "heures_fenetre", "duree_fenetre", "semaines_fenetre", "apres_debut"}
)


def _is_number(value):
    """An int or a finite float (JSON has no other numbers; ``true`` is not one)."""
    if isinstance(value, bool):
        return False
    return isinstance(value, int) or (isinstance(value, float | Decimal) and math.isfinite(value))


def _parameter_errors(name, value):
    """French messages for one parameter's value (``[]`` when fine), naming the field."""
    label = f"« {PARAMETRES[name]} »"
    if name == "meme_employeur":
        return [] if isinstance(value, bool) else [f"{label} se coche ou se décoche (oui ou non)."]
    if name in ("heures", "heures_hebdo_min"):
        maximum = MAX_HEURES if name == "heures" else HEURES_HEBDO_MAX
        if not _is_number(value):
            return [f"{label} doit être un nombre d'heures."]
        if value <= 0:
            return [f"{label} doit être strictement positif."]
        if value > maximum:
            return [f"{label} ne peut pas dépasser {maximum} h."]
        return []
    unit, maximum = ("semaines", MAX_SEMAINES) if name == "semaines" else ("mois", MAX_MOIS)
    if not _is_number(value) or int(value) != value:
        return [f"{label} doit être un nombre entier de {unit}."]
    if value <= 0:
        return [f"{label} doit être strictement positif."]
    if value > maximum:
        return [f"{label} ne peut pas dépasser {maximum} {unit}."]
    return []


def critere_field_errors(critere):
    """French messages for one criterion, per field (``type``, a parameter, or ``__all__``);
    ``{}`` when well formed. Contradictory parameters are refused on the field at fault."""
    errors = {}

    def add(field, message):
        errors.setdefault(field, []).append(message)

    if not isinstance(critere, dict):
        add("__all__", "un critère se décrit par son type et ses paramètres.")
        return errors
    known = ", ".join(sorted(CRITERES))
    kind = critere.get("type")
    if kind is None or kind == "":
        add("type", f"le type de critère manque (types possibles : {known}).")
        return errors
    if kind not in CRITERES:
        add("type", f"type de critère « {kind} » inconnu (types possibles : {known}).")
        return errors
    _label, required, optional = CRITERES[kind]
    for name in required:
        if critere.get(name) is None:
            add(name, f"« {PARAMETRES[name]} » est obligatoire pour ce type de critère.")
        else:
            for message in _parameter_errors(name, critere[name]):
                add(name, message)
    for name in optional:
        if critere.get(name) is not None:
            for message in _parameter_errors(name, critere[name]):
                add(name, message)
    for name in critere:
        if name not in ("type", *required, *optional) and critere[name] not in (None, False):
            label = PARAMETRES.get(name)
            add(
                name if label else "__all__",
                f"« {label} » ne s'applique pas à ce type de critère."
                if label
                else f"paramètre « {name} » inconnu pour ce type de critère.",
            )
    if errors:
        return errors
    fenetre = critere.get("fenetre_mois")
    _shortest, longest = window_days_range(fenetre) if fenetre else (0, 0)
    if kind == "duree_fenetre" and critere["mois"] > fenetre:
        add(
            "mois",
            f"« {PARAMETRES['mois']} » ({critere['mois']}) dépasse « {PARAMETRES['fenetre_mois']} » "
            f"({fenetre}) : la règle ne pourrait jamais être remplie.",
        )
    if kind == "semaines_fenetre" and critere["semaines"] * JOURS_PAR_SEMAINE > longest:
        add(
            "semaines",
            f"{critere['semaines']} semaines ne tiennent pas dans les {fenetre} derniers mois "
            f"(« {PARAMETRES['semaines']} » trop grand pour « {PARAMETRES['fenetre_mois']} »).",
        )
    if kind == "heures_fenetre":
        plafond = longest * HEURES_HEBDO_MAX / JOURS_PAR_SEMAINE
        if critere["heures"] > plafond:
            add(
                "heures",
                f"{_heures(critere['heures'])} ne tiennent pas dans les {fenetre} derniers mois, même à "
                f"{HEURES_HEBDO_MAX} h par semaine (« {PARAMETRES['heures']} » trop grand).",
            )
    return errors


def _type_label(critere):
    if isinstance(critere, dict) and critere.get("type") in CRITERES:
        return CRITERES[critere["type"]][0].lower()
    return None


def criteres_errors(criteres):
    """French messages for malformed criteria (``[]`` when every criterion is well formed):
    not a list, unknown type, missing, unknown, negative, mistyped or contradictory
    parameters; each message names the criterion and the field."""
    if not isinstance(criteres, list):
        return ["Les critères de validation sont une liste de critères."]
    messages = []
    for number, critere in enumerate(criteres, start=1):
        label = f"Critère n° {number}"
        if _type_label(critere):
            label += f" ({_type_label(critere)})"
        for field_messages in critere_field_errors(critere).values():
            messages.extend(f"{label} : {message}" for message in field_messages)
    return messages


def _heures(value):
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return f"{value:,}".replace(",", " ").replace(".", ",") + " h"


def _options(critere):
    text = ""
    if critere.get("heures_hebdo_min"):
        text += f" à {_heures(critere['heures_hebdo_min'])} par semaine au moins"
    if critere.get("meme_employeur"):
        text += " chez le même employeur (même agence)"
    return text


def critere_label(critere):
    """One criterion in French (« 900 h sur les 9 derniers mois chez le même employeur (même
    agence) »)."""
    if critere_field_errors(critere):
        return "critère mal formé"
    kind = critere["type"]
    if kind == "duree_emploi":
        return f"{critere['mois']} mois d'emploi sans interruption{_options(critere)}"
    derniers = f" sur les {critere.get('fenetre_mois')} derniers mois{_options(critere)}"
    if kind == "heures_fenetre":
        return f"{_heures(critere['heures'])}{derniers}"
    if kind == "duree_fenetre":
        return f"{critere['mois']} mois d'emploi{derniers}"
    if kind == "semaines_fenetre":
        return f"{critere['semaines']} semaines d'emploi{derniers}"
    if kind == "apres_debut":
        return f"{critere['mois']} mois après l'immatriculation (début d'activité)"
    return f"fin de la formation, ou {critere['mois_max']} mois après son début pour une formation longue"


def criteres_label(criteres):
    """The rule in French, criteria joined by « ou » (shown when choosing and validating)."""
    if not isinstance(criteres, list) or not criteres:
        return ""
    return " ou ".join(critere_label(critere) for critere in criteres)


def est_regle_emploi(criteres):
    """A rule that reads the recorded jobs (any criterion but the training's end)."""
    return isinstance(criteres, list) and any(
        isinstance(critere, dict) and critere.get("type") in JOB_CRITERES for critere in criteres
    )


# --- the rule ------------------------------------------------------------------------------------


def critere_date(contrats, critere, *, depuis=None):
    """The first day from ``depuis`` (the exit's date) on which ``critere`` is met by
    ``contrats`` (``None``: never, or malformed)."""
    if critere_field_errors(critere):
        logger.warning("Critère de sortie mal formé ignoré : %r", critere)
        return None
    return _first_day(critere["type"], list(contrats), _params(critere), depuis)


def date_validable(contrats, criteres, *, depuis):
    """The date from which an exit dated ``depuis`` under ``criteres`` becomes validable with
    ``contrats`` (a list of :class:`ContratPeriode`): the first day V ≥ ``depuis`` on which any
    criterion is met by the employment standing on V, possibly in the future (open-ended
    contracts are assumed to go on); ``None`` when these contracts can never meet the rule,
    when ``criteres`` is empty (no rule to compute) or malformed. Contracts ended before
    ``depuis`` are not read."""
    if not isinstance(criteres, list):
        return None
    dates = [critere_date(contrats, critere, depuis=depuis) for critere in criteres]
    dates = [day for day in dates if day is not None]
    return min(dates) if dates else None


def date_sortie_emploi(contrats):
    """The date a job exit would bear if recorded now: the start of the latest job recorded
    (the hiring the exit is about), ``None`` without a job."""
    debuts = [p.debut for p in _read(contrats, None) if p.type_contrat != FORMATION]
    return max(debuts) if debuts else None


def dates_validables(contrats, types_sortie, *, depuis):
    """``[(type, date or None)]`` for the types among ``types_sortie`` whose rule reads the
    jobs: when an exit dated ``depuis`` under each would become validable."""
    return [
        (type_sortie, date_validable(contrats, type_sortie.criteres, depuis=depuis))
        for type_sortie in types_sortie
        if est_regle_emploi(type_sortie.criteres) and not criteres_errors(type_sortie.criteres)
    ]


# --- from the database -----------------------------------------------------------------------------


def periodes_of_etapes(etapes):
    """:class:`ContratPeriode` s of ``etapes`` (with ``contrat``, ``type`` and ``operateur``
    loaded; cancelled étapes skipped): each contract (its actual end, else planned end, else
    open-ended; a contract of a « création d'entreprise » étape is a ``creation``), and each
    « formation qualifiante » étape as a ``formation`` period run by its opérateur."""
    from django.core.exceptions import ObjectDoesNotExist

    periodes = []
    for etape in etapes:
        if getattr(etape, "annulee", False):
            continue  # a cancelled étape never took place
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
    """Étapes the rules read (those with a contract and the qualifying trainings, not
    cancelled), with what :func:`periodes_of_etapes` needs loaded; filter it by parcours."""
    from django.db.models import Q

    from parcours.models import Etape

    return (
        Etape.objects.filter(
            Q(contrat__isnull=False) | Q(type__categorie=CategorieEtape.FORMATION_QUALIFIANTE)
        )
        .filter(annulee=False)
        .select_related("contrat", "type", "operateur")
    )


def contrats_of(parcours):
    """The parcours' periods of work and qualifying training, as the rules see them (1 query)."""
    return periodes_of_etapes(etapes_for_rules().filter(parcours_id=parcours.pk))


def validation_status(parcours, today, *, contrats=None):
    """Where the parcours' proposed exit stands on ``today`` (``parcours.sortie`` with its
    ``type`` loaded; ``contrats``: its periods, read by :func:`contrats_of` when not given).

    - no exit, or an exit already validated: nothing to validate;
    - a type without criteria: validable from the exit date (by the commission when required);
    - a type with criteria: validable from :func:`date_validable` (the first day from the exit
      date on which the rule is met); ``None`` with the reason when the contracts going on
      since the exit do not meet the rule."""
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
    day = date_validable(contrats, criteres, depuis=sortie.date_sortie)
    if day is None:
        return StatutValidation(
            None,
            False,
            commission,
            "Règle non remplie par les contrats en cours depuis la sortie du "
            f"{format_date(sortie.date_sortie)} "
            f"({regle}).",
        )
    if day > today:
        return StatutValidation(
            day, False, commission, f"Validable à partir du {format_date(day)} ({regle})."
        )
    return StatutValidation(
        day, True, commission, f"Validable depuis le {format_date(day)} ({regle}){suffix}."
    )
