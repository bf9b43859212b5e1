"""Proofs of realisation of an operation: its collective sessions (registration, attendance,
feuille d'émargement), attestations per participant, the extraction of the entretiens and the
pièces checklist.

Everything here shows participants: an operation of a PLIE whose personal data the user may not
see is a 404 (another PLIE, a financeur). Reading is for gestionnaire, animation, administrateur
and direction of the PLIE (``can_control_operations``, else 403); writing (sessions,
registrations, attendance) for gestionnaire, animation and administrateur."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import IntegrityError, transaction
from django.db.models import Count, Q
from django.http import HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from operations import extractions, pdf, pieces
from operations.enums import PieceJustificative
from operations.forms_pieces import ActionCollectiveForm, InscriptionActionForm, PeriodeForm
from operations.models import ActionCollective, Operation, Presence
from operations.permissions import can_control_operations, can_manage_actions_collectives
from parcours.models import Etape
from plie.core import journal
from plie.core.enums import JournalAction
from plie.core.urls_helpers import url_par_pk

PAGE_SIZE = 100
PDF_MAX_LIGNES = 2000  # WeasyPrint lays out about 35 lines a page, ~0.2 s a page: CSV/XLSX beyond
PDF = "application/pdf"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _operation(scope, pk):
    """The operation if its participants are visible to ``scope`` (else 404) and ``scope`` may read
    its proofs (else 403)."""
    queryset = Operation.objects.filter(plie_id__in=scope.personal_plie_ids).select_related("plie")
    operation = get_object_or_404(queryset, pk=pk)
    if not can_control_operations(scope, operation.plie_id):
        raise PermissionDenied
    return operation


def _action(scope, pk, *, write=False):
    queryset = ActionCollective.objects.filter(operation__plie_id__in=scope.personal_plie_ids).select_related(
        "operation__plie"
    )
    action = get_object_or_404(queryset, pk=pk)
    plie_id = action.operation.plie_id
    allowed = can_manage_actions_collectives if write else can_control_operations
    if not allowed(scope, plie_id):
        raise PermissionDenied
    return action


def operation_url(operation):
    return operation.get_absolute_url()


def _pdf_response(content, name):
    response = HttpResponse(content, content_type=PDF)
    response["Content-Disposition"] = f'inline; filename="{name}"'
    return response


# --- The pièces checklist ---------------------------------------------------------------------


@login_required
@require_GET
def pieces_checklist(request, pk):
    operation = _operation(request.scope, pk)
    requises = pieces.pieces_requises(operation)
    incomplets = request.GET.get("incomplets") == "1"
    queryset = pieces.checklist(operation, request.scope, incomplets=incomplets)
    totaux = pieces.totaux(pieces.checklist(operation, request.scope), requises)
    page = Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))
    participant_url = url_par_pk("participants:participant_detail")
    rows = []
    for inscription in page:
        etat = pieces.etat_pieces(requises, pieces.preuves_of(inscription, requises))
        participant = inscription.participant
        rows.append(
            {
                "nom": str(participant),
                "url": participant_url(participant.pk),
                "entree": inscription.date_entree,
                "sortie": inscription.date_sortie,
                "cellules": [etat[code] for code in requises],
                "manquantes": sum(1 for present in etat.values() if present is False),
            }
        )
    context = {
        "operation": operation,
        "operation_url": operation_url(operation),
        "requises": [(code, PieceJustificative(code).label) for code in requises],
        "totaux": [(PieceJustificative(code).label, totaux["manquants"][code]) for code in requises],
        "total": totaux["total"],
        "incomplets_count": totaux["incomplets"],
        "incomplets": incomplets,
        "rows": rows,
        "page": page,
    }
    return render(request, "operations/pieces/checklist.html", context)


# --- Collective sessions ------------------------------------------------------------------------


@login_required
@require_GET
def action_list(request, pk):
    operation = _operation(request.scope, pk)
    actions = operation.actions_collectives.annotate(
        inscrits=Count("presences"), presents=Count("presences", filter=Q(presences__present=True))
    ).order_by("-date", "-heure_debut", "-pk")
    context = {
        "operation": operation,
        "operation_url": operation_url(operation),
        "actions": actions,
        "may_write": can_manage_actions_collectives(request.scope, operation.plie_id),
    }
    return render(request, "operations/pieces/action_list.html", context)


def _action_form(request, operation, action=None):
    form = ActionCollectiveForm(request.POST or None, instance=action, operation=operation)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            action = form.save(commit=False)
            action.operation = operation
            action.save()
        messages.success(
            request, f"Action collective « {action.intitule} » du {action.date:%d/%m/%Y} enregistrée."
        )
        return redirect("operations:action_detail", action.pk)
    context = {
        "form": form,
        "operation": operation,
        "action": action,
        "operation_url": operation_url(operation),
    }
    return render(request, "operations/pieces/action_form.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def action_create(request, pk):
    operation = _operation(request.scope, pk)
    if not can_manage_actions_collectives(request.scope, operation.plie_id):
        raise PermissionDenied
    return _action_form(request, operation)


@login_required
@require_http_methods(["GET", "POST"])
def action_update(request, pk):
    action = _action(request.scope, pk, write=True)
    return _action_form(request, action.operation, action)


def _presences(action):
    return list(
        action.presences.select_related("participant").order_by(
            "participant__nom", "participant__prenom", "pk"
        )
    )


@login_required
@require_GET
def action_detail(request, pk):
    action = _action(request.scope, pk)
    may_write = can_manage_actions_collectives(request.scope, action.operation.plie_id)
    context = {
        "action": action,
        "operation": action.operation,
        "operation_url": operation_url(action.operation),
        "presences": _presences(action),
        "may_write": may_write,
        "form": InscriptionActionForm(action=action) if may_write else None,
    }
    return render(request, "operations/pieces/action_detail.html", context)


@login_required
@require_POST
def action_participants(request, pk):
    """Registers participants (enrolled in the operation on the session's date) to the session."""
    action = _action(request.scope, pk, write=True)
    form = InscriptionActionForm(request.POST, action=action)
    if not form.is_valid():
        context = {
            "action": action,
            "operation": action.operation,
            "operation_url": operation_url(action.operation),
            "presences": _presences(action),
            "may_write": True,
            "form": form,
        }
        return render(request, "operations/pieces/action_detail.html", context, status=400)
    try:
        with transaction.atomic():
            Presence.objects.bulk_create(
                [
                    Presence(action=action, participant=participant)
                    for participant in form.cleaned_data["participants"]
                ]
            )
    except IntegrityError:
        messages.error(
            request, "Un de ces participants était déjà inscrit à la séance : rien n'a été enregistré."
        )
    else:
        count = len(form.cleaned_data["participants"])
        messages.success(
            request,
            f"{count} participant{'s' if count > 1 else ''} inscrit{'s' if count > 1 else ''} à la séance.",
        )
    return redirect("operations:action_detail", action.pk)


PRESENCE_VALUES = {"present": True, "absent": False, "": None}


@login_required
@require_POST
def action_presences(request, pk):
    """Marks attendance after the session: ``presence_<id>`` = present | absent | "" (unknown);
    ``retirer_<id>`` removes the participant from the session."""
    action = _action(request.scope, pk, write=True)
    presences = _presences(action)
    changed, removed = [], []
    for presence in presences:
        if request.POST.get(f"retirer_{presence.pk}"):
            removed.append(presence.pk)
            continue
        key = f"presence_{presence.pk}"
        if key not in request.POST:
            continue
        value = request.POST[key]
        if value not in PRESENCE_VALUES:
            messages.error(request, f"Présence de {presence.participant} : valeur « {value} » inconnue.")
            return redirect("operations:action_detail", action.pk)
        if presence.present != PRESENCE_VALUES[value]:
            presence.present = PRESENCE_VALUES[value]
            changed.append(presence)
    with transaction.atomic():
        Presence.objects.bulk_update(changed, ["present"])
        Presence.objects.filter(action=action, pk__in=removed).delete()
    messages.success(request, "Présences enregistrées.")
    return redirect("operations:action_detail", action.pk)


@login_required
@require_GET
def emargement(request, pk):
    action = _action(request.scope, pk)
    participants = [presence.participant for presence in _presences(action)]
    content = pdf.render_emargement(action, participants)
    objet = f"feuille d'émargement action {action.pk}"
    journal.record(request.scope, request, JournalAction.EXPORT, participants, objet=objet)
    return _pdf_response(content, f"emargement-{action.operation.code}-{action.date:%Y%m%d}.pdf")


# --- Attestations -----------------------------------------------------------------------------


@login_required
@require_GET
def attestation_action(request, pk, participant_pk):
    action = _action(request.scope, pk)
    presence = get_object_or_404(
        Presence.objects.select_related("participant"), action=action, participant_id=participant_pk
    )
    participant = presence.participant
    inscription = pieces.inscription_le(participant, action.date, action.operation)
    content = pdf.render_attestation_action(action, participant, presence, inscription)
    objet = f"attestation action {action.pk}"
    journal.record(request.scope, request, JournalAction.EXPORT, [participant], objet=objet)
    return _pdf_response(
        content, f"attestation-{action.operation.code}-{action.date:%Y%m%d}-{participant.pk}.pdf"
    )


@login_required
@require_GET
def attestation_etape(request, pk):
    scope = request.scope
    etape = get_object_or_404(
        Etape.objects.filter(parcours__plie_id__in=scope.personal_plie_ids).select_related(
            "type", "operateur", "parcours__participant", "parcours__plie"
        ),
        pk=pk,
    )
    if not can_control_operations(scope, etape.parcours.plie_id):
        raise PermissionDenied
    inscription = pieces.inscription_le(etape.parcours.participant, etape.date_debut)
    content = pdf.render_attestation_etape(etape, inscription)
    participant = (etape.parcours.participant_id, etape.parcours.plie_id)
    objet = f"attestation étape {etape.pk}"
    journal.record(scope, request, JournalAction.EXPORT, [participant], objet=objet)
    return _pdf_response(content, f"attestation-etape-{etape.pk}.pdf")


# --- Extraction of the entretiens -------------------------------------------------------------


@login_required
@require_GET
def extraction_entretiens(request, pk):
    scope = request.scope
    operation = _operation(scope, pk)
    form = PeriodeForm(request.GET or None)
    wanted = request.GET.get("format")
    if wanted and form.is_valid():
        du, au = form.cleaned_data["du"], form.cleaned_data["au"]
        fmt = form.cleaned_data["format"] or "csv"
        name = extractions.filename(operation, du, au, fmt)
        if fmt == "csv":
            response = StreamingHttpResponse(
                extractions.csv_stream(operation, scope, du, au), content_type="text/csv; charset=utf-8"
            )
        elif fmt == "xlsx":
            response = HttpResponse(extractions.export_xlsx(operation, scope, du, au), content_type=XLSX)
        else:
            count = extractions.entretiens_queryset(operation, scope, du, au).count()
            if count > PDF_MAX_LIGNES:
                form.add_error(
                    "format",
                    f"{count} entretiens sur la période : trop pour un PDF (au plus {PDF_MAX_LIGNES}). "
                    "Réduisez la période ou choisissez le format CSV ou XLSX.",
                )
                response = None
            else:
                response = HttpResponse(pdf.render_entretiens(operation, scope, du, au), content_type=PDF)
        if response is not None:
            pairs = (
                extractions.entretiens_queryset(operation, scope, du, au)
                .order_by()
                .values_list("parcours__participant_id", "parcours__participant__plie_id")
                .distinct()
            )
            objet = f"extraction des entretiens ({fmt.upper()}) opération {operation.pk}"
            journal.record(scope, request, JournalAction.EXPORT, pairs, objet=objet)
            response["Content-Disposition"] = f'attachment; filename="{name}"'
            return response
    context = {"operation": operation, "operation_url": operation_url(operation), "form": form}
    return render(
        request, "operations/pieces/extraction_entretiens.html", context, status=400 if wanted else 200
    )
