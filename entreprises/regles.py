"""The employer side's rules, as pure functions over plain values (table-driven tests, no
database): the SIRET key, the ROME code, the hours declared on a clause market, the FTE, the
follow-up six months after exit, and which offers fit a participant."""

import calendar
import datetime
import re
from decimal import Decimal

from parcours.sorties import add_months

SIREN_LA_POSTE = "356000000"
ROME_PATTERN = re.compile(r"^[A-N]\d{4}$")
NAF_PATTERN = re.compile(r"^\d{2}\.?\d{2}[A-Z]$")
HEURES_SEMAINE_MAX = Decimal(48)  # the legal weekly maximum (Code du travail, L3121-20)
HEURES_ETP_AN = Decimal(1607)  # one full-time equivalent: 1 607 hours a year (35 h, legal duration)
SUIVI_MOIS = 6  # the FSE+ longer-term result: the situation six months after exit
RELANCE_MOIS = 7  # not reached after 7 months: a reminder


def clean_siret(value):
    """The SIRET as typed, without spaces, dots or dashes."""
    return re.sub(r"[\s.\-]", "", value or "")


def luhn_ok(digits):
    """The Luhn key of a string of digits (every second digit from the right doubled)."""
    total = 0
    for index, char in enumerate(reversed(digits)):
        n = int(char)
        if index % 2 == 1:
            n *= 2
            if n > 9:
                n -= 9
        total += n
    return total % 10 == 0


def with_luhn_key(digits13):
    """The 14-digit SIRET made of ``digits13`` and the last digit that makes its Luhn key right."""
    for last in "0123456789":
        if luhn_ok(digits13 + last):
            return digits13 + last
    raise ValueError(digits13)  # unreachable: one digit always fits


def siret_error(value):
    """The French message explaining why ``value`` is not a SIRET, or ``""`` when it is one.

    A SIRET is 14 digits (the 9-digit SIREN of the company, then the 5-digit NIC of the
    establishment) whose Luhn key is right. La Poste's establishments (SIREN 356 000 000) are the
    INSEE's one exception: their key may instead be that the sum of the 14 digits is a
    multiple of 5."""
    siret = clean_siret(value)
    if not siret:
        return "Indiquez le SIRET (14 chiffres)."
    if not siret.isdigit() or len(siret) != 14:
        return "Le SIRET compte 14 chiffres (SIREN de 9 chiffres puis NIC de 5 chiffres)."
    if siret.startswith(SIREN_LA_POSTE) and (luhn_ok(siret) or sum(int(c) for c in siret) % 5 == 0):
        return ""
    if not luhn_ok(siret):
        return "La clé de ce SIRET n'est pas valide (contrôle de Luhn) : vérifiez les chiffres saisis."
    return ""


def rome_error(code):
    """``""`` for a ROME code (a letter A–N then four digits, « K2204 »), else the message."""
    if ROME_PATTERN.match((code or "").strip().upper()):
        return ""
    return "Le code ROME est une lettre (A à N) suivie de quatre chiffres, par exemple K2204."


def naf_error(code):
    """``""`` for an empty or well-formed NAF code (« 56.10A » or « 5610A »), else the message."""
    code = (code or "").strip().upper()
    if not code or NAF_PATTERN.match(code):
        return ""
    return "Le code NAF s'écrit quatre chiffres et une lettre, par exemple 56.10A."


def first_of_month(day):
    return day.replace(day=1)


def last_of_month(day):
    return day.replace(day=calendar.monthrange(day.year, day.month)[1])


def jours_dans_periode(mois, debut, fin):
    """Days of the month ``mois`` (any day of it) that fall within ``debut``–``fin``."""
    start = max(first_of_month(mois), debut)
    end = min(last_of_month(mois), fin)
    return max((end - start).days + 1, 0)


