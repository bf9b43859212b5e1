"""The candidature, the commission d'intégration (sessions, agenda, decisions, PDFs), suspensions,
exits and changes of référent.

Everything is scoped: a parcours, commission or decision outside ``visible_to(request.scope)``
is a 404 (another PLIE, a financeur). Who may act is decided in :mod:`parcours.services`
(``can_run_commissions``: animation and administrateur; ``can_follow_parcours``: référent, animation and
administrateur); others who see the page (gestionnaire, direction) read it, and get a 403 on a
page that writes. A form built from an outdated parcours (optimistic locking) is refused with
the service's French message and a « Recharger » link: nothing is saved."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from parcours import pdf, permissions, services
from parcours.enums import CategorieSortie, ObjetPassage, StatutCommission, StatutParcours
from parcours.filters import CommissionFilter
from parcours.forms_etat import (
    AgendaForm,
    CandidatureForm,
    CommissionForm,
    DecisionForm,
    ReferentForm,
    SortieForm,
    SortieValidateForm,
    SortieWithdrawForm,
    SuspensionEndForm,
    SuspensionForm,
)
from parcours.models import Commission, Decision, Parcours, Sortie, Suspension
from parcours.selectors import commission_decisions
from parcours.services import ConflictError, regle_label
from participants.models import Participant
from plie.core import journal
from plie.core.enums import JournalAction
from plie.core.models import Structure

PAST_PAGE_SIZE = 20
PRIVATE_HEADERS = {"X-Content-Type-Options": "nosniff", "Cache-Control": "private, no-store"}


def _parcours_url(parcours):
    """The parcours page, or the participant's dossier while the parcours page does not exist."""
    try:
        return reverse("parcours:parcours_detail", args=[parcours.pk])
    except NoReverseMatch:
        return reverse("participants:participant_detail", args=[parcours.participant_id])


def _visible_parcours(scope, pk):
    queryset = Parcours.objects.visible_to(scope).select_related("participant", "plie", "referent")
    return get_object_or_404(queryset, pk=pk)


def _require(allowed):
    if not allowed:
        raise PermissionDenied


def _posted(request):
    """The submitted data (possibly empty) on a POST, ``None`` on a GET: an empty POST is still a
    bound form, with its « obligatoire » errors."""
    return request.POST if request.method == "POST" else None


def _is_htmx(request):
    return request.headers.get("HX-Request") == "true"


def _conflict_context(request, error):
    return {"conflict": error.message, "reload_url": request.path}


def _parcours_context(parcours, **extra):
    return {
        "parcours": parcours,
        "participant": parcours.participant,
        "back_url": _parcours_url(parcours),
        **extra,
    }


def _private(response):
    for header, value in PRIVATE_HEADERS.items():
        response[header] = value
    return response


# --- candidature ------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def candidature_create(request, pk):
    """« Proposer une candidature » from a participant's dossier."""
    participant = get_object_or_404(
        Participant.objects.visible_to(request.scope).select_related("plie"), pk=pk
    )
    _require(permissions.can_follow_parcours(request.scope, participant.plie_id))
    choices = {
        "prescripteurs": list(services.prescripteurs_of(participant.plie_id)),
        "referents": list(services.referents_of(participant.plie_id)),
    }
    ouvert = participant.parcours.filter(status__in=services.STATUTS_OUVERTS).first()
    if request.method == "POST":
        form = CandidatureForm(request.POST, **choices)
        if form.is_valid():
            try:
                parcours = services.candidature_create(
                    scope=request.scope, participant=participant, **form.cleaned_data
                )
            except ValidationError as error:
                form.add_service_errors(error)
            else:
                messages.success(
                    request, f"Candidature de {participant} enregistrée : elle attend une commission."
                )
                return redirect(_parcours_url(parcours))
    else:
        referents = choices["referents"]
        initial = {"referent": request.user} if request.user in referents else {}
        form = CandidatureForm(initial=initial, **choices)
    context = {"participant": participant, "form": form, "ouvert": ouvert}
    return render(request, "parcours/candidature_form.html", context)


# --- commissions ------------------------------------------------------------------------------


