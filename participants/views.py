"""The participant dossier: list and search, creation, the dossier page, identity, the FSE entry
questionnaire and freins.

A participant outside ``visible_to(request.scope)`` is a 404, whatever the reason (another PLIE,
a financeur). A user who sees the dossier but may not change it (gestionnaire, direction) gets a
403 on every page that writes (:func:`participants.permissions.can_edit`)."""

import dataclasses

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.forms import RadioSelect
from django.forms.models import model_to_dict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.text import capfirst
from django.views.decorators.http import require_GET, require_http_methods

from participants import services
from participants.categories import categories_of
from participants.enums import NiveauFormation, OuiNonNsp, StatutEmploi
from participants.filters import ParticipantFilter
from participants.forms import FreinForm, FreinLiftForm, ParticipantCreateForm, ParticipantForm, SituationForm
from participants.fse import reponses_manquantes
from participants.models import Document, Frein, Participant, SignalementDoublon, SituationEntree
from participants.permissions import can_edit_participant, can_view_sensitive_data, creatable_plie_ids
from participants.timeline import timeline
from plie.core import journal
from plie.core.dates import format_date
from plie.core.enums import JournalAction, Role, label_of
from plie.core.scoping import masked_answer

PAGE_SIZE = 50


def _situations_prefetch():
    return Prefetch("situations", queryset=SituationEntree.objects.order_by("-date_entree", "-pk"))


def _visible_participant(scope, pk):
    """The participant ``pk`` if ``scope`` may see it, else 404; its situations prefetched."""
    queryset = (
        Participant.objects.visible_to(scope).select_related("plie").prefetch_related(_situations_prefetch())
    )
    return get_object_or_404(queryset, pk=pk)


def _editable_participant(scope, pk):
    participant = _visible_participant(scope, pk)
    if not can_edit_participant(scope, participant):
        raise PermissionDenied
    return participant


SEARCH_SESSION_KEY = "participants_recherche"


@login_required
@require_http_methods(["GET", "POST"])
def participant_list(request):
    """The participants in scope, searched by name, birth date, phone or identifier (the same
    FilterSet as GET /api/v1/participants/, participants/filters.py).

    The search never travels in the URL (a name or a birth date would land in the access log,
    the browser history and the Referer): the form is POSTed, the query kept in the session
    and the browser redirected to the bare list (post/redirect/get); ``?page=n`` is the only
    parameter. An old ``?q=`` link is moved into the session the same way."""
    submitted = request.POST if request.method == "POST" else request.GET
    if "q" in submitted:
        request.session[SEARCH_SESSION_KEY] = submitted.get("q", "").strip()[:200]
        return redirect("participants:participant_list")
    query = request.session.get(SEARCH_SESSION_KEY, "")
    params = request.GET.copy()  # the other filters (commune, PLIE…) may travel in the URL
    params["q"] = query
    filterset = ParticipantFilter(params, queryset=Participant.objects.visible_to(request.scope))
    participants = filterset.qs.select_related("plie").prefetch_related(_situations_prefetch())
    page = Paginator(participants, PAGE_SIZE).get_page(request.GET.get("page"))
    for participant in page:
        # the latest situation comes from the prefetch: no query per row
        participant.manques_fse = len(reponses_manquantes(participant, participant.situation_entree))
    if query:  # the number of results, never the query
        journal.record(request.scope, request, JournalAction.RECHERCHE, nombre=page.paginator.count)
    context = {
        "page": page,
        "q": query,
        "may_create": bool(creatable_plie_ids(request.scope)),
        "reviews_doublons": request.scope.has_role(Role.ANIMATION),
    }
    return render(request, "participants/participant_list.html", context)


