"""Dates as users read and type them: jj/mm/aaaa, and the French month names.

One formatter (:func:`format_date`) and one parser (:func:`parse_date`) for every page, message,
import, export, command and query parameter. Forms use Django's ``DateField`` (the French
locale's input formats); code that reads a date outside a form (a file cell, a command-line
argument, a query parameter, the search box) calls :func:`parse_date`.
"""

import datetime
import re

# jj/mm/aaaa (a day or month of one digit is accepted, as people type it) or aaaa-mm-jj (what a
# browser or a spreadsheet writes; a spreadsheet's date cell read as text may add « 00:00:00 »).
_DATE_FR = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$")
_DATE_FR_STRICT = re.compile(r"^(\d{2})/(\d{2})/(\d{4})$")
_DATE_ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T]00:00(?::00)?)?$")
FORMATS = "jj/mm/aaaa ou aaaa-mm-jj"
FORMAT_FR = "jj/mm/aaaa"
# The same layouts for a ``forms.DateField`` that must not take more (the French locale's
# default also takes jj/mm/aa): jj/mm/aaaa only, or also aaaa-mm-jj.
INPUT_FORMATS_FR = ("%d/%m/%Y",)
INPUT_FORMATS = (*INPUT_FORMATS_FR, "%Y-%m-%d")


class DateInvalide(ValueError):
    """A text that is not a real date; ``str()`` is a French message quoting the text.

    ``raison`` says which: ``"format"`` (not written as accepted) or ``"inexistante"`` (31/02)."""

    def __init__(self, valeur, raison, *, formats=FORMATS):
        self.valeur, self.raison = valeur, raison
        if raison == "inexistante":
            message = f"« {valeur} » n'est pas une date qui existe."
        else:
            message = f"« {valeur} » n'est pas une date au format {formats}."
        super().__init__(message)


def format_date(day, empty=""):
    """``day`` (a date or datetime) written jj/mm/aaaa: « 05/03/2026 »; ``empty`` when ``None``."""
    if day is None:
        return empty
    return f"{day:%d/%m/%Y}"


def parse_date(value, *, iso=True, strict=False):
    """The date typed in ``value``; ``None`` when it is empty; :class:`DateInvalide` otherwise.

    Accepted: a ``date`` (returned as it is, a ``datetime`` cut to its day), ``jj/mm/aaaa`` with
    a day or month of one or two digits (« 1/3/2026 »), and ``aaaa-mm-jj`` (optionally followed
    by a midnight time, as a spreadsheet's date cell reads as text) unless ``iso=False``.
    Surrounding spaces are ignored. ``strict=True`` accepts only ``jj/mm/aaaa`` with two-digit
    day and month and nothing around it (the layout the Ma Démarche FSE file requires).
    """
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    raw = "" if value is None else str(value)
    raw = raw if strict else raw.strip()
    if not raw:
        return None
    match = (_DATE_FR_STRICT if strict else _DATE_FR).match(raw)
    if match:
        day, month, year = (int(group) for group in match.groups())
    else:
        iso = iso and not strict
        match = _DATE_ISO.match(raw) if iso else None
        if not match:
            raise DateInvalide(raw, "format", formats=FORMATS if iso else FORMAT_FR)
        year, month, day = (int(group) for group in match.groups())
    try:
        return datetime.date(year, month, day)
    except ValueError:
        raise DateInvalide(raw, "inexistante") from None


# --- Month names --------------------------------------------------------------------------------

MOIS_COURTS = (
    "janv.",
    "févr.",
    "mars",
    "avr.",
    "mai",
    "juin",
    "juil.",
    "août",
    "sept.",
    "oct.",
    "nov.",
    "déc.",
)
MOIS_LONGS = (
    "janvier",
    "février",
    "mars",
    "avril",
    "mai",
    "juin",
    "juillet",
    "août",
    "septembre",
    "octobre",
    "novembre",
    "décembre",
)


def mois_court(day):
    """« janv. 26 » (a chart's axis label)."""
    return f"{MOIS_COURTS[day.month - 1]} {day:%y}"


def mois_long(annee, mois):
    """« janvier 2017 »."""
    return f"{MOIS_LONGS[mois - 1]} {annee}"