def _require_personal_scope(scope):
    if not scope.personal_plie_ids:
        raise Http404


def _commission_plies(scope):
    """The PLIE whose commissions ``scope`` runs."""
    plie_ids = [pid for pid in scope.personal_plie_ids if permissions.can_run_commissions(scope, pid)]
    return list(Structure.objects.plies().filter(pk__in=plie_ids).order_by("nom"))


@login_required
@require_GET
def commission_list(request):
    scope = request.scope
    _require_personal_scope(scope)
    # the API's FilterSet (``?plie=``, ``?depuis=`` in ISO) filters the page too
    commissions = (
        CommissionFilter(request.GET, queryset=Commission.objects.visible_to(scope))
        .qs.select_related("plie")
        .annotate(
            nb_dossiers=Count("decisions"), nb_decides=Count("decisions", filter=~Q(decisions__decision=""))
        )
    )
    a_venir = commissions.filter(status=StatutCommission.PREVUE).order_by("date", "pk")
    passees = Paginator(
        commissions.filter(status=StatutCommission.TENUE).order_by("-date", "-pk"), PAST_PAGE_SIZE
    )
    context = {
        "a_venir": list(a_venir),
        "page": passees.get_page(request.GET.get("page")),
        "may_create": any(permissions.can_run_commissions(scope, pid) for pid in scope.personal_plie_ids),
        "several_plies": len(scope.personal_plie_ids) > 1,
        "today": timezone.localdate(),
    }
    return render(request, "parcours/commission_list.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def commission_create(request):
    _require_personal_scope(request.scope)
    plies = _commission_plies(request.scope)
    _require(plies)
    if request.method == "POST":
        form = CommissionForm(request.POST, plies=plies)
        if form.is_valid():
            data = form.cleaned_data
            try:
                commission = services.commission_create(
                    scope=request.scope,
                    plie=data["plie"],
                    date=data["date"],
                    lieu=data["lieu"],
                    membres=data["membres"],
                )
            except ValidationError as error:
                form.add_service_errors(error)
            else:
                messages.success(request, f"{commission} créée : inscrivez les dossiers à son ordre du jour.")
                return redirect("parcours:commission_detail", pk=commission.pk)
    else:
        form = CommissionForm(plies=plies)
    return render(request, "parcours/commission_form.html", {"form": form, "commission": None})


def _visible_commission(scope, pk):
    return get_object_or_404(Commission.objects.visible_to(scope).select_related("plie"), pk=pk)


def _decisions(commission):
    """The agenda with what each dossier shows (one query)."""
    return list(commission_decisions(commission).order_by("objet", "pk"))


def _decision_choices(commission, decisions):
    """The référents and reorientation structures the decision forms offer, loaded once."""
    if not any(d.objet == ObjetPassage.CANDIDATURE and not d.decision for d in decisions):
        return {"referents": [], "structures": []}
    return {
        "referents": list(services.referents_of(commission.plie_id)),
        "structures": list(services.reorientation_structures_of(commission.plie_id)),
    }


def _dossier_context(decision, *, form=None, can_run, conflict="", reload_url=""):
    """What the card of one dossier (``commission_dossier.html``) shows; no query when the
    decision comes from :func:`_decisions`."""
    sortie = None
    if decision.objet == ObjetPassage.VALIDATION_SORTIE:
        sortie = getattr(decision.parcours, "sortie", None)
    return {
        "d": decision,
        "form": form,
        "can_run": can_run,
        "commission": decision.commission,
        "sortie": sortie,
        "regle": regle_label(sortie.type) if sortie else "",
        "effet": pdf.effet_of(decision) if decision.decision else "",
        "conflict": conflict,
        "reload_url": reload_url,
        "cloture": None,
    }


def _cloture_context(commission):
    """What the « Clore la session » panel shows, sent out of band after an htmx decision: the
    dossiers left to decide and the decided ones (one query)."""
    counts = commission.decisions.aggregate(
        nb_a_decider=Count("pk", filter=Q(decision="")), nb_decides=Count("pk", filter=~Q(decision=""))
    )
    return {**counts, "today": timezone.localdate()}


@login_required
@require_GET
def commission_detail(request, pk):
    scope = request.scope
    commission = _visible_commission(scope, pk)
    can_run = permissions.can_run_commissions(scope, commission.plie_id)
    prevue = commission.status == StatutCommission.PREVUE
    decisions = _decisions(commission)
    for decision in decisions:
        decision.commission = commission  # no query per dossier
    editable = can_run and prevue
    choices = _decision_choices(commission, decisions) if editable else {}
    dossiers = []
    for decision in decisions:
        form = DecisionForm(decision=decision, **choices) if editable and not decision.decision else None
        dossiers.append(_dossier_context(decision, form=form, can_run=editable))
    agenda_form = None
    if editable:
        agenda_form = AgendaForm(
            candidatures=list(services.candidatures_a_presenter(commission.plie_id)),
            sorties=services.sorties_a_valider(commission.plie_id, commission.date),
        )
    context = {
        "commission": commission,
        "dossiers": dossiers,
        "can_run": can_run,
        "editable": editable,
        "agenda_form": agenda_form,
        "update_form": CommissionForm(
            initial={"date": commission.date, "lieu": commission.lieu, "membres": commission.membres}
        )
        if editable
        else None,
        "nb_a_decider": sum(1 for d in decisions if not d.decision),
        "nb_decides": sum(1 for d in decisions if d.decision),
        "membres": [line for line in commission.membres.splitlines() if line.strip()],
        "today": timezone.localdate(),
    }
    return render(request, "parcours/commission_detail.html", context)


def _runnable_commission(request, pk):
    commission = _visible_commission(request.scope, pk)
    _require(permissions.can_run_commissions(request.scope, commission.plie_id))
    return commission


@login_required
@require_POST
def commission_update(request, pk):
    commission = _runnable_commission(request, pk)
    form = CommissionForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.commission_update(
                scope=request.scope,
                commission=commission,
                date=data["date"],
                lieu=data["lieu"],
                membres=data["membres"],
            )
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            messages.success(request, "Session mise à jour.")
            return redirect("parcours:commission_detail", pk=commission.pk)
    return render(
        request, "parcours/commission_form.html", {"form": form, "commission": commission}, status=400
    )


@login_required
@require_POST
def commission_delete(request, pk):
    commission = _runnable_commission(request, pk)
    try:
        services.commission_delete(scope=request.scope, commission=commission)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("parcours:commission_detail", pk=commission.pk)
    messages.success(request, f"{commission} supprimée.")
    return redirect("parcours:commission_list")


@login_required
@require_POST
def commission_agenda_add(request, pk):
    commission = _runnable_commission(request, pk)
    form = AgendaForm(
        request.POST,
        candidatures=list(services.candidatures_a_presenter(commission.plie_id)),
        sorties=services.sorties_a_valider(commission.plie_id, commission.date),
    )
    if form.is_valid():
        try:
            added = services.commission_add_to_agenda(
                scope=request.scope,
                commission=commission,
                candidatures=form.selected("candidatures"),
                sorties=form.selected("sorties"),
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            n = len(added)
            messages.success(
                request, f"{n} dossier{'s' if n > 1 else ''} inscrit{'s' if n > 1 else ''} à l'ordre du jour."
            )
    else:
        messages.error(request, " ".join(" ".join(errors) for errors in form.errors.values()))
    return redirect("parcours:commission_detail", pk=commission.pk)


@login_required
@require_POST
def commission_agenda_remove(request, pk):
    decision = get_object_or_404(
        Decision.objects.filter(commission__in=Commission.objects.visible_to(request.scope)).select_related(
            "commission", "parcours__participant"
        ),
        pk=pk,
    )
    _require(permissions.can_run_commissions(request.scope, decision.commission.plie_id))
    try:
        services.commission_remove_from_agenda(scope=request.scope, decision=decision)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, f"{decision.parcours.participant} retiré de l'ordre du jour.")
    return redirect("parcours:commission_detail", pk=decision.commission_id)


@login_required
@require_POST
def commission_close(request, pk):
    commission = _runnable_commission(request, pk)
    try:
        services.commission_close(scope=request.scope, commission=commission)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, f"{commission} close : le procès-verbal est disponible.")
    return redirect("parcours:commission_detail", pk=commission.pk)