def heures_max_du_mois(mois, debut, fin):
    """The most hours one person may work in the month ``mois`` within ``debut``–``fin``: 48 h a
    week over the days of that month inside the period (days / 7 × 48), rounded down to the hour."""
    jours = jours_dans_periode(mois, debut, fin)
    return (HEURES_SEMAINE_MAX * jours / 7).quantize(Decimal(1), rounding="ROUND_FLOOR")


def heures_mois_error(*, mois, heures, debut, fin):
    """The French message for ``heures`` declared for the month ``mois`` on a placement running
    ``debut``–``fin`` (the market's period, narrowed to the placement's), or ``""``:

    - the month must overlap the period;
    - the hours are positive and at most 48 h a week over the month's days in the period."""
    if heures is None or heures <= 0:
        return "Indiquez un nombre d'heures positif."
    if jours_dans_periode(mois, debut, fin) == 0:
        return (
            f"Le mois {mois:%m/%Y} est hors de la période du marché (du {debut:%d/%m/%Y} au {fin:%d/%m/%Y})."
        )
    plafond = heures_max_du_mois(mois, debut, fin)
    if heures > plafond:
        return (
            f"{heures} h en {mois:%m/%Y} dépasse 48 h par semaine sur la période "
            f"(au plus {plafond} h ce mois-ci)."
        )
    return ""


def etp(heures):
    """Full-time equivalents of ``heures`` hours: heures / 1 607, two decimals."""
    return (Decimal(heures or 0) / HEURES_ETP_AN).quantize(Decimal("0.01"))


def echeance_suivi(date_sortie):
    """When the six-month follow-up is due: the exit date plus 6 calendar months, the day clamped
    to the month's end (31/08/2026 → 28/02/2027)."""
    return add_months(date_sortie, SUIVI_MOIS)


def relance_suivi(date_sortie):
    """From when a follow-up not yet recorded calls for a reminder: exit date + 7 months."""
    return add_months(date_sortie, RELANCE_MOIS)


def etat_suivi(date_sortie, today, *, releve):
    """« a_venir », « a_faire » (due, not recorded), « relance » (7 months passed, not recorded)
    or « fait »."""
    if releve:
        return "fait"
    if today >= relance_suivi(date_sortie):
        return "relance"
    if today >= echeance_suivi(date_sortie):
        return "a_faire"
    return "a_venir"


def offre_convient(*, offre_rome, offre_code_postal, offre_heures, codes_rome, code_postal, heures_max):
    """Whether an offer fits a participant: its ROME code among ``codes_rome`` (the participant's
    projects; none given: any), in the participant's département (the first two digits of the
    postcodes; unknown: any), and at most ``heures_max`` hours a week (``None``: any)."""
    if codes_rome and offre_rome not in codes_rome:
        return False
    if code_postal and offre_code_postal and offre_code_postal[:2] != code_postal[:2]:
        return False
    return heures_max is None or offre_heures is None or offre_heures <= heures_max


def today_month(today):
    return datetime.date(today.year, today.month, 1)


def convention_dates_errors(*, date_debut, date_fin):
    """``{field: message}`` for a convention's dates: a start is needed, the end (optional: no
    fixed term) may not precede it."""
    errors = {}
    if date_debut is None:
        errors["date_debut"] = "Indiquez la date de début de la convention."
    elif date_fin is not None and date_fin < date_debut:
        errors["date_fin"] = (
            f"La fin de la convention ({date_fin:%d/%m/%Y}) précède son début ({date_debut:%d/%m/%Y})."
        )
    return errors


def convention_en_cours(*, date_signature, date_debut, date_fin, debut, fin):
    """Whether a convention counts as « en cours » during ``debut``–``fin`` (seed 004 l.1851,
    proved by « Conventions signées », l.1865–1867): signed by ``fin``, started by ``fin`` and not
    ended before ``debut`` (no end: still running)."""
    if date_signature is None or date_signature > fin or date_debut > fin:
        return False
    return date_fin is None or date_fin >= debut
