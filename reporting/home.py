"""The reporting panels of the home page (see :mod:`plie.core.home`), registered by
``ReportingConfig.ready()``: aggregated figures of the annual flow table (``reporting.flux``,
one query) for the PLIE whose figures the user may see — never a name, so the financeur's panel
is safe too."""

from reporting import confidentialite, indicateurs
from reporting.flux import FluxIncoherent, Periode, compter, flux_depuis
from reporting.selectors import perimetre_for
from reporting.views import pourcentage


def chiffres_cles(scope, annee, today):
    """Entrées, sorties, sorties positives and the positive-exit rate (over the exits) of
    ``annee`` for the scope's PLIE, from the flow table (1 query). ``incoherent`` holds the
    message when the data breaks the flow table's invariant (the figures are then not shown)."""
    compteurs = compter(perimetre_for(scope), Periode.annee(annee))
    try:
        flux = flux_depuis(compteurs)
    except FluxIncoherent as exc:
        return {"annee": annee, "incoherent": str(exc)}
    sorties = indicateurs.total_sorties(flux)
    positives = flux["sorties_positives"]["total"]
    return {
        "annee": annee,
        "incoherent": "",
        "entrees": flux["entrees"],
        "sorties": sorties,
        "sorties_positives": positives,
        "en_parcours_fin": flux["en_parcours_fin"],
        "fin_libelle": "aujourd'hui" if annee >= today.year else f"au 31/12/{annee}",
        "taux_sorties_positives": pourcentage(indicateurs.taux_sorties_positives(positives, sorties)),
    }


def _pour_scope(chiffres, scope):
    """Small counts « < 5 » and the rate withheld next to them for an aggregate-only reader (a
    financeur, an OI membership: ``reporting.confidentialite``)."""
    if not confidentialite.agrege_seulement(scope, scope.plie_ids) or chiffres.get("incoherent"):
        return chiffres
    annee = chiffres.pop("annee")
    chiffres = {**confidentialite.masquer(chiffres), "annee": annee}
    if any(str(chiffres.get(cle, "")).startswith("<") for cle in ("sorties", "sorties_positives")):
        chiffres["taux_sorties_positives"] = confidentialite.NON_COMMUNIQUE
    return chiffres


def bilan_annuel(scope, today):
    """« Bilan annuel »: last year's key figures, with links to the bilan PDF request and to the
    monthly report."""
    chiffres = _pour_scope(chiffres_cles(scope, today.year - 1, today), scope)
    return {"template": "reporting/includes/home_bilan.html", **chiffres}


def taux_annee(scope, today):
    """« Taux de sorties positives »: the current year's figures so far."""
    chiffres = _pour_scope(chiffres_cles(scope, today.year, today), scope)
    return {"template": "reporting/includes/home_taux.html", **chiffres}


def indicateurs_agreges(scope, today):
    """« Indicateurs agrégés » of the financed PLIE: the current year's figures so far, small
    counts shown « < 5 » and the rate withheld next to them (``reporting.confidentialite``)."""
    chiffres = _pour_scope(chiffres_cles(scope, today.year, today), scope)
    return {"template": "reporting/includes/home_agregats.html", **chiffres}
