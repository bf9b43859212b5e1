"""Pages of the protection of data: the access journal (search, CSV export), a person's
access-request export (JSON, PDF), the information notice (PDF), the retention report and a
référent's objection to an anonymisation.

A PLIE or a participant outside what the user may use here is a 404 (a 403 when the user sees
the dossier but may not do the thing)."""

import json

from django.conf import settings as django_settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from participants.models import Participant
from plie.core import journal
from plie.core.auth import recent_auth_required
from plie.core.enums import JournalAction
from plie.core.models import AccessLog, Structure
from plie.core.writers import BOM, CsvWriter
from rgpd import acces, pdf, services
from rgpd.forms import JournalFilterForm, OppositionForm
from rgpd.permissions import (
    can_export_participant_data,
    can_object_anonymisation,
    can_print_notice,
    can_view_conservation,
    can_view_journal,
)
from rgpd.selectors import conservation_of, plan

PAGE_SIZE = 100
PRIVATE = {"Cache-Control": "private, no-store", "X-Content-Type-Options": "nosniff"}


def _private(response):
    for header, value in PRIVATE.items():
        response[header] = value
    return response


def _journal_plies(scope):
    plies = list(Structure.objects.plies().filter(pk__in=scope.journal_plie_ids).order_by("nom"))
    if not [p for p in plies if can_view_journal(scope, p.pk)]:
        raise PermissionDenied
    return plies


def _journal_entries(request):
    """The filter form and the entries it selects (newest first)."""
    scope = request.scope
    plies = _journal_plies(scope)
    form = JournalFilterForm(request.GET or None, plies=plies)
    entries = AccessLog.objects.visible_to(scope)
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        if data["plie"]:
            entries = entries.filter(plie_id=data["plie"])
        if data["participant"]:
            entries = entries.filter(participant_id=data["participant"])
        if data["utilisateur"]:
            entries = entries.filter(acteur__iexact=data["utilisateur"].strip())
        if data["du"]:
            entries = entries.filter(at__date__gte=data["du"])
        if data["au"]:
            entries = entries.filter(at__date__lte=data["au"])
    elif form.is_bound:
        entries = entries.none()
    return form, entries.select_related("plie").order_by("-at", "-pk"), plies


@login_required
@require_GET
def journal_list(request):
    form, entries, plies = _journal_entries(request)
    page = Paginator(entries, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    participant_id = form.cleaned_data.get("participant") if form.is_bound and form.is_valid() else None
    context = {
        "form": form,
        "page": page,
        "query": query.urlencode(),
        "plies": plies,
        "participant_id": participant_id,
        "retention_days": django_settings.JOURNAL_RETENTION_DAYS,
    }
    return _private(render(request, "rgpd/journal_list.html", context))


JOURNAL_HEADERS = [
    "Date et heure",
    "PLIE",
    "Acteur",
    "Action",
    "N° de dossier",
    "Objet",
    "Résultats",
    "Adresse IP",
]


@login_required
@recent_auth_required
@require_GET
def journal_export(request):
    """The selected entries as CSV (``plie.core.writers``), streamed."""
    _form, entries, _plies = _journal_entries(request)
    writer = CsvWriter()
    actions = dict(JournalAction.choices)

    def lines():
        yield BOM + writer.line(JOURNAL_HEADERS)
        for row in entries.values_list(
            "at", "plie__code", "acteur", "action", "participant_id", "objet", "nombre", "ip"
        ).iterator(chunk_size=2000):
            at = timezone.localtime(row[0])
            yield writer.line(
                [f"{at:%d/%m/%Y %H:%M:%S}", row[1], row[2], actions.get(row[3], row[3]), *row[4:]]
            )

    response = StreamingHttpResponse(
        (line.encode("utf-8") for line in lines()), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = (
        f'attachment; filename="journal-acces-{timezone.localdate():%Y%m%d}.csv"'
    )
    return _private(response)


def _participant_for_rights(scope, pk):
    participant = get_object_or_404(
        Participant.objects.filter(plie_id__in=scope.journal_plie_ids).select_related("plie"), pk=pk
    )
    if not can_export_participant_data(scope, participant):
        raise PermissionDenied
    return participant


@login_required
@recent_auth_required
@require_GET
def acces_export(request, pk, format):
    """Everything held about one person (right of access), as JSON or PDF."""
    participant = _participant_for_rights(request.scope, pk)
    journal.record(
        request.scope,
        request,
        JournalAction.DROIT_ACCES,
        [participant],
        objet=f"droit d'accès ({format.upper()})",
    )
    dossier = acces.dossier_complet(participant.pk)
    if format == "json":
        content = json.dumps(dossier, ensure_ascii=False, indent=2)
        response = HttpResponse(content, content_type="application/json; charset=utf-8")
    else:
        response = HttpResponse(pdf.render_acces(dossier), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="droit-acces-{participant.pk}.{format}"'
    return _private(response)


@login_required
@require_GET
def mention_pdf(request, plie_id):
    """The PLIE's information notice (mention d'information), to hand to a participant."""
    if not can_print_notice(request.scope, plie_id):
        raise Http404
    plie = get_object_or_404(Structure.objects.plies(), pk=plie_id)
    response = HttpResponse(
        pdf.render_mention(plie, conservation_of(plie_id)), content_type="application/pdf"
    )
    response["Content-Disposition"] = f'inline; filename="mention-information-{plie.code}.pdf"'
    return response


@login_required
@require_GET
def conservation_report(request, plie_id):
    """The dry run of the next anonymisation nights of one PLIE: who is due, who is in the
    notice period, who was kept by an objection, how many import files will be deleted."""
    scope = request.scope
    if not can_view_conservation(scope, plie_id):
        raise Http404
    plie = get_object_or_404(Structure.objects.plies(), pk=plie_id)
    settings = conservation_of(plie_id)
    today = timezone.localdate()
    rows = plan(plie_id, today, settings)
    names = {}
    if scope.sees_personal_data(plie_id) and rows:
        ids = [row["participant_id"] for row in rows]
        names = {p.pk: p for p in Participant.objects.filter(pk__in=ids)}
        journal.record(
            scope, request, JournalAction.CONSULTATION, list(names.values()), objet="rapport de conservation"
        )
    for row in rows:
        row["participant"] = names.get(row["participant_id"])
    imports = services.imports_expires(plie_id, timezone.now(), settings.jours_fichiers_import).count()
    context = {"plie": plie, "settings": settings, "rows": rows, "imports": imports, "today": today}
    return _private(render(request, "rgpd/conservation.html", context))


@login_required
@require_http_methods(["GET", "POST"])
def opposition_create(request, pk):
    """A référent keeps a dossier from the next anonymisation (a person still followed)."""
    scope = request.scope
    participant = get_object_or_404(Participant.objects.visible_to(scope).select_related("plie"), pk=pk)
    if not can_object_anonymisation(scope, participant):
        raise PermissionDenied
    form = OppositionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.opposition_record(scope=scope, participant=participant, **form.cleaned_data)
        except ValidationError as error:
            for field, errors in error.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            messages.success(request, "Le dossier ne sera pas anonymisé avant la date indiquée.")
            return redirect(participant)
    context = {"participant": participant, "form": form}
    return render(request, "rgpd/opposition_form.html", context)
