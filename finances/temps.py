"""The rules of a week's time sheet, as pure functions over plain values (no database).

A week is refused as a whole, with one French message per fault naming the day and the line,
when (seed 004, l.7855–7865; issue #19):

- a line has negative hours or more than two decimals;
- a day totals more than :data:`MAX_HEURES_JOUR` (10 h), or more than the daily hours of the
  person's contract;
- hours are put on an operation on a day outside the operation's period, or outside the
  person's assignment to it.

Hours are ``Decimal`` with two decimals (1 h 30 = ``1.50``)."""

import datetime
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

MAX_HEURES_JOUR = Decimal("10")
HORS_OPERATION = "Hors opération"
JOURS = ("Lundi", "Mardi", "Mercredi", "Jeudi", "Vendredi", "Samedi", "Dimanche")


@dataclass(frozen=True)
class Saisie:
    """Hours of one day on one line (``operation_id`` ``None``: hors opération)."""

    jour: datetime.date
    operation_id: int | None
    heures: Decimal


@dataclass(frozen=True)
class LigneOperation:
    """An operation offered in the grid: its period and the person's assignment periods."""

    operation_id: int
    code: str
    debut: datetime.date
    fin: datetime.date
    affectations: tuple = ()  # ((debut, fin), ...)


def lundi(day):
    """The Monday of ``day``'s week."""
    return day - datetime.timedelta(days=day.weekday())


def jours_semaine(monday):
    return [monday + datetime.timedelta(days=i) for i in range(7)]


def heures_fr(value):
    """``Decimal("7.5")`` → « 7,50 »."""
    return f"{value:.2f}".replace(".", ",")


def libelle_jour(day):
    return f"{JOURS[day.weekday()]} {day:%d/%m/%Y}"


def parse_heures(text):
    """The hours typed in a cell (« 7,5 », « 7.50 », empty = 0) as a ``Decimal``, or ``None``
    when it is not a number."""
    text = (text or "").strip().replace(",", ".").replace(" ", "")
    if not text:
        return Decimal("0")
    try:
        value = Decimal(text)
    except InvalidOperation:
        return None
    return value if value.is_finite() else None


def erreurs_semaine(saisies, *, operations, heures_contrat_jour):
    """The faults of a week's entries (empty: it may be saved).

    ``saisies``: :class:`Saisie` (zero hours are ignored); ``operations``: ``{operation_id:
    LigneOperation}``; ``heures_contrat_jour``: the daily hours of the person's contract."""
    erreurs = []
    totaux = {}
    for saisie in sorted(saisies, key=lambda s: (s.jour, s.operation_id is None, s.operation_id or 0)):
        if saisie.heures == 0:
            continue
        ligne = operations.get(saisie.operation_id)
        nom = (
            HORS_OPERATION
            if saisie.operation_id is None
            else (ligne.code if ligne else f"n° {saisie.operation_id}")
        )
        ou = f"{libelle_jour(saisie.jour)}, ligne « {nom} »"
        if saisie.heures < 0:
            erreurs.append(f"{ou} : les heures ne peuvent pas être négatives.")
            continue
        if saisie.heures != saisie.heures.quantize(Decimal("0.01")):
            erreurs.append(f"{ou} : deux décimales au plus (1,50 pour une heure et demie).")
            continue
        totaux[saisie.jour] = totaux.get(saisie.jour, Decimal("0")) + saisie.heures
        if saisie.operation_id is None:
            continue
        if ligne is None:
            erreurs.append(f"{ou} : la personne n'est pas affectée à cette opération.")
        elif not ligne.debut <= saisie.jour <= ligne.fin:
            erreurs.append(
                f"{ou} : ce jour est hors de la période de l'opération "
                f"(du {ligne.debut:%d/%m/%Y} au {ligne.fin:%d/%m/%Y})."
            )
        elif not any(debut <= saisie.jour <= fin for debut, fin in ligne.affectations):
            erreurs.append(f"{ou} : ce jour est hors de l'affectation de la personne à l'opération.")
    for jour, total in sorted(totaux.items()):
        if total > MAX_HEURES_JOUR:
            erreurs.append(
                f"{libelle_jour(jour)} : {heures_fr(total)} h saisies, au-delà du maximum de "
                f"{heures_fr(MAX_HEURES_JOUR)} h par jour."
            )
        elif total > heures_contrat_jour:
            erreurs.append(
                f"{libelle_jour(jour)} : {heures_fr(total)} h saisies, au-delà des "
                f"{heures_fr(heures_contrat_jour)} h par jour du contrat."
            )
    return erreurs


def etat_semaine(fiche_statut):
    """What a week still needs, from its current sheet's status (``None``: no sheet):
    « non remplie », « à signer », « à valider », or ``None`` when validated."""
    from finances.enums import StatutFiche

    if fiche_statut is None:
        return "non remplie"
    if fiche_statut == StatutFiche.BROUILLON:
        return "à signer"
    if fiche_statut == StatutFiche.SIGNEE:
        return "à valider"
    return None


def semaines_a_suivre(debut, fin, today):
    """The Mondays of the weeks overlapping ``debut``–``fin`` that have started by ``today``
    (a week is due once it has begun: the sheet is filled day by day)."""
    monday = lundi(debut)
    last = min(fin, today)
    weeks = []
    while monday <= last:
        weeks.append(monday)
        monday += datetime.timedelta(days=7)
    return weeks
