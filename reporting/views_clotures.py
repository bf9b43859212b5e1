"""Periods that close, in the browser (``reporting.clotures``): closing a month or a year
(``rapports:cloture_create``, POST, gestionnaire or administrateur of the PLIE), the « Clôtures »
page of a PLIE (``rapports:clotures``: its closed periods, their versions and whether their data
changed since, for its gestionnaire, direction and administrateur) and the files of a closed
bilan's version (``rapports:bilan_export``: any version, for whoever sees the PLIE's figures).

The rectificatif (:func:`rectificatif_context`) is shown on the monthly page and on the
Clôtures page: each figure that differs (clôturé, actuel) and the participants behind it, named
with a link to their dossier for whoever sees the PLIE's personal data, counted for a
financeur."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from participants.models import Participant
from plie.core.scoping import visible_plies
from reporting import clotures
from reporting.exports import EXPORTS as EXPORTS_BILAN
from reporting.models import Cloture
from reporting.permissions import can_close_periode, can_view_clotures, can_view_rectificatif_participants
from reporting.services import cloture_create


def _plie(scope, code):
    """The PLIE ``code`` if ``scope`` sees its figures, else 404 (as if it did not exist)."""
    for plie in visible_plies(scope):
        if plie.code == code:
            return plie
    raise Http404("PLIE inconnu.")


def rectificatif_context(scope, plie, cloture):
    """The rectificatif of ``cloture`` against today's data: ``{"lignes": [{"libelle",
    "cloture", "actuel", "nombre", "participants": [{"nom", "url"}]}], "noms": bool}`` (the
    report's queries, plus one for the names when the reader may see them); ``lignes`` empty
    when nothing changed."""
    chiffres, faits = clotures.calculer(plie, cloture.rapport, cloture.periode)
    lignes = clotures.rectificatif(cloture.chiffres, cloture.faits, chiffres, faits)
    noms = can_view_rectificatif_participants(scope, plie.pk)
    personnes = {}
    ids = {pid for ligne in lignes for pid in ligne["participants"]}
    if noms and ids:
        personnes = {
            p.pk: p for p in Participant.objects.visible_to(scope).filter(pk__in=ids, plie_id=plie.pk)
        }
    for ligne in lignes:
        ligne["nombre"] = len(ligne["participants"])
        ligne["participants"] = (
            [
                {
                    "nom": str(personnes[pid]),
                    "url": reverse("participants:participant_detail", args=[pid]),
                }
                for pid in ligne["participants"]
                if pid in personnes
            ]
            if noms
            else []
        )
    return {"lignes": lignes, "noms": noms}


def _retour(rapport, plie, periode):
    if rapport == Cloture.Rapport.MENSUEL:
        return f"{reverse('rapports:mensuel')}?plie={plie.code}&mois={periode}"
    return f"{reverse('rapports:clotures')}?plie={plie.code}"


@login_required
@require_POST
def cloture_create_view(request):
    """Close the period posted (``plie``, ``rapport``, ``periode``): version 1, or the next version
    after a rectificatif."""
    scope = request.scope
    plie = _plie(scope, request.POST.get("plie", ""))
    if not can_close_periode(scope, plie.pk):
        raise PermissionDenied("Vous ne pouvez pas clôturer les périodes de ce PLIE.")
    rapport, periode = request.POST.get("rapport", ""), request.POST.get("periode", "").strip()
    if rapport not in Cloture.Rapport.values:
        raise Http404("Rapport inconnu.")
    try:
        cloture = cloture_create(scope=scope, plie=plie, rapport=rapport, periode=periode)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(
            request,
            f"{cloture.get_rapport_display()} — {clotures.libelle_periode(rapport, periode)} clôturé "
            f"(version {cloture.version}). Il sera désormais présenté tel que clôturé.",
        )
    return redirect(_retour(rapport, plie, periode))


@login_required
@require_GET
def clotures_view(request):
    """The closed periods of a PLIE (``?plie=CODE``, else the first whose closures the user may
    follow): per period its versions, who closed them and when, and its state (« conforme », or
    « données modifiées depuis le … » as the nightly check left it); a form to close a year or a
    month. ``?detail=<id>`` adds the rectificatif of that version."""
    scope = request.scope
    plies = [p for p in visible_plies(scope).order_by("code") if can_view_clotures(scope, p.pk)]
    if not plies:
        raise PermissionDenied("Aucun PLIE dont vous suivez les clôtures.")
    code = request.GET.get("plie") or plies[0].code
    plie = next((p for p in plies if p.code == code), None)
    if plie is None:
        raise Http404("PLIE inconnu.")
    liste = list(
        Cloture.objects.filter(plie=plie)
        .select_related("cloturee_par")
        .defer("chiffres", "faits")
        .order_by("rapport", "-periode", "-version")
    )
    periodes = {}
    for cloture in liste:
        cloture.libelle_periode = clotures.libelle_periode(cloture.rapport, cloture.periode)
        cle = (cloture.rapport, cloture.periode)
        periodes.setdefault(cle, []).append(cloture)
    detail, rectif = None, None
    if request.GET.get("detail", "").isdigit():
        detail = (
            Cloture.objects.filter(plie=plie, pk=int(request.GET["detail"]))
            .select_related("cloturee_par")
            .first()
        )
        if detail is None:
            raise Http404("Clôture inconnue.")
        rectif = rectificatif_context(scope, plie, detail)
    context = {
        "plies": plies,
        "plie": plie,
        "periodes": [
            {
                "rapport": rapport,
                "periode": periode,
                "derniere": versions[0],
                "versions": versions,
                "etat": clotures.etat(versions[0]),
            }
            for (rapport, periode), versions in periodes.items()
        ],
        "detail": detail,
        "rectificatif": rectif,
        "peut_cloturer": can_close_periode(scope, plie.pk),
    }
    return render(request, "reporting/clotures.html", context)


@login_required
@require_GET
def bilan_export(request, code, annee, fmt):
    """A bilan's file (JSON, CSV, XLSX, PDF) as served: the stored version of a closed year (the
    latest, or ``?version=N``), else computed from today's data."""
    if fmt not in EXPORTS_BILAN and fmt != "pdf":
        raise Http404("Format inconnu.")
    plie = _plie(request.scope, code)
    version = request.GET.get("version")
    try:
        bilan, _ = clotures.rapport_servi(
            plie, Cloture.Rapport.BILAN, f"{int(annee):04d}", version=int(version) if version else None
        )
    except (clotures.VersionInconnue, ValueError):
        raise Http404("Version inconnue.") from None
    if fmt == "pdf":
        from reporting.pdf import render_bilan  # WeasyPrint is loaded only when needed

        response = HttpResponse(render_bilan(bilan, plie_nom=plie.nom), content_type="application/pdf")
    else:
        ecrire, content_type = EXPORTS_BILAN[fmt]
        response = HttpResponse(ecrire(bilan), content_type=content_type)
    suffixe = f"-v{bilan['cloture']['version']}" if bilan.get("cloture") else ""
    response["Content-Disposition"] = f'attachment; filename="bilan-{plie.code}-{annee}{suffixe}.{fmt}"'
    return response
