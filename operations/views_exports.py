"""The files of an operation: the Ma Démarche FSE participant file (CSV) and its validator, the
same rows as XLSX, and the participant annex of the bilan d'exécution (XLSX or PDF).

Who: the gestionnaire, animation, direction and administrateur of the operation's PLIE, and the
direction of its OI (their roles reach the PLIE through ``plie.core.scoping``). An operation of a
PLIE whose participants the user does not see is a 404 (another PLIE, a financeur: aggregates
only); a user who sees them without one of these roles (a référent) gets a 403. The rows are
always ``Inscription.objects.visible_to(user)``.

Period: ``?du=jj/mm/aaaa&au=jj/mm/aaaa``, the operation's period by default."""

from urllib.parse import quote

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse, HttpResponseBadRequest, StreamingHttpResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_GET, require_http_methods

from operations import annexe, mdfse, mdfse_validation
from operations.models import Operation
from operations.permissions import can_control_operations, can_export_mdfse, can_manage_operations
from participants.permissions import can_create_participant
from plie.core import journal
from plie.core.auth import recent_auth_required
from plie.core.dates import INPUT_FORMATS_FR
from plie.core.enums import JournalAction
from plie.core.forms import StyledFormMixin
from plie.core.urls_helpers import url_par_pk

ANOMALIES_PAR_PAGE = 200
TAILLE_MAX_FICHIER = 20 * 1024 * 1024
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
COLONNES_SORTIE = frozenset(mdfse.BLOC_SORTIE) | {"Date sortie operation"}


def _operation(scope, pk):
    operation = get_object_or_404(Operation.objects.select_related("plie"), pk=pk)
    if not scope.sees_personal_data(operation.plie_id):
        raise Http404
    if not can_control_operations(scope, operation.plie_id):
        raise PermissionDenied
    return operation


class PeriodeForm(StyledFormMixin, forms.Form):
    du = forms.DateField(label="Du", required=False, input_formats=INPUT_FORMATS_FR)
    au = forms.DateField(label="Au", required=False, input_formats=INPUT_FORMATS_FR)

    def __init__(self, *args, operation, **kwargs):
        self.operation = operation
        super().__init__(*args, **kwargs)
        for name, default in (("du", operation.date_debut), ("au", operation.date_fin)):
            self.fields[name].widget.attrs["placeholder"] = f"{default:%d/%m/%Y}"
            self.fields[name].help_text = "jj/mm/aaaa"

    def clean(self):
        data = super().clean()
        du, au = mdfse.periode(self.operation, data.get("du"), data.get("au"))
        if "du" in data and "au" in data and du > au:
            raise forms.ValidationError("La date de début de la période est postérieure à sa date de fin.")
        data["du"], data["au"] = du, au
        return data


class FichierForm(forms.Form):
    fichier = forms.FileField(label="Fichier CSV modifié à vérifier")


def _periode(request, operation):
    """``(du, au)`` from the query string, or a 400 response naming the bad field."""
    form = PeriodeForm(request.GET, operation=operation)
    if form.is_valid():
        return (form.cleaned_data["du"], form.cleaned_data["au"]), None
    messages = "; ".join(
        f"{form.fields[field].label if field in form.fields else 'Période'} : {' '.join(errors)}"
        for field, errors in form.errors.items()
    )
    return None, HttpResponseBadRequest(
        f"Période invalide — {messages}", content_type="text/plain; charset=utf-8"
    )


def _attachment(response, filename):
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _journal_export(request, operation, du, au, objet):
    """Journal an export naming the operation's participants of the period: one select of the
    (participant, PLIE) pairs, one insert."""
    pairs = (
        mdfse.inscriptions(operation, request.scope, du, au)
        .order_by()
        .values_list("participant_id", "participant__plie_id")
        .distinct()
    )
    journal.record(
        request.scope, request, JournalAction.EXPORT, pairs, objet=f"{objet} opération {operation.pk}"
    )


@login_required
@recent_auth_required
@require_GET
def export_mdfse(request, pk):
    """The participant file for Ma Démarche FSE's mass integration, streamed (UTF-8, « ; »):
    for those who declare to the FSE only (:func:`can_export_mdfse`, it carries Q3 in clear)."""
    operation = _operation(request.scope, pk)
    if not can_export_mdfse(request.scope, operation.plie_id):
        raise PermissionDenied
    periode, erreur = _periode(request, operation)
    if erreur:
        return erreur
    du, au = periode
    _journal_export(request, operation, du, au, "export MDFSE (CSV)")
    chunks = (line.encode("utf-8") for line in mdfse.export_csv(operation, request.scope, du, au))
    response = StreamingHttpResponse(chunks, content_type="text/csv; charset=utf-8")
    return _attachment(response, mdfse.nom_fichier(operation, "csv", du, au))


