"""The money rules of an operation, as pure functions over plain values (no database).

**Rounding, once for all:** every amount is a ``Decimal``; each *line* (one person × one month ×
one operation, one flat rate, one expense) is rounded to the cent, half up
(:func:`au_centime`); totals are sums of rounded lines, never rounded again. Amounts are shown
« 1 234,56 € » (:func:`montant_fr`).

**Direct staff cost** of a person on an operation for a month (seed 004, l.7855–7877):

- salary of the month = gross + employer charges (``Salaire``);
- *temps tracé par jour*: salary × hours traced on the operation in the month / hours worked in
  the month. The traced hours are those of the **validated** sheets' days that fall in the month
  (a week straddling two months is split by day); the worked hours are those of the month's pay
  slip, so a **partial month** (arrival, departure, unpaid leave) has its partial salary and its
  partial worked hours and the ratio stays right;
- *pourcentage fixe mensuel*: salary × percentage × days of the assignment in the month / days
  of the month;
- *temps plein*: salary × days of the assignment in the month / days of the month;
- no salary entered for the month, or no worked hours: no cost (and the bilan's checklist says
  so).

**Indirect costs at a flat rate**: rate × direct staff cost of the period, one line, rounded to
the cent; not justified (a flat rate needs no proof).

**Resources never exceed expenses** (forecast and realised separately)."""

import calendar
import datetime
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")
ZERO = Decimal("0")
NBSP = "\u00a0"


def au_centime(value):
    """``value`` rounded to the cent, half up."""
    return Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)


def montant_fr(value):
    """« 1 234,56 € » (non-breaking spaces: thousands and before the euro sign)."""
    value = au_centime(value)
    sign = "-" if value < 0 else ""
    units, cents = f"{abs(value):.2f}".split(".")
    groups = []
    while units:
        groups.insert(0, units[-3:])
        units = units[:-3]
    return f"{sign}{NBSP.join(groups)},{cents}{NBSP}€"


def premier_du_mois(day):
    return day.replace(day=1)


def jours_du_mois(month):
    return calendar.monthrange(month.year, month.month)[1]


def jours_couverts(month, debut, fin):
    """Days of ``month`` (its 1st) inside ``debut``–``fin``."""
    last = month.replace(day=jours_du_mois(month))
    start, end = max(month, debut), min(last, fin)
    return max((end - start).days + 1, 0)


@dataclass(frozen=True)
class Affect:
    mode: str  # finances.enums.ModeAffectation value
    debut: datetime.date
    fin: datetime.date
    pourcentage: Decimal | None = None


def cout_personnel_mois(*, month, salaire, heures_travaillees, affectation, heures_tracees):
    """The direct staff cost of one person on one operation for ``month`` (its 1st), rounded to
    the cent (see the module docstring). ``salaire`` is gross + charges, or ``None`` when not
    entered; ``heures_tracees`` the validated hours on the operation in the month."""
    from finances.enums import ModeAffectation

    if salaire is None:
        return ZERO
    if affectation.mode == ModeAffectation.TEMPS_TRACE:
        if not heures_travaillees:
            return ZERO
        return au_centime(salaire * Decimal(heures_tracees) / Decimal(heures_travaillees))
    share = Decimal(jours_couverts(month, affectation.debut, affectation.fin)) / jours_du_mois(month)
    if affectation.mode == ModeAffectation.POURCENTAGE:
        share *= (affectation.pourcentage or ZERO) / 100
    return au_centime(salaire * share)


def forfait_indirects(base, taux):
    """The flat-rate indirect costs: ``taux`` percent of ``base`` (the direct staff cost)."""
    return au_centime(Decimal(base) * Decimal(taux) / 100)


def mois_de(debut, fin):
    """The 1sts of the months overlapping ``debut``–``fin``."""
    month, months = premier_du_mois(debut), []
    while month <= fin:
        months.append(month)
        month = (month + datetime.timedelta(days=32)).replace(day=1)
    return months


def erreur_ressources(*, depenses, ressources, nature):
    """The French message when the resources exceed the expenses, else ``None``."""
    if ressources > depenses:
        return (
            f"Ressources {nature} : {montant_fr(ressources)} dépassent les dépenses {nature} "
            f"({montant_fr(depenses)}) ; une opération ne dégage pas d'excédent."
        )
    return None


def taux(part, total):
    """``part / total`` as a percentage with two decimals, ``None`` when ``total`` is zero."""
    if not total:
        return None
    return (Decimal(part) * 100 / Decimal(total)).quantize(CENT, rounding=ROUND_HALF_UP)