def _visible_decisions(scope):
    return Decision.objects.filter(commission__in=Commission.objects.visible_to(scope)).select_related(
        "commission__plie",
        "parcours__participant",
        "parcours__referent",
        "parcours__prescripteur",
        "parcours__sortie__type",
        "structure_reorientation",
        "decided_by",
    )


@login_required
@require_http_methods(["GET", "POST"])
def decision_record(request, pk):
    """One dossier's decision: the form alone (without JavaScript), or, with htmx, the dossier's
    card swapped in place on the session page."""
    decision = get_object_or_404(_visible_decisions(request.scope), pk=pk)
    commission = decision.commission
    _require(permissions.can_run_commissions(request.scope, commission.plie_id))
    detail_url = reverse("parcours:commission_detail", args=[commission.pk])
    if commission.status != StatutCommission.PREVUE or decision.decision:
        return redirect(f"{detail_url}#dossier-{decision.pk}")
    choices = _decision_choices(commission, [decision])
    conflict = {}
    status = 200
    if request.method == "POST":
        form = DecisionForm(request.POST, decision=decision, **choices)
        if form.is_valid():
            try:
                services.decision_record(scope=request.scope, decision=decision, **form.service_data())
            except ConflictError as error:
                conflict = {"conflict": error.message, "reload_url": detail_url}
                status = 409
            except ValidationError as error:
                form.add_service_errors(error)
                status = 400
            else:
                decision = _visible_decisions(request.scope).get(pk=decision.pk)
                if _is_htmx(request):
                    # the card, and out of band the session's panel (dossiers left, no more
                    # « Supprimer la session »); static/js/forms.js then moves the focus on
                    context = _dossier_context(decision, can_run=True)
                    context["cloture"] = _cloture_context(commission)
                    return render(request, "parcours/commission_dossier.html", context)
                messages.success(
                    request,
                    f"Décision enregistrée pour {decision.parcours.participant} : "
                    f"{decision.get_decision_display()}.",
                )
                return redirect(f"{detail_url}#dossier-{decision.pk}")
        else:
            status = 400
    else:
        form = DecisionForm(decision=decision, **choices)
    context = _dossier_context(decision, form=form, can_run=True, **conflict)
    if _is_htmx(request):
        # htmx swaps 2xx answers only: the card comes back with its errors as a 200
        return render(request, "parcours/commission_dossier.html", context)
    return render(request, "parcours/commission_decision.html", context, status=status)


