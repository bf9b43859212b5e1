"""Retention rules (docs/domaine.md §9): when a person's data become anonymisable, what the
nightly job does with them on a given day, how a birth date is generalised. Pure functions over
plain values; table-driven tests in ``tests/rgpd/test_conservation.py``."""

import datetime

A_ANONYMISER = "a_anonymiser"
PREAVIS = "preavis"
OPPOSE = "oppose"


def add_years(day, years):
    """``day`` plus ``years`` years (29 February becomes 28 February in a common year)."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def echeance(*, fin, annees, fse, fin_controle_fse):
    """The day from which a person's personal data are anonymised.

    ``fin``: the end of their last parcours (the day their dossier was created when they never
    had one); ``annees``: the PLIE's retention after it. A person with FSE data (an enrolment in
    an FSE operation) keeps them until the programme's control deadline ``fin_controle_fse``
    (31/12/2033 for 2014–2020): the later of the two dates wins, the day after the deadline."""
    day = add_years(fin, annees)
    if fse:
        day = max(day, fin_controle_fse + datetime.timedelta(days=1))
    return day


def statut(*, echeance, today, preavis_jours, opposition_jusqu_au=None):
    """What the nightly run of ``today`` does with a person due on ``echeance``:

    - :data:`OPPOSE`: a référent objected until a day not yet passed: nothing, whatever the date;
    - :data:`A_ANONYMISER`: due (``echeance <= today``): anonymised tonight;
    - :data:`PREAVIS`: due within ``preavis_jours`` days: listed in the report of the next runs,
      a référent may still object;
    - ``None``: not yet concerned."""
    if (
        opposition_jusqu_au is not None
        and opposition_jusqu_au >= today
        and echeance <= today + _days(preavis_jours)
    ):
        return OPPOSE
    if echeance <= today:
        return A_ANONYMISER
    if echeance <= today + _days(preavis_jours):
        return PREAVIS
    return None


def _days(n):
    return datetime.timedelta(days=n)


def age_at(naissance, day):
    return day.year - naissance.year - ((day.month, day.day) < (naissance.month, naissance.day))


def date_naissance_generalisee(naissance, references):
    """The birth date kept after anonymisation: the first day of its month when that changes no
    age at the ``references`` dates (entry dates: the FSE and bilan age brackets are computed
    there), else the date itself. Statistics stay exact; the day, a strong identifier, goes."""
    premier = naissance.replace(day=1)
    if all(age_at(premier, day) == age_at(naissance, day) for day in references if day is not None):
        return premier
    return naissance
