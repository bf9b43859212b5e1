"""Long exports in the browser (``rapports:export_*``): ask for one, follow its progress (an htmx
partial polled every 2 s until the job is finished, then the download link), « Mes exports »
(the user's own jobs only), download (re-checks the scope). Another user's job is a 404."""

from pathlib import PurePosixPath

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.storage import default_storage
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from plie.core.auth import recent_auth_required
from plie.core.forms import StyledFormMixin
from plie.core.scoping import visible_plies
from reporting import jobs
from reporting.models import ExportDemande
from reporting.permissions import can_download_export

PAGE_SIZE = 20


def perimetres(scope):
    """The choices of scope for a bilan: each visible PLIE, then each OI with several visible PLIE
    (its consolidated bilan): ``[("plie:<id>", label), ("oi:<id>", label)]`` and the PLIE ids
    behind each value."""
    plies = list(visible_plies(scope).select_related("oi").order_by("nom"))
    choix, ids = [], {}
    for plie in plies:
        choix.append((f"plie:{plie.pk}", plie.nom))
        ids[f"plie:{plie.pk}"] = [plie.pk]
    par_oi = {}
    for plie in plies:
        if plie.oi_id:
            par_oi.setdefault(plie.oi, []).append(plie.pk)
    for oi, plie_ids in sorted(par_oi.items(), key=lambda item: item[0].nom):
        if len(plie_ids) > 1:
            choix.append((f"oi:{oi.pk}", f"{oi.nom} (OI, {len(plie_ids)} PLIE)"))
            ids[f"oi:{oi.pk}"] = plie_ids
    return choix, ids


class ExportDemandeForm(StyledFormMixin, forms.Form):
    kind = forms.ChoiceField(label="Export")
    perimetre = forms.ChoiceField(
        label="PLIE ou OI", required=False, help_text="Pour un bilan : un PLIE, ou tous les PLIE d'un OI."
    )
    annee = forms.IntegerField(
        label="Année du bilan", required=False, min_value=jobs.ANNEE_MIN, max_value=jobs.ANNEE_MAX
    )

    def __init__(self, *args, scope, **kwargs):
        super().__init__(*args, **kwargs)
        kinds = list(ExportDemande.Kind.choices)
        self.participants_possible = bool(scope.personal_plie_ids)
        if not self.participants_possible:
            kinds = [k for k in kinds if k[0] != ExportDemande.Kind.PARTICIPANTS_XLSX]
        self.fields["kind"].choices = kinds
        choix, self.plie_ids_par_choix = perimetres(scope)
        self.fields["perimetre"].choices = [("", "—"), *choix]
        self.fields["annee"].initial = timezone.localdate().year - 1

    def clean(self):
        data = super().clean()
        if data.get("kind") in jobs.KINDS_BILAN:
            if not data.get("perimetre"):
                self.add_error("perimetre", "Choisissez un PLIE ou un OI pour le bilan.")
            if data.get("annee") is None and "annee" not in self.errors:
                self.add_error("annee", "Indiquez l'année du bilan.")
        return data


def _demande_du_user(scope, pk):
    """The job ``pk`` if it is ``scope``'s own, else 404."""
    return get_object_or_404(ExportDemande, pk=pk, user_id=scope.user_id)


@login_required
@require_GET
def export_list(request):
    if not request.scope.plie_ids:
        raise PermissionDenied
    demandes = ExportDemande.objects.filter(user=request.scope.user).order_by("-created_at", "-pk")
    page = Paginator(demandes, PAGE_SIZE).get_page(request.GET.get("page"))
    form = ExportDemandeForm(scope=request.scope)
    return render(request, "reporting/exports/export_list.html", {"page": page, "form": form})


@login_required
@recent_auth_required
@require_http_methods(["GET", "POST"])
def export_create(request):
    if not request.scope.plie_ids:
        raise PermissionDenied
    form = ExportDemandeForm(request.POST or None, scope=request.scope)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            demande = jobs.demande_create(
                scope=request.scope,
                kind=data["kind"],
                plie_ids=form.plie_ids_par_choix.get(data.get("perimetre"), []),
                annee=data.get("annee"),
            )
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            messages.success(request, "Export demandé : vous pouvez quitter cette page et revenir plus tard.")
            return redirect("rapports:export_detail", demande.pk)
    status = 400 if request.method == "POST" else 200
    return render(request, "reporting/exports/export_form.html", {"form": form}, status=status)


@login_required
@require_GET
def export_detail(request, pk):
    demande = _demande_du_user(request.scope, pk)
    return render(request, "reporting/exports/export_detail.html", {"demande": demande})


@login_required
@require_GET
def export_progress(request, pk):
    """The progress partial: polls itself every 2 s (htmx) while the job runs."""
    demande = _demande_du_user(request.scope, pk)
    return render(request, "reporting/exports/includes/progress.html", {"demande": demande})


@login_required
@require_POST
def export_retry(request, pk):
    """Send a failed job again (its error is cleared; a job not failed is left alone)."""
    demande = _demande_du_user(request.scope, pk)
    if demande.status == ExportDemande.Status.FAILED:
        jobs.demande_relancer(demande)
        messages.success(request, "Export relancé.")
    return redirect("rapports:export_detail", demande.pk)


@login_required
@require_GET
def export_download(request, pk):
    demande = _demande_du_user(request.scope, pk)
    if demande.status != ExportDemande.Status.DONE or not can_download_export(request.scope, demande):
        raise Http404("Export indisponible.")
    if not demande.fichier:
        raise Http404("Fichier introuvable.")
    try:  # streamed from the storage (MEDIA_ROOT or the bucket), whichever worker produced it
        contenu = default_storage.open(demande.fichier, "rb")
    except FileNotFoundError:
        raise Http404("Fichier introuvable.") from None
    nom = PurePosixPath(demande.fichier).name
    extension = PurePosixPath(nom).suffix.lstrip(".")
    return FileResponse(
        contenu,
        as_attachment=True,
        filename=nom.split("-", 1)[1] if "-" in nom else nom,
        content_type=jobs.CONTENT_TYPES.get(extension, "application/octet-stream"),
    )