def _journal_commission(request, commission, objet):
    """The people of a session's PDF, journaled as read: one select of the pairs, one insert."""
    personnes = commission.decisions.values_list("parcours__participant_id", "parcours__plie_id").distinct()
    journal.record(request.scope, request, JournalAction.EXPORT, personnes, objet=f"{objet} {commission.pk}")


def _pdf_response(content, filename):
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = content_disposition_header(True, filename)
    return _private(response)


@login_required
@require_GET
def commission_agenda_pdf(request, pk):
    commission = _visible_commission(request.scope, pk)
    _journal_commission(request, commission, "ordre du jour de la commission")
    return _pdf_response(
        pdf.render_agenda(commission), f"ordre-du-jour-commission-{commission.date:%Y-%m-%d}.pdf"
    )


@login_required
@require_GET
def commission_pv_pdf(request, pk):
    commission = _visible_commission(request.scope, pk)
    if commission.status != StatutCommission.TENUE:
        messages.error(request, "Le procès-verbal est disponible une fois la session close.")
        return redirect("parcours:commission_detail", pk=commission.pk)
    _journal_commission(request, commission, "procès-verbal de la commission")
    return _pdf_response(pdf.render_pv(commission), f"pv-commission-{commission.date:%Y-%m-%d}.pdf")


# --- suspensions ------------------------------------------------------------------------------


