"""The référent's follow-up pages: « Ma file active », the parcours page, entretiens (and the
next appointment as .ics), étapes with their contracts.

A parcours outside ``Parcours.objects.visible_to(request.scope)`` is a 404, whatever the reason
(another PLIE, a financeur). Seeing is not writing: who may log entretiens and étapes is
:func:`parcours.permissions.can_write_suivi` (the parcours' référent, animation and administrateur of
the PLIE); everybody else gets a 403 on the pages that write."""

from urllib.parse import quote

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from parcours import ics, permissions
from parcours.enums import ModeEntretien, StatutParcours, SujetEntretien, TypeAlerte
from parcours.forms import EntretienForm, EtapeForm, WorkspaceFilterForm
from parcours.models import Contrat, Entretien, Etape, Parcours, Sortie, TypeSortie
from parcours.selectors import (
    STATUTS_ACTIFS,
    WorkspaceFilters,
    file_active,
    referents_for,
)
from parcours.services import suivi
from parcours.sorties import date_sortie_emploi, dates_validables, periodes_of_etapes, validation_status
from participants.permissions import can_create_participant
from plie.core import journal, registry
from plie.core.dates import format_date
from plie.core.enums import JournalAction, label_of
from plie.core.urls_helpers import safe_next_url, url_par_pk

ENTRETIENS_PAGE_SIZE = 20


def _visible_parcours(scope, pk, *related):
    queryset = Parcours.objects.visible_to(scope).select_related("participant", "plie", *related)
    return get_object_or_404(queryset, pk=pk)


def _writable_parcours(scope, pk):
    parcours = _visible_parcours(scope, pk, "referent")
    if not permissions.can_write_suivi(scope, parcours):
        raise PermissionDenied
    return parcours


def _int_or_none(value):
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


STATUS_STYLES = {
    StatutParcours.EN_PARCOURS: "outcome-running",
    StatutParcours.SUSPENDU: "outcome-failure",
    StatutParcours.EN_SUIVI_EMPLOI: "outcome-success",
}


def _present(rows, *, scope, next_url):
    """What each row shows, formatted once in Python: the page lists up to a hundred parcours
    every morning and the template stays a plain read (no ``{% url %}``, no date filter, no
    choice label looked up per row); the write permission depends on the PLIE and the référent
    only, so it is asked once per pair. The markup stays in the template (autoescaped)."""
    participant_url = url_par_pk("participants:participant_detail")
    parcours_url = url_par_pk("parcours:parcours_detail")
    ics_url = url_par_pk("parcours:entretien_ics")
    entretien_url = url_par_pk("parcours:entretien_create", f"?next={quote(next_url)}")
    alerte_labels = dict(TypeAlerte.choices)
    status_labels = dict(StatutParcours.choices)
    can_write = {}
    for row in rows:
        participant = row.participant
        row.nom_affiche = f"{participant.nom.upper()} {participant.prenom}"
        row.participant_url = participant_url(participant.pk)
        row.parcours_url = parcours_url(row.pk)
        row.entree_txt = format_date(row.date_entree)
        row.status_label = status_labels.get(row.status, row.status)
        row.status_style = STATUS_STYLES.get(row.status, "outcome-running")
        etape = row.etape_courante
        row.etape_txt = str(etape.type) if etape else ""
        row.etape_depuis = format_date(etape.date_debut) if etape else ""
        jours = row.jours_sans_contact
        row.contact_txt = format_date(row.dernier_contact)
        if jours is None:
            row.contact_depuis = ""
        else:
            row.contact_depuis = (
                "aujourd'hui" if jours == 0 else f"il y a {jours} jour{'s' if jours > 1 else ''}"
            )
        row.contact_late = jours is None or jours > row.seuil_sans_contact
        rdv = timezone.localtime(row.prochain_rdv) if row.prochain_rdv else None
        row.rdv_txt = f"{rdv:%d/%m/%Y à %Hh%M}" if rdv else ""
        row.ics_url = ics_url(row.rdv_entretien_id) if row.rdv_entretien_id else ""
        key = (row.plie_id, row.referent_id)
        if key not in can_write:
            can_write[key] = permissions.can_write_suivi(scope, row)
        row.can_write = can_write[key]
        row.entretien_url = entretien_url(row.pk) if row.can_write else ""
        for alerte in row.alertes_list:
            alerte.label = alerte_labels.get(alerte.type, alerte.type)
            alerte.echeance_txt = f" ({format_date(alerte.echeance)})" if alerte.echeance else ""


