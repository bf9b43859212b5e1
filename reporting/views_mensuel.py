"""The monthly reporting to a financeur in the browser (``rapports:mensuel``) and as files
(``rapports:mensuel_export``): a PLIE picker over the PLIE whose figures the user may see, a month
picker (the previous month by default). Aggregates only, so a financeur partner of the PLIE may
read it; a PLIE outside the scope is a 404, a user with no PLIE at all a 403.

A closed month (``reporting.clotures``) is shown and downloaded from its stored version (the
latest, or ``?version=N``), with the list of its versions and, when today's data gives other
figures, the « Rectificatif » (:func:`reporting.views_clotures.rectificatif_context`); its
gestionnaire may close it (or close the next version) from the page."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from plie.core.scoping import visible_plies
from reporting import clotures, confidentialite, mensuel
from reporting.models import Cloture
from reporting.permissions import can_close_periode
from reporting.views_clotures import rectificatif_context


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


def _version(request):
    texte = request.GET.get("version", "")
    if not texte:
        return None
    if not texte.isdigit():
        raise Http404("Version inconnue.")
    return int(texte)


def _rapport(plie, annee, mois, version=None):
    """``(report, cloture or None)``: the stored version of a closed month, else today's figures;
    404 for a version never closed."""
    try:
        return clotures.rapport_servi(
            plie, Cloture.Rapport.MENSUEL, clotures.periode_texte_mois(annee, mois), version=version
        )
    except clotures.VersionInconnue:
        raise Http404("Version inconnue.") from None


@login_required
@require_GET
def mensuel_view(request):
    plies = _plies_visibles(request.scope)
    code = request.GET.get("plie") or plies[0].code
    plie = _plie(plies, code)
    annee, mois = mensuel.mois_par_defaut()
    texte_mois = request.GET.get("mois") or f"{annee:04d}-{mois:02d}"
    rapport, erreur, cloture, versions, rectif = None, None, None, [], None
    try:
        annee, mois = mensuel.lire_mois(texte_mois)
        rapport, cloture = _rapport(plie, annee, mois, _version(request))
        rapport = confidentialite.pour_scope(rapport, request.scope, [plie.pk])
    except mensuel.MoisInvalide as exc:
        erreur = str(exc)
    if cloture is not None:
        versions = list(
            Cloture.objects.filter(plie=plie, rapport=cloture.rapport, periode=cloture.periode)
            .select_related("cloturee_par")
            .defer("chiffres", "faits")
            .order_by("version")
        )
        rectif = rectificatif_context(request.scope, plie, cloture)
    derniere = versions[-1] if versions else None
    context = {
        "plies": plies,
        "plie": plie,
        "mois": texte_mois,
        "libelle_mois": mensuel.libelle_mois(annee, mois) if rapport else "",
        "rapport": rapport,
        "tableaux": tableaux_affiches(rapport) if rapport else [],
        "erreur": erreur,
        "cloture": cloture,
        "versions": versions,
        "rectificatif": rectif,
        # close: a month over, not closed yet, or closed and changed since (the latest version shown)
        "peut_cloturer": bool(
            rapport
            and rapport["statut"] == "definitif"
            and can_close_periode(request.scope, plie.pk)
            and (cloture is None or (cloture == derniere and rectif and rectif["lignes"]))
        ),
    }
    return render(request, "reporting/mensuel.html", context, status=400 if erreur else 200)


@login_required
@require_GET
def mensuel_export(request, code, mois, fmt):
    if fmt not in mensuel.EXPORTS:
        raise Http404("Format inconnu.")
    plie = _plie(_plies_visibles(request.scope), code)
    try:
        rapport, cloture = _rapport(plie, *mensuel.lire_mois(mois), version=_version(request))
        rapport = confidentialite.pour_scope(rapport, request.scope, [plie.pk])
    except mensuel.MoisInvalide as exc:
        return HttpResponse(str(exc), status=400, content_type="text/plain; charset=utf-8")
    ecrire, content_type = mensuel.EXPORTS[fmt]
    response = HttpResponse(ecrire(rapport), content_type=content_type)
    nom = mensuel.nom_fichier(rapport, fmt)
    if cloture is not None:
        nom = nom.replace(f".{fmt}", f"-v{cloture.version}.{fmt}")
    response["Content-Disposition"] = f'attachment; filename="{nom}"'
    return response