def _doublons_context(scope, doublons):
    """Likely duplicates as the scope may see them: a link for those in scope; for the others,
    only « a dossier may exist elsewhere in the OI, ask the animation » — neither a name nor the
    PLIE (no existence oracle across the OI); the animation reviews the match once the dossier is
    saved (:func:`participants.services.doublons_signaler`)."""
    personal = scope.personal_plie_ids
    visibles = [p for p in doublons if p.plie_id in personal]
    return {
        "doublons_visibles": visibles,
        "doublon_ailleurs": any(p.plie_id not in personal for p in doublons),
    }


@login_required
@require_http_methods(["GET", "POST"])
def participant_create(request):
    plie_ids = creatable_plie_ids(request.scope)
    if not plie_ids:
        raise PermissionDenied
    doublons = {"doublons_visibles": [], "doublon_ailleurs": False}
    if request.method == "POST":
        form = ParticipantCreateForm(request.POST, plie_ids=plie_ids)
        if form.is_valid():
            try:
                participant = services.participant_create(
                    scope=request.scope,
                    plie=form.cleaned_data["plie"],
                    age_confirme=form.cleaned_data["confirme_age"],
                    doublons_ecartes=form.cleaned_data["pas_un_doublon"],
                    **form.participant_data(),
                )
            except services.DoublonsProbables as found:
                doublons = _doublons_context(request.scope, found.doublons)
            except ValidationError as error:
                form.add_service_errors(error)
            else:
                messages.success(request, f"Dossier de {participant} créé.")
                return redirect(participant)
    else:
        form = ParticipantCreateForm(plie_ids=plie_ids)
    context = {"form": form, "participant": None, **doublons}
    return render(request, "participants/participant_form.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def participant_update(request, pk):
    participant = _editable_participant(request.scope, pk)
    situation = participant.situation_entree
    date_reference = situation.date_entree if situation else None
    initial = model_to_dict(participant, fields=services.PARTICIPANT_FIELDS)
    doublons = {"doublons_visibles": [], "doublon_ailleurs": False}
    if request.method == "POST":
        form = ParticipantForm(request.POST, initial=initial, date_reference=date_reference)
        if form.is_valid():
            try:
                services.participant_update(
                    scope=request.scope,
                    participant=participant,
                    age_confirme=form.cleaned_data["confirme_age"],
                    doublons_ecartes=form.cleaned_data["pas_un_doublon"],
                    **form.participant_data(),
                )
            except services.DoublonsProbables as found:
                doublons = _doublons_context(request.scope, found.doublons)
            except ValidationError as error:
                form.add_service_errors(error)
            else:
                messages.success(request, "Identité et coordonnées enregistrées.")
                return redirect(participant)
    else:
        form = ParticipantForm(initial=initial, date_reference=date_reference)
    context = {"form": form, "participant": participant, **doublons}
    return render(request, "participants/participant_form.html", context)


# Where each missing answer is fixed: identity and contacts on the identity form, the rest on
# the questionnaire.
IDENTITY_FIELDS = frozenset(services.PARTICIPANT_FIELDS)


def _field_anchor(form_class, name):
    field = form_class.base_fields.get(name)
    if field is None:
        return ""
    return f"#id_{name}_0" if isinstance(field.widget, RadioSelect) else f"#id_{name}"


def _manques(participant, situation, *, editable):
    """The missing answers, each with the link to the form where it is answered."""
    update_url = reverse("participants:participant_update", args=[participant.pk])
    questionnaire_url = reverse("participants:situation_update", args=[participant.pk])
    items = []
    for manque in reponses_manquantes(participant, situation):
        if not editable:
            url = ""
        elif manque.champ in IDENTITY_FIELDS:
            url = update_url + _field_anchor(ParticipantForm, manque.champ)
        else:
            url = questionnaire_url + _field_anchor(SituationForm, manque.champ)
        items.append({"message": manque.message, "url": url})
    return items


def _oui_non(value):
    return {True: "Oui", False: "Non"}.get(value, "Non renseigné")


def situation_summary(situation, *, sensitive):
    """The answers of the situation at entry as (question, answer) rows. The disability answer
    (Q3) is sensitive: others read « Renseigné » instead of the value."""

    def label(name):
        return capfirst(SituationEntree._meta.get_field(name).verbose_name)

    def date(value):
        return format_date(value, empty="Non renseignée")

    s = situation
    rows = [
        (label("date_entree"), date(s.date_entree)),
        (label("date_questionnaire"), date(s.date_questionnaire)),
        (label("statut_emploi"), label_of(StatutEmploi, s.statut_emploi, "Non renseigné")),
    ]
    if s.statut_emploi == StatutEmploi.SANS_EMPLOI:
        duree = f"{s.duree_recherche_mois} mois" if s.duree_recherche_mois is not None else "Non renseigné"
        rows += [
            (label("en_formation"), _oui_non(s.en_formation)),
            (label("recherche_emploi"), _oui_non(s.recherche_emploi)),
        ]
        if s.recherche_emploi:
            rows.append((label("duree_recherche_mois"), duree))
    handicap = _oui_non(s.handicap_reconnu) if sensitive else masked_answer(s.handicap_reconnu)
    rows += [
        (label("niveau_formation"), label_of(NiveauFormation, s.niveau_formation, "Non renseigné")),
        (label("handicap_reconnu"), handicap),
        (label("minima_sociaux"), _oui_non(s.minima_sociaux)),
        (label("beneficiaire_rsa"), _oui_non(s.beneficiaire_rsa)),
        (label("sans_domicile"), label_of(OuiNonNsp, s.sans_domicile, "Non renseigné")),
        (label("parent_ne_etranger"), label_of(OuiNonNsp, s.parent_ne_etranger, "Non renseigné")),
        (label("menage_sans_emploi"), _oui_non(s.menage_sans_emploi)),
        (label("menage_enfants"), _oui_non(s.menage_enfants)),
        (label("menage_monoparental"), _oui_non(s.menage_monoparental)),
    ]
    return rows


@login_required
@require_GET
def participant_detail(request, pk):
    scope = request.scope
    participant = _visible_participant(scope, pk)
    situation = participant.situation_entree
    sensitive = can_view_sensitive_data(scope, participant)
    editable = can_edit_participant(scope, participant)
    categories = categories_of(participant, situation)
    if not sensitive:
        categories = dataclasses.replace(categories, th=None)
    freins = list(Frein.objects.visible_to(scope).filter(participant=participant))
    context = {
        "participant": participant,
        "situation": situation,
        "situation_rows": situation_summary(situation, sensitive=sensitive) if situation else [],
        "entrees_precedentes": list(participant.situations.all())[1:],
        "categories": categories,
        "category_labels": categories.labels(),
        "can_edit": editable,
        "can_see_sensitive": sensitive,
        "freins_actifs": [frein for frein in freins if not frein.leve],
        "freins_leves": [frein for frein in freins if frein.leve],
        "lift_default": timezone.localdate(),
        "manques": _manques(participant, situation, editable=editable),
        "documents": Document.objects.visible_to(scope)
        .filter(participant=participant)
        .select_related("uploaded_by"),
        "events": timeline(participant, scope=scope),
        # the parcours app's block (reverse relation: participants does not import parcours)
        "parcours_list": list(participant.parcours.select_related("referent").order_by("-pk")),
        # the operations app's block (reverse relation, as above)
        "operations_inscriptions": list(
            participant.inscriptions.select_related("operation", "parcours").order_by("-date_entree", "-pk")
        ),
    }
    journal.record(scope, request, JournalAction.CONSULTATION, [participant])
    return render(request, "participants/participant_detail.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def situation_update(request, pk, new=False):
    """The FSE entry questionnaire: the latest situation at entry, or a new one (re-entry)."""
    participant = _editable_participant(request.scope, pk)
    sensitive = can_view_sensitive_data(request.scope, participant)
    situation = None if new else participant.situation_entree
    if situation is not None:
        initial = model_to_dict(situation, fields=services.SITUATION_FIELDS)
    else:
        initial = {"date_questionnaire": timezone.localdate()}
    if request.method == "POST":
        form = SituationForm(request.POST, initial=initial, sensitive=sensitive)
        if form.is_valid():
            try:
                situation = services.situation_save(
                    scope=request.scope, participant=participant, situation=situation, **form.situation_data()
                )
            except ValidationError as error:
                form.add_service_errors(error)
            else:
                missing = len(reponses_manquantes(participant, situation))
                if missing:
                    messages.success(
                        request,
                        f"Questionnaire enregistré. Il reste {missing} réponse{'s' if missing > 1 else ''} "
                        "à compléter.",
                    )
                    return redirect("participants:situation_update", pk=participant.pk)
                messages.success(request, "Questionnaire enregistré : il est complet.")
                return redirect(participant)
    else:
        form = SituationForm(initial=initial, sensitive=sensitive)
    context = {
        "q3_masque": None if sensitive else masked_answer(situation and situation.handicap_reconnu),
        "participant": participant,
        "situation": situation,
        "form": form,
        "new": new,
        "manques": _manques(participant, situation, editable=True),
    }
    return render(request, "participants/situation_form.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def situation_create(request, pk):
    return situation_update(request, pk, new=True)


@login_required
@require_http_methods(["GET", "POST"])
def frein_create(request, pk):
    participant = _editable_participant(request.scope, pk)
    if request.method == "POST":
        form = FreinForm(request.POST, scope=request.scope, participant=participant)
        if form.is_valid():
            try:
                frein = services.frein_add(scope=request.scope, participant=participant, **form.cleaned_data)
            except ValidationError as error:
                form.add_service_errors(error)
            else:
                messages.success(request, f"Frein « {frein} » ajouté.")
                return redirect(participant)
    else:
        form = FreinForm(scope=request.scope, participant=participant)
    return render(request, "participants/frein_form.html", {"participant": participant, "form": form})


@login_required
@require_http_methods(["GET", "POST"])
def frein_lift(request, pk):
    frein = get_object_or_404(
        Frein.objects.visible_to(request.scope).select_related("participant__plie"), pk=pk
    )
    participant = frein.participant
    if not can_edit_participant(request.scope, participant):
        raise PermissionDenied
    if request.method == "POST":
        form = FreinLiftForm(request.POST)
        if form.is_valid():
            try:
                services.frein_lift(
                    scope=request.scope, frein=frein, date_levee=form.cleaned_data["date_levee"]
                )
            except ValidationError as error:
                form.add_service_errors(error)
            else:
                messages.success(request, f"Frein « {frein} » levé le {frein.date_levee:%d/%m/%Y}.")
                return redirect(participant)
    else:
        form = FreinLiftForm()
    context = {"participant": participant, "frein": frein, "form": form}
    return render(request, "participants/frein_lift.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def doublon_list(request):
    """The duplicates flagged across PLIE that the animation reviews: both identities side by
    side (name, birth date, PLIE), nothing else of the other dossier."""
    scope = request.scope
    signalements = SignalementDoublon.objects.reviewable_by(scope).select_related(
        "participant__plie", "autre__plie", "created_by", "examine_par"
    )
    if request.method == "POST":
        signalement = get_object_or_404(signalements, pk=request.POST.get("signalement"))
        try:
            services.doublon_examiner(scope=scope, signalement=signalement, statut=request.POST.get("statut"))
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(
                request, f"Doublon possible n° {signalement.pk} : {signalement.get_statut_display()}."
            )
        return redirect("participants:doublon_list")
    if not any(scope.has_role(Role.ANIMATION, plie_id=p) for p in scope.personal_plie_ids):
        raise PermissionDenied
    context = {
        "a_examiner": [s for s in signalements if s.statut == SignalementDoublon.Statut.A_EXAMINER],
        "examines": [s for s in signalements if s.statut != SignalementDoublon.Statut.A_EXAMINER][:50],
        "statuts": SignalementDoublon.Statut,
    }
    return render(request, "participants/doublon_list.html", context)