# --- Ma file active -------------------------------------------------------------------------


@login_required
@require_GET
def workspace(request):
    scope = request.scope
    if not permissions.can_use_workspace(scope):
        raise PermissionDenied
    today = timezone.localdate()
    referents = referents_for(scope) if permissions.can_pick_referent(scope) else []
    form = WorkspaceFilterForm(request.GET or None, referents=referents)
    referent = scope.user
    referent_id = _int_or_none(request.GET.get("referent"))
    if referent_id is not None and referent_id != scope.user_id:
        # somebody else's file active: a référent of a PLIE where scope is animation or admin
        referent = next((r for r in referents if r.pk == referent_id), None)
        if referent is None:
            raise Http404("Ce référent ne fait pas partie de votre PLIE.")
    filters = WorkspaceFilters(
        status=form.value("status"),
        alerte=form.value("alerte"),
        q=form.value("q").strip(),
        sort=form.value("sort", "nom"),
    )
    rows = file_active(scope, referent, filters, today=today)
    next_url = request.get_full_path()
    _present(rows, scope=scope, next_url=next_url)
    context = {
        "form": form,
        "rows": rows,
        "referent": referent,
        "is_own": referent.pk == scope.user_id,
        "filtered": bool(filters.status or filters.alerte or filters.q),
        "today": today,
        "can_pick": bool(referents),
    }
    return render(request, "parcours/workspace.html", context)


# --- the parcours page ------------------------------------------------------------------------


def _sortie_of(parcours):
    try:
        return parcours.sortie
    except Sortie.DoesNotExist:
        return None


def _contrat_of(etape):
    try:
        return etape.contrat
    except Contrat.DoesNotExist:
        return None


def _writable_now(scope, parcours):
    """Open parcours take entretiens and étapes; a closed one only from an administrateur (who
    gives the reason), a refused candidature nothing."""
    if parcours.status == StatutParcours.NON_ADMIS:
        return False
    return parcours.status != StatutParcours.SORTI or permissions.can_edit_closed_parcours(
        scope, parcours.plie_id
    )


def _suspension_en_cours(parcours, suspensions):
    """:func:`parcours.services.suspension_en_cours` over the suspensions already read: the
    latest suspension of a suspended parcours (even with a planned end date), else ``None``."""
    if parcours.status != StatutParcours.SUSPENDU or not suspensions:
        return None
    return max(suspensions, key=lambda suspension: (suspension.date_debut, suspension.pk))


def _rdv_entretien(parcours, entretiens):
    """The entretien that planned the parcours' next appointment (for its .ics), among those
    on the page, else ``None``."""
    if parcours.prochain_rdv is None:
        return None
    return next((e for e in entretiens if e.prochain_rdv == parcours.prochain_rdv), None)


def _previsions_sortie(parcours, sortie, periodes, today):
    """When a job exit would become validable under each job-exit type of the PLIE (their rule
    reads the contracts), from the contracts recorded: ``None`` without a job, else a dict with
    the exit's date used (the recorded exit's, or the latest hiring's) and ``rows`` of
    ``(type, date or None, reached)``. One query (the PLIE's active exit types)."""
    if sortie is not None and sortie.validee:
        return None
    depuis = sortie.date_sortie if sortie is not None else date_sortie_emploi(periodes)
    if depuis is None:
        return None
    types = TypeSortie.objects.filter(plie_id=parcours.plie_id, is_active=True).order_by("ordre", "libelle")
    rows = [
        (type_sortie, day, day is not None and day <= today)
        for type_sortie, day in dates_validables(periodes, types, depuis=depuis)
    ]
    if not rows:
        return None
    return {"depuis": depuis, "enregistree": sortie is not None, "rows": rows}


