"""The partner space (``/parcours/partenaire/``, issue 16): what a prescripteur, an opérateur and
a référent employed by an opérateur see and do (``plie.core.scoping``'s « Partners see what
they did »). Every object outside what the partner did is a 404; the rules are the predicates
of :mod:`parcours.permissions`, the same as the API's (``/api/v1/partenaire/``)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from parcours import permissions, selectors, services
from parcours.forms_partenaires import EtapeResultatForm, OrientationForm, PresenceForm
from parcours.models import PresenceEtape
from parcours.orientations import suivi_orientation
from participants.services import AGE_A_CONFIRMER, DoublonsProbables
from plie.core import journal
from plie.core.enums import JournalAction
from plie.core.models import Structure

LIST_LIMIT = 200  # the partner space lists the latest ones; the API pages through all


def _require_partner(scope):
    if not (scope.is_partner or scope.assigned_only_plie_ids or scope.is_superuser):
        raise Http404


@login_required
@require_GET
def partenaire_home(request):
    """« Espace partenaire » : the orientations of the user's prescripteurs, the étapes its
    opérateurs carry, the parcours assigned to the user (each section only when it applies)."""
    scope = request.scope
    _require_partner(scope)
    orientations = etapes = suivis = None
    if scope.prescripteur_structure_ids:
        orientations = [suivi_orientation(p) for p in selectors.orientations_for(scope)[:LIST_LIMIT]]
    if scope.operateur_structure_ids:
        etapes = list(selectors.partner_etapes_for(scope)[:LIST_LIMIT])
    if scope.assigned_only_plie_ids:
        suivis = list(selectors.assigned_parcours_for(scope)[:LIST_LIMIT])
    context = {
        "orientations": orientations,
        "etapes": etapes,
        "suivis": suivis,
        "can_orient": bool(scope.partner_plie_ids(scope.prescripteur_structure_ids)),
        "limit": LIST_LIMIT,
    }
    return render(request, "parcours/partenaire_home.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def orientation_create(request):
    """« Orienter une personne » : identity, contact and reason; the dossier appears as a
    candidature on the PLIE's list (``parcours.services.orientation_create``)."""
    scope = request.scope
    plie_ids = scope.partner_plie_ids(scope.prescripteur_structure_ids)
    if not plie_ids:
        raise PermissionDenied
    choices = {
        "plies": list(Structure.objects.plies().filter(pk__in=plie_ids).order_by("nom")),
        "prescripteurs": list(
            Structure.objects.filter(pk__in=scope.prescripteur_structure_ids).order_by("nom")
        ),
    }
    doublon = False
    if request.method == "POST":
        form = OrientationForm(request.POST, **choices)
        if form.is_valid():
            try:
                parcours = services.orientation_create(scope=scope, **form.service_kwargs())
            except DoublonsProbables:
                doublon = True
                form.ask("doublons_ecartes")
            except ValidationError as error:
                if any(e.code == AGE_A_CONFIRMER for e in error.error_dict.get("date_naissance", ())):
                    form.ask("age_confirme")
                form.add_service_errors(error)
            else:
                messages.success(
                    request,
                    f"Orientation de {parcours.participant} reçue par le {parcours.plie.nom} : "
                    "elle sera présentée en commission.",
                )
                return redirect("parcours:orientation_detail", pk=parcours.pk)
    else:
        form = OrientationForm(**choices)
    return render(request, "parcours/orientation_form.html", {"form": form, "doublon": doublon})


@login_required
@require_GET
def orientation_detail(request, pk):
    """The status of one orientation, and nothing else of the dossier."""
    parcours = get_object_or_404(selectors.orientations_for(request.scope), pk=pk)
    if not permissions.can_view_orientation(request.scope, parcours):
        raise Http404
    return render(request, "parcours/orientation_detail.html", {"suivi": suivi_orientation(parcours)})


def _partner_etape(scope, pk):
    etape = get_object_or_404(selectors.partner_etapes_for(scope), pk=pk)
    if not permissions.can_view_partner_etape(scope, etape):
        raise Http404
    return etape


def _etape_page(request, etape, *, presence_form=None, resultat_form=None, status=200):
    can_record = permissions.can_record_etape_outcome(request.scope, etape)
    context = {
        "etape": etape,
        "participant": etape.parcours.participant,
        "presences": PresenceEtape.objects.filter(etape=etape).order_by("-date"),
        "can_record": can_record,
        "presence_form": presence_form or PresenceForm(),
        "resultat_form": resultat_form
        or EtapeResultatForm(initial={"date_fin": etape.date_fin, "resultat": etape.resultat}),
    }
    return render(request, "parcours/partenaire_etape.html", context, status=status)


@login_required
@require_GET
def partenaire_etape(request, pk):
    """An étape carried by the user's opérateur: the participant's identity and contact, the
    presences, the outcome (the read is journaled, as a dossier's)."""
    etape = _partner_etape(request.scope, pk)
    journal.record(
        request.scope,
        request,
        JournalAction.CONSULTATION,
        [etape.parcours.participant],
        objet="Espace partenaire",
    )
    return _etape_page(request, etape)


def _record_on_etape(request, pk, *, form_class, record, done, form_name):
    """The opérateur's two writes on an étape it carries (presence, outcome): the same checks,
    the service's refusals on the form, the étape's page again with the form in error."""
    etape = _partner_etape(request.scope, pk)
    if not permissions.can_record_etape_outcome(request.scope, etape):
        raise PermissionDenied
    form = form_class(request.POST)
    if form.is_valid():
        try:
            record(scope=request.scope, etape=etape, **form.cleaned_data)
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            messages.success(request, done)
            return redirect("parcours:partenaire_etape", pk=etape.pk)
    return _etape_page(request, etape, status=400, **{form_name: form})


@login_required
@require_POST
def partenaire_presence(request, pk):
    return _record_on_etape(
        request,
        pk,
        form_class=PresenceForm,
        record=services.presence_record,
        done="Présence enregistrée.",
        form_name="presence_form",
    )


@login_required
@require_POST
def partenaire_resultat(request, pk):
    return _record_on_etape(
        request,
        pk,
        form_class=EtapeResultatForm,
        record=services.etape_outcome_record,
        done="Résultat de l'étape enregistré.",
        form_name="resultat_form",
    )


@login_required
@require_GET
def partenaire_suivi(request, pk):
    """A parcours assigned to a référent employed by an opérateur: identity, contact, status and
    étapes (no entretien note, frein, document or sensitive answer)."""
    parcours = get_object_or_404(selectors.assigned_parcours_for(request.scope), pk=pk)
    if not permissions.can_view_assigned_parcours(request.scope, parcours):
        raise Http404
    etapes = parcours.etapes.select_related("type", "operateur").order_by("-date_debut", "-pk")
    journal.record(
        request.scope, request, JournalAction.CONSULTATION, [parcours.participant], objet="Espace partenaire"
    )
    context = {"parcours": parcours, "participant": parcours.participant, "etapes": etapes}
    return render(request, "parcours/partenaire_suivi.html", context)
