"""French month names, as the pages, charts and PDF print them."""

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
