"""The follow-up six months after exit, and the proof extractions."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from entreprises import preuves, regles, services, suivi_sortie
from entreprises.forms import SuiviSixMoisForm
from entreprises.permissions import can_record_suivi_sortie
from entreprises.views_clauses import preuves_plie_ids
from parcours.models import Parcours
from plie.core.writers import XLSX_CONTENT_TYPE

ETATS = (
    ("", "À relever ou à relancer"),
    ("a_faire", "À relever"),
    ("relance", "À relancer"),
    ("fait", "Relevés"),
)


@login_required
@require_GET
def suivi_list(request):
    scope = request.scope
    etat = request.GET.get("etat", "")
    etat = etat if etat in dict(ETATS) else ""
    rows = suivi_sortie.suivis(scope, timezone.localdate(), etat=etat)
    if rows is None:
        raise Http404
    if not etat:
        rows = [r for r in rows if r.etat != "fait"]
    page = Paginator(rows, 50).get_page(request.GET.get("page"))
    for parcours in page.object_list:
        parcours.may_record = can_record_suivi_sortie(scope, parcours)
    return render(request, "entreprises/suivi_list.html", {"page": page, "etat": etat, "etats": ETATS})


@login_required
@require_http_methods(["GET", "POST"])
def suivi_record(request, pk):
    scope = request.scope
    parcours = get_object_or_404(
        Parcours.objects.visible_to(scope).filter(date_sortie__isnull=False).select_related("participant"),
        pk=pk,
    )
    if not can_record_suivi_sortie(scope, parcours):
        raise PermissionDenied
    form = SuiviSixMoisForm(request.POST or None, initial={"date_releve": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        try:
            services.suivi_six_mois_record(scope=scope, parcours=parcours, **form.cleaned_data)
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            messages.success(request, "La situation à six mois est enregistrée.")
            return redirect("entreprises:suivi_list")
    context = {"form": form, "parcours": parcours, "echeance": regles.echeance_suivi(parcours.date_sortie)}
    return render(request, "entreprises/suivi_form.html", context)


@login_required
@require_GET
def preuves_page(request):
    preuves_plie_ids(request.scope)
    return render(request, "entreprises/preuves.html", {"extractions": preuves.EXTRACTIONS})


@login_required
@require_GET
def preuve_xlsx(request, kind):
    scope = request.scope
    if kind not in preuves.EXTRACTIONS:
        raise Http404
    plie_ids = preuves_plie_ids(scope)
    value = request.GET.get("annee", "")
    annee = int(value) if value.isdigit() and len(value) == 4 else None
    _, build = preuves.EXTRACTIONS[kind]
    response = HttpResponse(build(scope, plie_ids, annee), content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{kind}.xlsx"'
    return response
