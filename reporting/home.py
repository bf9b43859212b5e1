"""The reporting panels of the home page (see :mod:`plie.core.home`), registered by
``ReportingConfig.ready()``: aggregated figures of the annual flow table (``reporting.flux``)
for the PLIE whose figures the user may see — never a name, so the financeur's panel is safe too.

The figures come from the nightly snapshots (:class:`reporting.models.SnapshotPlie`, refreshed
by ``reporting.tasks.nightly_consolidation``) when every PLIE of the scope has one of today or
yesterday: the current year to the snapshot's day, or the whole previous year as counted that
night; the panel then says « Chiffres au jj/mm/aaaa ». Otherwise they are counted live (one
query). At 300,000 participants the live count aggregates every parcours of the scope on each
display (issue 17): 2 queries at most, whatever the data size."""

from reporting import confidentialite, indicateurs
from reporting.dashboards import snapshots_utilisables
from reporting.flux import FluxIncoherent, Periode, compteurs_flux, en_parcours_pendant, flux_depuis
from reporting.selectors import perimetre_for
from reporting.views import pourcentage


def compter_live(perimetre, periode):
    """The counts of ``reporting.flux.compter`` that :func:`reporting.flux.flux_depuis` reads,
    over the parcours in parcours during the period only: every count implies it (an exit dates
    on or after the entry, ``parcours_sortie_after_entree``), so the figures are the same, with
    fewer rows to aggregate for a past year (one query)."""
    return perimetre.parcours().filter(en_parcours_pendant(periode)).aggregate(**compteurs_flux(periode))


def _somme(a, b):
    """The sum of two flow tables (or counts), key by key (a key missing from one side, as in a
    row written by an older version, is left out)."""
    if isinstance(a, dict):
        return {cle: _somme(a[cle], b[cle]) for cle in a if cle in b}
    return a + b


def _depuis_snapshots(scope, annee, today):
    """``(flux or counts, day)`` of ``annee`` from the snapshots of the scope's PLIE, summed;
    ``(None, None)`` when they cannot give it (one query)."""
    snapshots = snapshots_utilisables(sorted(scope.plie_ids), today)
    if not snapshots:
        return None, None
    jour = next(iter(snapshots.values())).jour
    if annee == jour.year:
        valeurs = [s.indicateurs["flux"] for s in snapshots.values()]
    elif annee == jour.year - 1:
        valeurs = [s.indicateurs.get("compteurs_annee_precedente") for s in snapshots.values()]
        if any(v is None for v in valeurs):  # a row written before the key existed
            return None, None
    else:
        return None, None
    premiere, *autres = valeurs
    for valeur in autres:
        premiere = _somme(premiere, valeur)
    return premiere, jour


def chiffres_cles(scope, annee, today):
    """Entrées, sorties, sorties positives and the positive-exit rate (over the exits) of
    ``annee`` for the scope's PLIE, from the flow table: from the nightly snapshots when they
    have it (``au``: their day), else counted live (2 queries at most). ``incoherent`` holds the
    message when the data breaks the flow table's invariant (the figures are then not shown)."""
    valeurs, au = _depuis_snapshots(scope, annee, today)
    try:
        if au is not None and annee == au.year:
            flux = valeurs  # the snapshot's flow table of the year to date, invariant checked
        elif au is not None:
            flux = flux_depuis(valeurs)
        else:
            flux = flux_depuis(compter_live(perimetre_for(scope), Periode.annee(annee)))
    except FluxIncoherent as exc:
        return {"annee": annee, "au": au, "incoherent": str(exc)}
    sorties = indicateurs.total_sorties(flux)
    positives = flux["sorties_positives"]["total"]
    if annee < today.year:
        fin_libelle = f"au 31/12/{annee}"
    elif au is not None:
        fin_libelle = f"au {au:%d/%m/%Y}"
    else:
        fin_libelle = "aujourd'hui"
    return {
        "annee": annee,
        "au": au,
        "incoherent": "",
        "entrees": flux["entrees"],
        "sorties": sorties,
        "sorties_positives": positives,
        "en_parcours_fin": flux["en_parcours_fin"],
        "fin_libelle": fin_libelle,
        "taux_sorties_positives": pourcentage(indicateurs.taux_sorties_positives(positives, sorties)),
    }


def _pour_scope(chiffres, scope):
    """Small counts « < 5 » and the rate withheld next to them for an aggregate-only reader (a
    financeur, an OI membership: ``reporting.confidentialite``)."""
    if not confidentialite.agrege_seulement(scope, scope.plie_ids) or chiffres.get("incoherent"):
        return chiffres
    annee, au = chiffres.pop("annee"), chiffres.pop("au")
    chiffres = {**confidentialite.masquer(chiffres), "annee": annee, "au": au}
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
