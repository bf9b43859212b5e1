"""The indicators of docs/domaine.md §7 as pure functions over counts (no database here).

Every rate is a fraction between 0 and 1, **not rounded** (rounding is for whoever displays it),
and ``None`` when its denominator is 0: a rate over nothing is unknown, never 0 and never a
division error. The counts come from ``reporting.flux``."""

# Days in an average Gregorian month (365.25 / 12): durations in months are days / this.
JOURS_PAR_MOIS = 365.25 / 12


def taux(numerateur, denominateur):
    """numérateur / dénominateur, or ``None`` when the denominator is 0 (or unknown)."""
    if not denominateur:
        return None
    return numerateur / denominateur


def taux_sorties_positives(sorties_positives, sorties):
    """Taux de sorties positives = sorties positives / total des sorties, over a period.

    docs/domaine.md §7 « Taux de sorties positives » (``001`` l.526–530, « sur total des sorties »)."""
    return taux(sorties_positives, sorties)


def taux_sorties_positives_hors_neutralisees(sorties_positives, sorties, neutralisees):
    """Sorties positives / (sorties − sorties neutralisées).

    docs/domaine.md §7, variant « hors déménagements, décès, retraite » (``001`` l.514, l.521–530): the
    moves, deaths and retirements are not imputable to the PLIE and are taken out of the
    denominator — those only (the national class ``demenagement_deces_retraite``), not an
    incarceration nor a maternity, which the national table counts in « autres »."""
    return taux(sorties_positives, sorties - neutralisees)


def taux_sorties_positives_hors_neutralisees_plie(sorties_positives, sorties, neutralisees_plie):
    """Sorties positives / (sorties − the exits the PLIE itself neutralises).

    docs/domaine.md §5: a PLIE may also neutralise, in its own rates, an incarceration of more than 3
    months or a maternity without return (its exit types of category « neutralisée »); the
    report says so next to the national rate, never instead of it."""
    return taux(sorties_positives, sorties - neutralisees_plie)


def taux_sorties_positives_sur_entrees(sorties_positives, entrees):
    """Sorties positives of the period / entrées of the same period.

    docs/domaine.md §7, variant « sur total des entrées » (``001`` l.526–530)."""
    return taux(sorties_positives, entrees)


def taux_abandons(abandons, sorties):
    """Taux d'abandons = abandons / total des sorties (also per category of public).

    docs/domaine.md §7 « Taux d'abandons » (``001`` l.540–575)."""
    return taux(abandons, sorties)


def duree_moyenne_mois(total_jours, sorties):
    """Durée moyenne des parcours, in months, of the participants who exited in the period:
    Σ (date de sortie − date d'entrée) in days / number of exits / 30.4375 (an average month,
    365.25 / 12). ``None`` when nobody exited.

    docs/domaine.md §7 « Durée moyenne des parcours (entry to exit, in months) for exited participants »
    (``001`` l.750: 26 months on average in 2016)."""
    moyenne_jours = taux(total_jours, sorties)
    return None if moyenne_jours is None else moyenne_jours / JOURS_PAR_MOIS


def total_sorties(flux):
    """Exits of the period: sorties positives + sorties sans suite (the flow table has no
    separate total line), + the exits « en cours de validation » where the report counts them
    (the monthly report, ``reporting.regles_comptage``)."""
    return (
        flux["sorties_positives"]["total"]
        + flux.get("sorties_en_cours_validation", 0)
        + flux["sorties_sans_suite"]["total"]
    )


def taux_du_flux(flux):
    """The rates of the annual flow table, side by side (the ``taux`` of the bilan): the four
    national ones and the rate without the PLIE's own neutralised exits.

    ``flux`` is the dict of :func:`reporting.flux.flux_annuel`."""
    positives = flux["sorties_positives"]["total"]
    sorties = total_sorties(flux)
    return {
        "sorties_positives_sur_sorties": taux_sorties_positives(positives, sorties),
        "sorties_positives_hors_neutralisees": taux_sorties_positives_hors_neutralisees(
            positives, sorties, flux["sorties_sans_suite"]["neutralisees"]
        ),
        # unknown (None) for a flow table without the PLIE's categories (the national figures)
        "sorties_positives_hors_neutralisees_plie": taux_sorties_positives_hors_neutralisees_plie(
            positives, sorties, flux["sorties_par_categorie"]["neutralisee"]
        )
        if "sorties_par_categorie" in flux
        else None,
        "sorties_positives_sur_entrees": taux_sorties_positives_sur_entrees(positives, flux["entrees"]),
        "abandons_sur_sorties": taux_abandons(flux["sorties_sans_suite"]["abandons"], sorties),
    }


def entretiens_par_participant_par_mois(entretiens, participants_mois):
    """Intensity of accompaniment: entretiens / participant-months in parcours.

    ``participants_mois`` is Σ over the months of the participants in parcours during the month
    (issue 7, « entretiens per participant per month »; the calls for projects ask for at least
    one a month, docs/domaine.md §3.4, ``003`` l.450, l.835, l.975)."""
    return taux(entretiens, participants_mois)


def part_sans_contact(sans_contact, participants):
    """Share of the participants in parcours during a month with no entretien in that month."""
    return taux(sans_contact, participants)