@login_required
@require_GET
def parcours_detail(request, pk):
    scope = request.scope
    parcours = _visible_parcours(scope, pk, "referent", "prescripteur", "sortie__type", "sortie__validee_par")
    sortie = _sortie_of(parcours)
    etapes = list(parcours.etapes.select_related("type", "operateur", "contrat"))
    for etape in etapes:
        etape.contrat_or_none = _contrat_of(etape)
    entretiens = parcours.entretiens.select_related("referent")
    page = Paginator(entretiens, ENTRETIENS_PAGE_SIZE).get_page(request.GET.get("page"))
    for entretien in page:
        entretien.sujets_labels = [label_of(SujetEntretien, sujet) for sujet in entretien.sujets or []]
    can_write = permissions.can_write_suivi(scope, parcours)
    today = timezone.localdate()
    for etape in etapes:
        etape.parcours = parcours  # the page's parcours: no query per étape
        etape.can_cancel = can_write and permissions.can_cancel_etape(scope, etape, today)
    statut_sortie = None
    periodes = periodes_of_etapes(etapes)
    if sortie is not None and not sortie.validee:
        # where the proposed exit stands under the PLIE's rules, from the étapes already read
        statut_sortie = validation_status(parcours, today, contrats=periodes)
    previsions = _previsions_sortie(parcours, sortie, periodes, today)
    rdv_entretien = _rdv_entretien(parcours, page.object_list)
    if rdv_entretien is None and parcours.prochain_rdv is not None:
        rdv_entretien = entretiens.filter(prochain_rdv=parcours.prochain_rdv).first()
    suspensions = list(parcours.suspensions.all())
    # what the apps above offer on this dossier (plie.core.registry: operations' enrolment)
    panels = [panel for panel in (f(scope, parcours, today) for f in registry.dossier_panels()) if panel]
    context = {
        "panels": panels,
        "parcours": parcours,
        "participant": parcours.participant,
        "sortie": sortie,
        "validation_status": statut_sortie,
        "previsions": previsions,
        "valider_ouvert": bool(statut_sortie and statut_sortie.validable_now),
        "etapes": etapes,
        "page": page,
        "rdv_entretien": rdv_entretien,
        "suspensions": suspensions,
        "suspension_en_cours": _suspension_en_cours(parcours, suspensions),
        "affectations": list(parcours.affectations.select_related("referent")),
        "decisions": list(parcours.decisions.select_related("commission", "structure_reorientation")),
        "can_write": can_write,
        "can_write_now": can_write and _writable_now(scope, parcours),
        "can_act": can_create_participant(scope, parcours.plie_id),
        "can_change_referent": permissions.can_change_referent(scope, parcours),
        "can_see_notes": scope.sees_sensitive_data(parcours.plie_id),
        "is_open": parcours.status not in (StatutParcours.SORTI, StatutParcours.NON_ADMIS),
        "is_active": parcours.status in STATUTS_ACTIFS,
    }
    personne = (parcours.participant_id, parcours.plie_id)
    journal.record(scope, request, JournalAction.CONSULTATION, [personne], objet="parcours")
    return render(request, "parcours/parcours_detail.html", context)


# --- entretiens -------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def entretien_create(request, pk):
    scope = request.scope
    parcours = _writable_parcours(scope, pk)
    participant = parcours.participant
    default_next = reverse("parcours:parcours_detail", args=[parcours.pk])
    next_url = safe_next_url(request, default_next)
    if request.method == "POST":
        form = EntretienForm(request.POST, parcours=parcours)
        if form.is_valid():
            try:
                entretien = suivi.entretien_record(scope=scope, parcours=parcours, **form.entretien_data())
            except ValidationError as error:
                form.add_service_errors(error)
            else:
                text = f"Entretien du {entretien.date:%d/%m/%Y} noté pour {participant}."
                if entretien.prochain_rdv:
                    rdv = timezone.localtime(entretien.prochain_rdv)
                    text += f" Prochain rendez-vous le {rdv:%d/%m/%Y à %Hh%M}."
                messages.success(request, text)
                return redirect(next_url)
    else:
        form = EntretienForm(
            parcours=parcours, initial={"date": timezone.localdate(), "mode": ModeEntretien.INDIVIDUEL}
        )
    context = {"form": form, "parcours": parcours, "participant": participant, "next_url": next_url}
    return render(request, "parcours/entretien_form.html", context)