@login_required
@recent_auth_required
@require_GET
def export_xlsx(request, pk):
    """The same rows as the MDFSE file, as an XLSX workbook for humans (Q3 masked for those who
    may not read it)."""
    operation = _operation(request.scope, pk)
    periode, erreur = _periode(request, operation)
    if erreur:
        return erreur
    du, au = periode
    _journal_export(request, operation, du, au, "export MDFSE (XLSX)")
    response = HttpResponse(mdfse.export_xlsx(operation, request.scope, du, au), content_type=XLSX)
    return _attachment(response, mdfse.nom_fichier(operation, "xlsx", du, au))


@login_required
@recent_auth_required
@require_GET
def annexe_bilan(request, pk):
    """The bilan d'exécution participant annex: ``?format=pdf`` (default) or ``xlsx``."""
    operation = _operation(request.scope, pk)
    periode, erreur = _periode(request, operation)
    if erreur:
        return erreur
    du, au = periode
    format_ = request.GET.get("format") or "pdf"
    if format_ == "xlsx":
        response = HttpResponse(annexe.export_xlsx(operation, request.scope, du, au), content_type=XLSX)
    elif format_ == "pdf":
        response = HttpResponse(
            annexe.export_pdf(operation, request.scope, du, au), content_type="application/pdf"
        )
    else:
        return HttpResponseBadRequest(
            "Format inconnu : « pdf » ou « xlsx » attendu.", content_type="text/plain; charset=utf-8"
        )
    _journal_export(request, operation, du, au, f"annexe du bilan ({format_.upper()})")
    return _attachment(response, annexe.nom_fichier(operation, format_, du, au))


def _with_links(anomalies, back, *, may_fill, may_edit_dossier):
    """Each fault of an enrolment with the form that fixes it (the dossier's identity, exit data,
    entry questionnaire) when the user may use that form (``may_fill``: ``can_manage_operations``
    of the operation's PLIE; ``may_edit_dossier``: ``can_create_participant`` there — the forms'
    own checks; direction reads the faults without a link)."""
    questionnaire = url_par_pk("operations:inscription_questionnaire", f"?next={back}")
    sortie = url_par_pk("operations:inscription_sortie", f"?next={back}")
    dossier = url_par_pk("participants:participant_update", f"?next={back}")
    rows = []
    for anomalie in anomalies:
        url, label = None, ""
        if anomalie.colonne in mdfse_validation.COLONNES_DOSSIER and anomalie.participant_id is not None:
            if may_edit_dossier:
                url, label = dossier(anomalie.participant_id), "Corriger le dossier"
        elif may_fill and anomalie.inscription_id is not None:
            if anomalie.colonne in COLONNES_SORTIE:
                url, label = sortie(anomalie.inscription_id), "Saisir la sortie"
            else:
                url, label = questionnaire(anomalie.inscription_id), "Corriger le questionnaire"
        rows.append({"anomalie": anomalie, "url": url, "label": label})
    return rows


@login_required
@require_http_methods(["GET", "POST"])
def validation_mdfse(request, pk):
    """Every line Ma Démarche FSE would reject, before upload: of the file we would export for
    the period (GET), or of a file edited by hand and uploaded here (POST). 2 queries after the
    scope (operation, enrolments)."""
    operation = _operation(request.scope, pk)
    form = PeriodeForm(request.GET or None, operation=operation)
    du, au = mdfse.periode(operation)
    if form.is_bound and form.is_valid():
        du, au = form.cleaned_data["du"], form.cleaned_data["au"]
    fichier_form = FichierForm(request.POST or None, request.FILES or None)
    source = "export"
    if request.method == "POST":
        anomalies = []
        if fichier_form.is_valid():
            upload = fichier_form.cleaned_data["fichier"]
            if upload.size > TAILLE_MAX_FICHIER:
                fichier_form.add_error("fichier", "Fichier trop volumineux (20 Mo au plus).")
            else:
                try:
                    texte = upload.read().decode("utf-8")
                except UnicodeDecodeError:
                    fichier_form.add_error(
                        "fichier", "Le fichier n'est pas encodé en UTF-8 (exigé par Ma Démarche FSE)."
                    )
                else:
                    anomalies = mdfse_validation.inscriptions_du_fichier(
                        mdfse_validation.valider_fichier(texte, operation), operation
                    )
                    source = upload.name
    else:
        anomalies = mdfse_validation.valider_operation(operation, request.scope, du, au)
    resume = mdfse_validation.resume(anomalies)
    par_page = ANOMALIES_PAR_PAGE if request.method == "GET" else max(len(anomalies), 1)  # an upload: all
    page = Paginator(anomalies, par_page).get_page(request.GET.get("page"))
    return render(
        request,
        "operations/exports/validation_mdfse.html",
        {
            "operation": operation,
            "detail_url": operation.get_absolute_url(),
            "form": form,
            "fichier_form": fichier_form,
            "du": du,
            "au": au,
            "source": source,
            "resume": resume,
            "page": page,
            "rows": _with_links(
                page.object_list,
                quote(request.get_full_path()),
                may_fill=can_manage_operations(request.scope, operation.plie_id),
                may_edit_dossier=can_create_participant(request.scope, operation.plie_id),
            ),
            "export_query": f"?du={du:%d/%m/%Y}&au={au:%d/%m/%Y}",
        },
    )
