"""Social clauses: the markets, the participants placed on them and their monthly hours, and
the tableau d'impact (page and XLSX). A market outside ``Marche.objects.visible_to(scope)`` is
a 404; :mod:`entreprises.permissions` says who may change what."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Sum
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from entreprises import impact, services
from entreprises.forms import HeuresForm, MarcheForm, PlacementForm
from entreprises.models import Marche, Placement
from entreprises.permissions import EMPLOYER_SIDE_ROLES, can_export_preuves, can_manage_clauses
from entreprises.services import MARCHE_FIELDS
from participants.models import Participant
from plie.core.models import Structure
from plie.core.writers import XLSX_CONTENT_TYPE


def _visible_marche(scope, pk):
    return get_object_or_404(Marche.objects.visible_to(scope).select_related("attributaire", "plie"), pk=pk)


def _managed_marche(scope, pk):
    marche = _visible_marche(scope, pk)
    if not can_manage_clauses(scope, marche.plie_id):
        raise PermissionDenied
    return marche


def _year(request):
    value = request.GET.get("annee", "")
    return int(value) if value.isdigit() and len(value) == 4 else None


@login_required
@require_GET
def marche_list(request):
    scope = request.scope
    if not scope.employer_plie_ids:
        raise Http404
    marches = (
        Marche.objects.visible_to(scope)
        .select_related("attributaire")
        .annotate(
            heures_realisees=Sum("placements__heures__heures"),
            nb_placements=Count("placements", distinct=True),
        )
        .order_by("-date_debut", "reference", "lot")
    )
    manageable = [p for p in scope.employer_plie_ids if scope.has_role(*EMPLOYER_SIDE_ROLES, plie_id=p)]
    may_prove = any(can_export_preuves(scope, p) for p in scope.employer_plie_ids)
    context = {"marches": marches, "may_create": bool(manageable), "may_prove": may_prove}
    return render(request, "entreprises/marche_list.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def marche_create(request):
    scope = request.scope
    plie_ids = sorted(p for p in scope.employer_plie_ids if can_manage_clauses(scope, p))
    if not plie_ids:
        raise PermissionDenied
    form = MarcheForm(request.POST or None, plie_ids=plie_ids)
    if request.method == "POST" and form.is_valid():
        values = {f: form.cleaned_data[f] for f in MARCHE_FIELDS}
        try:
            marche = services.marche_create(scope=scope, plie_id=form.cleaned_data["plie"].pk, **values)
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            messages.success(request, "Le marché est enregistré.")
            return redirect("entreprises:marche_detail", marche.pk)
    return render(request, "entreprises/marche_form.html", {"form": form})


@login_required
@require_GET
def marche_detail(request, pk):
    scope = request.scope
    marche = _visible_marche(scope, pk)
    placements = list(
        Placement.objects.filter(marche=marche).select_related("participant").prefetch_related("heures")
    )
    for placement in placements:
        placement.total = sum((h.heures for h in placement.heures.all()), 0)
    realisees = sum((p.total for p in placements), 0)
    context = {
        "marche": marche,
        "placements": placements,
        "realisees": realisees,
        "restantes": max(marche.heures_requises - realisees, 0),
        "may_manage": can_manage_clauses(scope, marche.plie_id),
    }
    return render(request, "entreprises/marche_detail.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def placement_create(request, pk):
    scope = request.scope
    marche = _managed_marche(scope, pk)
    participants = Participant.objects.filter(
        plie_id=marche.plie_id, parcours__date_entree__isnull=False
    ).distinct()
    form = PlacementForm(request.POST or None, participants=participants.order_by("nom", "prenom"))
    if request.method == "POST" and form.is_valid():
        try:
            services.placement_add(scope=scope, marche=marche, **form.cleaned_data)
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            messages.success(request, "Le participant est placé sur le marché.")
            return redirect("entreprises:marche_detail", marche.pk)
    context = {"form": form, "marche": marche, "titre": "Placer un participant"}
    return render(request, "entreprises/marche_sous_form.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def heures_create(request, pk):
    scope = request.scope
    placement = get_object_or_404(
        Placement.objects.filter(marche__in=Marche.objects.visible_to(scope)).select_related(
            "marche", "participant"
        ),
        pk=pk,
    )
    if not can_manage_clauses(scope, placement.marche.plie_id):
        raise PermissionDenied
    form = HeuresForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.heures_declare(scope=scope, placement=placement, **form.cleaned_data)
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            messages.success(request, "Les heures sont enregistrées.")
            return redirect("entreprises:marche_detail", placement.marche_id)
    titre = f"Heures de {placement.participant.nom.upper()} {placement.participant.prenom}"
    return render(
        request,
        "entreprises/marche_sous_form.html",
        {"form": form, "marche": placement.marche, "titre": titre},
    )


def preuves_plie_ids(scope):
    """The PLIE whose proofs and tableau d'impact ``scope`` may download (none: a 404)."""
    plie_ids = [p for p in scope.employer_plie_ids if can_export_preuves(scope, p)]
    if not plie_ids:
        raise Http404
    return plie_ids


@login_required
@require_GET
def impact_page(request):
    scope = request.scope
    plie_ids = preuves_plie_ids(scope)
    annee = _year(request)
    donneur = request.GET.get("donneur", "")
    table = impact.tableau(scope, plie_ids=plie_ids, annee=annee, donneur_ordre=donneur)
    context = {
        **table,
        "annee": annee,
        "donneur": donneur,
        "categories": [impact.CATEGORY_LABELS[k] for k in impact.CATEGORIES],
        "query": request.GET.urlencode(),
    }
    return render(request, "entreprises/impact.html", context)


@login_required
@require_GET
def impact_xlsx(request):
    scope = request.scope
    table = impact.tableau(
        scope,
        plie_ids=preuves_plie_ids(scope),
        annee=_year(request),
        donneur_ordre=request.GET.get("donneur", ""),
    )
    response = HttpResponse(impact.xlsx(table), content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = 'attachment; filename="tableau-impact-clauses.xlsx"'
    return response


@login_required
@require_GET
def impact_pdf(request):
    scope = request.scope
    plie_ids = preuves_plie_ids(scope)
    annee, donneur = _year(request), request.GET.get("donneur", "")
    table = impact.tableau(scope, plie_ids=plie_ids, annee=annee, donneur_ordre=donneur)
    plies = ", ".join(Structure.objects.filter(pk__in=plie_ids).order_by("nom").values_list("nom", flat=True))
    response = HttpResponse(
        impact.pdf(table, plies=plies, annee=annee, donneur=donneur), content_type="application/pdf"
    )
    response["Content-Disposition"] = 'attachment; filename="tableau-impact-clauses.pdf"'
    return response