@login_required
@require_GET
def entretien_ics(request, pk):
    entretien = get_object_or_404(
        Entretien.objects.filter(parcours__in=Parcours.objects.visible_to(request.scope)).select_related(
            "parcours__participant"
        ),
        pk=pk,
    )
    if entretien.prochain_rdv is None:
        raise Http404("Pas de prochain rendez-vous pour cet entretien.")
    host = request.get_host().split(":")[0]
    url = request.build_absolute_uri(reverse("parcours:parcours_detail", args=[entretien.parcours_id]))
    body = ics.entretien_calendar(entretien, host=host, url=url)
    personne = (entretien.parcours.participant_id, entretien.parcours.plie_id)
    journal.record(request.scope, request, JournalAction.EXPORT, [personne], objet=f"rendez-vous (ICS) {pk}")
    response = HttpResponse(body.encode("utf-8"), content_type="text/calendar; charset=utf-8")
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    day = timezone.localtime(entretien.prochain_rdv)
    response["Content-Disposition"] = f'attachment; filename="rendez-vous-{day:%Y-%m-%d}.ics"'
    return response


# --- étapes -----------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def etape_create(request, pk):
    scope = request.scope
    parcours = _writable_parcours(scope, pk)
    if request.method == "POST":
        form = EtapeForm(request.POST, parcours=parcours)
        if form.is_valid():
            try:
                etape = suivi.etape_add(scope=scope, parcours=parcours, **form.service_kwargs())
            except ValidationError as error:
                form.add_service_errors(error)
            else:
                messages.success(
                    request, f"Étape « {etape.type} » ajoutée au parcours de {parcours.participant}."
                )
                return redirect("parcours:parcours_detail", pk=parcours.pk)
    else:
        form = EtapeForm(parcours=parcours, initial={"date_debut": timezone.localdate()})
    return render(request, "parcours/etape_form.html", _etape_context(form, parcours, None))


@login_required
@require_http_methods(["GET", "POST"])
def etape_update(request, pk):
    scope = request.scope
    etape = get_object_or_404(
        Etape.objects.filter(parcours__in=Parcours.objects.visible_to(scope)).select_related(
            "parcours__participant", "parcours__plie", "type", "operateur", "contrat"
        ),
        pk=pk,
    )
    parcours = etape.parcours
    if not permissions.can_write_suivi(scope, parcours):
        raise PermissionDenied
    if request.method == "POST":
        form = EtapeForm(request.POST, parcours=parcours, etape=etape)
        if form.is_valid():
            try:
                etape = suivi.etape_update(
                    scope=scope,
                    etape=etape,
                    fingerprint=form.cleaned_data["fingerprint"] or None,
                    **form.service_kwargs(),
                )
            except ValidationError as error:
                form.add_service_errors(error)
            else:
                messages.success(request, f"Étape « {etape.type} » enregistrée.")
                return redirect("parcours:parcours_detail", pk=parcours.pk)
    else:
        initial = EtapeForm.initial_for(etape, suivi.etape_fingerprint(etape))
        form = EtapeForm(parcours=parcours, etape=etape, initial=initial)
    return render(request, "parcours/etape_form.html", _etape_context(form, parcours, etape))


@login_required
@require_http_methods(["POST"])
def etape_cancel(request, pk):
    """Cancel a planned étape (the button of the parcours page); back to the parcours page."""
    scope = request.scope
    etape = get_object_or_404(
        Etape.objects.filter(parcours__in=Parcours.objects.visible_to(scope)).select_related(
            "parcours__participant", "parcours__plie", "type"
        ),
        pk=pk,
    )
    parcours = etape.parcours
    if not permissions.can_write_suivi(scope, parcours):
        raise PermissionDenied
    try:
        etape = suivi.etape_cancel(scope=scope, etape=etape)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request,
            f"Étape « {etape.type} » prévue le {etape.date_debut:%d/%m/%Y} annulée : "
            "elle reste dans l'historique du parcours.",
        )
    return redirect("parcours:parcours_detail", pk=parcours.pk)


def _etape_context(form, parcours, etape):
    types = form.fields["type"].queryset
    return {
        "form": form,
        "parcours": parcours,
        "participant": parcours.participant,
        "etape": etape,
        "types_emploi": [str(t.pk) for t in types if suivi.is_emploi(t)],
    }
