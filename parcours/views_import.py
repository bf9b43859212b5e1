"""The legacy import's pages, for the PLIE's administrateur: upload a file (a Celery task
validates then imports it), follow its progress (htmx polling the job row), download the error
report; the list of past imports lets them leave and come back.

Anybody without the administrateur role gets a 403 if they belong to a PLIE, a 404 otherwise;
an import of another PLIE is a 404."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import transaction
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from parcours import permissions
from parcours.forms_import import ImportParcoursForm
from parcours.importation.lecture import COLONNES, COLONNES_OBLIGATOIRES
from parcours.importation.services import rapport_csv_lignes
from parcours.models import ImportParcours
from parcours.referentiels import TYPES_SORTIE
from plie.core.models import Structure
from plie.core.writers import BOM, CsvWriter

PAGE_SIZE = 20


def _admin_plies(scope):
    """The PLIE ``scope`` administers (403 if they have a PLIE but administer none, else 404)."""
    ids = [pid for pid in scope.personal_plie_ids if permissions.can_import_parcours(scope, pid)]
    if not ids:
        if scope.plie_ids:
            raise PermissionDenied
        raise Http404("Aucun PLIE ne vous est accessible.")
    return list(Structure.objects.plies().filter(pk__in=ids).order_by("nom"))


def _import_en_cours(form):
    """One import at a time per PLIE: a form error when one is still running."""
    en_cours = ImportParcours.objects.filter(
        plie=form.cleaned_data["plie"],
        status__in=[
            ImportParcours.Status.EN_ATTENTE,
            ImportParcours.Status.VALIDATION,
            ImportParcours.Status.IMPORT,
        ],
    ).exists()
    if en_cours:
        form.add_error("fichier", "Un import est déjà en cours pour ce PLIE : attendez qu'il se termine.")
    return en_cours


def _job(scope, pk):
    return get_object_or_404(
        ImportParcours.objects.visible_to(scope).select_related("plie", "created_by"), pk=pk
    )


@login_required
@require_http_methods(["GET", "POST"])
def import_list(request):
    plies = _admin_plies(request.scope)
    form = ImportParcoursForm(request.POST or None, request.FILES or None, plies=plies)
    if request.method == "POST" and form.is_valid() and not _import_en_cours(form):
        from parcours.tasks_import import run_import_parcours

        fichier = form.cleaned_data["fichier"]
        job = ImportParcours.objects.create(
            plie=form.cleaned_data["plie"],
            fichier=fichier,
            nom_original=fichier.name[:255],
            dry_run=form.cleaned_data["dry_run"],
            created_by=request.user,
        )
        transaction.on_commit(lambda: run_import_parcours.delay(job.pk))
        messages.success(request, f"Fichier « {job.nom_original} » déposé : la vérification commence.")
        return redirect("parcours:import_detail", pk=job.pk)
    jobs = ImportParcours.objects.filter(plie__in=plies).select_related("plie", "created_by")
    page = Paginator(jobs, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "parcours/import/import_list.html",
        {
            "form": form,
            "page": page,
            "plies": plies,
            "colonnes_obligatoires": COLONNES_OBLIGATOIRES,
            "colonnes": COLONNES,
            "codes_sortie": [code for code, *_ in TYPES_SORTIE],
        },
    )


@login_required
@require_GET
def import_detail(request, pk):
    job = _job(request.scope, pk)
    return render(request, "parcours/import/import_detail.html", {"job": job, "erreurs": job.erreurs[:200]})


@login_required
@require_GET
def import_progress(request, pk):
    """The progress partial: polls itself every 2 s (htmx) while the job runs."""
    job = _job(request.scope, pk)
    return render(
        request, "parcours/import/includes/progress.html", {"job": job, "erreurs": job.erreurs[:200]}
    )


@login_required
@require_GET
def import_erreurs(request, pk):
    """The error report as CSV (« ; », UTF-8 with BOM so that Excel reads the accents)."""
    job = _job(request.scope, pk)
    if not job.erreurs and not job.doublons:
        raise Http404("Aucune erreur à signaler pour cet import.")
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="erreurs-import-{job.pk}.csv"'
    response.write(BOM)
    for line in CsvWriter().lines(rapport_csv_lignes(job.erreurs, job.doublons)):
        response.write(line)
    return response