def _run_form(request, form, action, *, template, context, success):
    """Validate ``form``, call ``action(cleaned_data)`` and redirect, or render ``template``
    with the errors, or with the conflict message when the parcours moved (409)."""
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                result = action(form.cleaned_data)
            except ConflictError as error:
                context.update(_conflict_context(request, error))
                status = 409
            except ValidationError as error:
                form.add_service_errors(error)
                status = 400
            else:
                message, url = success(result)
                messages.success(request, message)
                return redirect(url)
        else:
            status = 400
    context.setdefault("conflict", "")
    context.setdefault("reload_url", "")
    context["form"] = form
    return render(request, template, context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def suspension_create(request, pk):
    parcours = _visible_parcours(request.scope, pk)
    _require(permissions.can_follow_parcours(request.scope, parcours.plie_id))
    form = SuspensionForm(_posted(request), initial={"version": parcours.version})

    def action(data):
        return services.suspension_start(scope=request.scope, parcours=parcours, **data)

    def success(suspension):
        return f"Parcours suspendu à partir du {suspension.date_debut:%d/%m/%Y}.", _parcours_url(parcours)

    context = _parcours_context(parcours, mode="debut", suspension=None)
    return _run_form(
        request, form, action, template="parcours/suspension_form.html", context=context, success=success
    )


@login_required
@require_http_methods(["GET", "POST"])
def suspension_end(request, pk):
    suspension = get_object_or_404(
        Suspension.objects.filter(parcours__in=Parcours.objects.visible_to(request.scope)).select_related(
            "parcours__participant", "parcours__plie", "parcours__referent"
        ),
        pk=pk,
    )
    parcours = suspension.parcours
    _require(permissions.can_follow_parcours(request.scope, parcours.plie_id))
    form = SuspensionEndForm(_posted(request), initial={"version": parcours.version})

    def action(data):
        return services.suspension_end(scope=request.scope, suspension=suspension, **data)

    def success(suspension):
        return (
            f"Suspension terminée le {suspension.date_fin:%d/%m/%Y} : l'accompagnement reprend.",
            _parcours_url(parcours),
        )

    context = _parcours_context(parcours, mode="fin", suspension=suspension)
    return _run_form(
        request, form, action, template="parcours/suspension_form.html", context=context, success=success
    )


# --- référent ---------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def referent_change(request, pk):
    parcours = _visible_parcours(request.scope, pk)
    _require(permissions.can_change_referent(request.scope, parcours))
    referents = [r for r in services.referents_of(parcours.plie_id) if r.pk != parcours.referent_id]
    form = ReferentForm(
        _posted(request),
        initial={"version": parcours.version},
        referents=referents,
        motif_required=parcours.status == StatutParcours.SORTI,
    )

    def action(data):
        return services.referent_change(scope=request.scope, parcours=parcours, **data)

    def success(result):
        return f"{result.participant} est désormais suivi par {result.referent}.", _parcours_url(result)

    affectations = list(parcours.affectations.select_related("referent").order_by("-date_debut", "-pk"))
    context = _parcours_context(parcours, affectations=affectations)
    return _run_form(
        request, form, action, template="parcours/referent_form.html", context=context, success=success
    )


# --- sorties ----------------------------------------------------------------------------------


def _visible_sortie(scope, pk):
    return get_object_or_404(
        Sortie.objects.filter(parcours__in=Parcours.objects.visible_to(scope)).select_related(
            "type", "parcours__participant", "parcours__plie", "parcours__referent"
        ),
        pk=pk,
    )


def _etapes_list(etapes):
    return ", ".join(f"« {etape.type} » du {etape.date_debut:%d/%m/%Y}" for etape in etapes)


def etapes_message(sortie):
    """What recording the exit did to the étapes, for the success message (``""``: nothing)."""
    parts = []
    closed, cancelled = getattr(sortie, "etapes_closes", []), getattr(sortie, "etapes_annulees", [])
    if closed:
        verbe = "se termine" if len(closed) == 1 else "se terminent"
        parts.append(f"{_etapes_list(closed)} {verbe} le {sortie.date_sortie:%d/%m/%Y}")
    if cancelled:
        verbe = "est annulée" if len(cancelled) == 1 else "sont annulées"
        parts.append(
            f"{_etapes_list(cancelled)}, prévue{'s' if len(cancelled) > 1 else ''} après la sortie, {verbe}"
        )
    return (" Étapes : " + " ; ".join(parts) + ".") if parts else ""


def groupes_sortie(radios):
    """The exit form's radios grouped by category (docs/domaine.md §5), in the order of
    ``CategorieSortie`` — positive exits first, then neutralised, abandons, others —, each group
    keeping the referential's order: ``[(label, [(radio, type, rule), ...]), ...]``, empty
    groups left out."""
    groupes = {categorie: [] for categorie in CategorieSortie}
    for radio, type_sortie, regle in radios:
        groupes.setdefault(type_sortie.categorie, []).append((radio, type_sortie, regle))
    labels = dict(CategorieSortie.choices)
    return [(labels.get(categorie, categorie), rows) for categorie, rows in groupes.items() if rows]


@login_required
@require_http_methods(["GET", "POST"])
def sortie_create(request, pk):
    parcours = _visible_parcours(request.scope, pk)
    _require(permissions.can_follow_parcours(request.scope, parcours.plie_id))
    types = list(services.types_sortie_of(parcours.plie_id))
    form = SortieForm(_posted(request), initial={"version": parcours.version}, types=types)

    def action(data):
        return services.sortie_record(
            scope=request.scope,
            parcours=parcours,
            version=data["version"],
            type_sortie=data["type"],
            date_sortie=data["date_sortie"],
            commentaire=data["commentaire"],
        )

    def success(sortie):
        if sortie.validee:
            message = f"Sortie « {sortie.type} » enregistrée et validée : le parcours est clos."
        elif sortie.type.criteres:
            message = f"Sortie « {sortie.type} » proposée : suivi dans l'emploi jusqu'à sa validation."
        else:
            message = f"Sortie « {sortie.type} » proposée : elle attend la validation d'une commission."
        return message + etapes_message(sortie), _parcours_url(parcours)

    radios = [(radio, t, regle_label(t)) for radio, t in zip(form["type"], types, strict=True)]
    context = _parcours_context(parcours, mode="record", sortie=None, types=radios)
    context["groupes"] = groupes_sortie(radios)
    return _run_form(
        request, form, action, template="parcours/sortie_form.html", context=context, success=success
    )


@login_required
@require_http_methods(["GET", "POST"])
def sortie_validate(request, pk):
    sortie = _visible_sortie(request.scope, pk)
    parcours = sortie.parcours
    _require(permissions.can_follow_parcours(request.scope, parcours.plie_id))
    form = SortieValidateForm(_posted(request), initial={"version": parcours.version})

    def action(data):
        return services.sortie_validate(scope=request.scope, sortie=sortie, **data)

    def success(sortie):
        return f"Sortie « {sortie.type} » validée : le parcours est clos.", _parcours_url(parcours)

    context = _parcours_context(
        parcours, mode="validate", sortie=sortie, regle=regle_label(sortie.type), types=[]
    )
    context["validable"] = services.date_validable_of(sortie) if not sortie.validee else None
    # « Valider » is offered only from the day the rule is met
    context["validable_now"] = (
        context["validable"] is not None and context["validable"] <= timezone.localdate()
    )
    return _run_form(
        request, form, action, template="parcours/sortie_form.html", context=context, success=success
    )


@login_required
@require_http_methods(["GET", "POST"])
def sortie_withdraw(request, pk):
    sortie = _visible_sortie(request.scope, pk)
    parcours = sortie.parcours
    _require(permissions.can_follow_parcours(request.scope, parcours.plie_id))
    form = SortieWithdrawForm(_posted(request), initial={"version": parcours.version})

    def action(data):
        return services.sortie_withdraw(scope=request.scope, sortie=sortie, **data)

    def success(result):
        return "Sortie retirée : le parcours reprend.", _parcours_url(result)

    context = _parcours_context(
        parcours, mode="withdraw", sortie=sortie, regle=regle_label(sortie.type), types=[]
    )
    return _run_form(
        request, form, action, template="parcours/sortie_form.html", context=context, success=success
    )
