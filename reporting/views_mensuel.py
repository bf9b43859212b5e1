"""The monthly reporting to a financeur in the browser (``rapports:mensuel``) and as files
(``rapports:mensuel_export``): a PLIE picker over the PLIE whose figures the user may see, a month
picker (the previous month by default). Aggregates only, so a financeur partner of the PLIE may
read it; a PLIE outside the scope is a 404, a user with no PLIE at all a 403."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from plie.core.scoping import visible_plies
from reporting import confidentialite, mensuel
from reporting.selectors import Perimetre


def _plies_visibles(scope):
    plies = list(visible_plies(scope).order_by("code"))
    if not plies:
        raise PermissionDenied("Aucun PLIE dans votre périmètre.")
    return plies


def _plie(plies, code):
    """The PLIE ``code`` among those visible, else 404 (as if it did not exist)."""
    for plie in plies:
        if plie.code == code:
            return plie
    raise Http404("PLIE inconnu.")


NNBSP = "\u202f"


def _cellule(valeur, taux=False):
    """A cell as the page shows it: « 12 345 », « 42,3 % », « non calculable », « — »."""
    if valeur is None:
        return "non calculable" if taux else "—"
    if isinstance(valeur, str):  # « < 5 », « n.c. » (reporting.confidentialite)
        return valeur
    if taux:
        return f"{valeur * 100:,.1f}".replace(",", NNBSP).replace(".", ",") + f"{NNBSP}%"
    if isinstance(valeur, int):
        return f"{valeur:,d}".replace(",", NNBSP)
    return valeur


def _niveau(libelle):
    """Indentation of a « dont … » line: 1 under the exits, 2 under a kind of exit."""
    if not isinstance(libelle, str) or not libelle.startswith("dont "):
        return 0
    return 1 if libelle.startswith("dont sorties") else 2


def tableaux_affiches(rapport):
    """The report's tables with every figure formatted the French way."""
    return [
        {
            "titre": tableau.titre,
            "entetes": tableau.entetes,
            "lignes": [
                {
                    "niveau": _niveau(ligne[0]),
                    "cellules": [
                        _cellule(valeur, i in tableau.colonnes_taux) for i, valeur in enumerate(ligne)
                    ],
                }
                for ligne in tableau.lignes
            ],
        }
        for tableau in mensuel.tableaux(rapport)
    ]


def _rapport(plie, annee, mois):
    return mensuel.reporting_mensuel(Perimetre(frozenset({plie.pk})), annee, mois, codes=[plie.code])


@login_required
@require_GET
def mensuel_view(request):
    plies = _plies_visibles(request.scope)
    code = request.GET.get("plie") or plies[0].code
    plie = _plie(plies, code)
    annee, mois = mensuel.mois_par_defaut()
    texte_mois = request.GET.get("mois") or f"{annee:04d}-{mois:02d}"
    rapport, erreur = None, None
    try:
        annee, mois = mensuel.lire_mois(texte_mois)
        rapport = confidentialite.pour_scope(_rapport(plie, annee, mois), request.scope, [plie.pk])
    except mensuel.MoisInvalide as exc:
        erreur = str(exc)
    context = {
        "plies": plies,
        "plie": plie,
        "mois": texte_mois,
        "libelle_mois": mensuel.libelle_mois(annee, mois) if rapport else "",
        "rapport": rapport,
        "tableaux": tableaux_affiches(rapport) if rapport else [],
        "erreur": erreur,
    }
    return render(request, "reporting/mensuel.html", context, status=400 if erreur else 200)


@login_required
@require_GET
def mensuel_export(request, code, mois, fmt):
    if fmt not in mensuel.EXPORTS:
        raise Http404("Format inconnu.")
    plie = _plie(_plies_visibles(request.scope), code)
    try:
        rapport = confidentialite.pour_scope(
            _rapport(plie, *mensuel.lire_mois(mois)), request.scope, [plie.pk]
        )
    except mensuel.MoisInvalide as exc:
        return HttpResponse(str(exc), status=400, content_type="text/plain; charset=utf-8")
    ecrire, content_type = mensuel.EXPORTS[fmt]
    response = HttpResponse(ecrire(rapport), content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{mensuel.nom_fichier(rapport, fmt)}"'
    return response
