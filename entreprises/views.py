"""Employers, their contacts and exchanges, offers and mises en relation.

An object outside ``visible_to(scope)`` is a 404; seeing is not writing:
:mod:`entreprises.permissions` says who may change what, everybody else gets a 403."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from entreprises import selectors, services
from entreprises.forms import (
    ContactForm,
    EchangeForm,
    EmbaucheForm,
    EmployeurFilterForm,
    EmployeurForm,
    OffreFilterForm,
    OffreForm,
    PropositionForm,
    ResultatForm,
)
from entreprises.models import Employeur, MiseEnRelation, Offre
from entreprises.permissions import (
    EMPLOYER_SIDE_ROLES,
    can_manage_employeurs,
    can_propose_candidats,
    can_record_embauche,
    can_record_resultat,
)
from entreprises.services import EMPLOYEUR_FIELDS, OFFRE_FIELDS
from parcours.models import Parcours
from plie.core.enums import Role

PAGE_SIZE = 50
MES_PARCOURS_MAX = 200


def _manageable_plie_ids(scope):
    return sorted(p for p in scope.employer_plie_ids if scope.has_role(*EMPLOYER_SIDE_ROLES, plie_id=p))


def _visible_employeur(scope, pk):
    return get_object_or_404(Employeur.objects.visible_to(scope).select_related("plie"), pk=pk)


def _managed_employeur(scope, pk):
    employeur = _visible_employeur(scope, pk)
    if not can_manage_employeurs(scope, employeur.plie_id):
        raise PermissionDenied
    return employeur


def _visible_offre(scope, pk):
    return get_object_or_404(Offre.objects.visible_to(scope).select_related("employeur", "plie"), pk=pk)


def _visible_mise(scope, pk):
    return get_object_or_404(
        MiseEnRelation.objects.visible_to(scope).select_related(
            "offre__employeur", "participant", "parcours"
        ),
        pk=pk,
    )


def _require_employer_side(scope):
    if not scope.employer_plie_ids:
        raise Http404


# --- employers ----------------------------------------------------------------------------------


@login_required
@require_GET
def employeur_list(request):
    scope = request.scope
    _require_employer_side(scope)
    form = EmployeurFilterForm(request.GET or None)
    filtres = form.cleaned_data if form.is_valid() else {}
    rows = selectors.employeurs(scope, **{k: v for k, v in filtres.items() if v})
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "page": page,
        "form": form,
        "may_create": bool(_manageable_plie_ids(scope)),
        "show_plie": len(scope.employer_plie_ids) > 1,
    }
    return render(request, "entreprises/employeur_list.html", context)


@login_required
@require_GET
def employeur_detail(request, pk):
    scope = request.scope
    employeur = _visible_employeur(scope, pk)
    context = {
        "employeur": employeur,
        "contacts": list(employeur.contacts.all()),
        "echanges": list(employeur.echanges.select_related("contact", "auteur")[:50]),
        "offres": list(employeur.offres.order_by("-date_publication")),
        "conventions": list(employeur.conventions.order_by("-date_debut", "pk")),
        "may_manage": can_manage_employeurs(scope, employeur.plie_id),
    }
    return render(request, "entreprises/employeur_detail.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def employeur_create(request):
    scope = request.scope
    plie_ids = _manageable_plie_ids(scope)
    if not plie_ids:
        raise PermissionDenied
    form = EmployeurForm(request.POST or None, plie_ids=plie_ids)
    if request.method == "POST" and form.is_valid():
        values = {field: form.cleaned_data[field] for field in EMPLOYEUR_FIELDS}
        try:
            employeur = services.employeur_create(scope=scope, plie_id=form.cleaned_data["plie"].pk, **values)
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            messages.success(request, f"L'employeur « {employeur.nom} » est enregistré.")
            return redirect("entreprises:employeur_detail", employeur.pk)
    return render(request, "entreprises/employeur_form.html", {"form": form, "employeur": None})


@login_required
@require_http_methods(["GET", "POST"])
def employeur_update(request, pk):
    scope = request.scope
    employeur = _managed_employeur(scope, pk)
    form = EmployeurForm(request.POST or None, instance=employeur)
    if request.method == "POST" and form.is_valid():
        values = {field: form.cleaned_data[field] for field in EMPLOYEUR_FIELDS}
        employeur.refresh_from_db()
        try:
            services.employeur_update(scope=scope, employeur=employeur, **values)
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            messages.success(request, "L'employeur est modifié.")
            return redirect("entreprises:employeur_detail", employeur.pk)
    return render(request, "entreprises/employeur_form.html", {"form": form, "employeur": employeur})


@login_required
@require_http_methods(["GET", "POST"])
def contact_create(request, pk):
    scope = request.scope
    employeur = _managed_employeur(scope, pk)
    form = ContactForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.contact_add(scope=scope, employeur=employeur, **form.cleaned_data)
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            messages.success(request, "Le contact est ajouté.")
            return redirect("entreprises:employeur_detail", employeur.pk)
    context = {"form": form, "employeur": employeur, "titre": "Nouveau contact"}
    return render(request, "entreprises/employeur_sous_form.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def echange_create(request, pk):
    scope = request.scope
    employeur = _managed_employeur(scope, pk)
    form = EchangeForm(request.POST or None, employeur=employeur, initial={"date": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        try:
            services.echange_add(scope=scope, employeur=employeur, **form.cleaned_data)
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            messages.success(request, "L'échange est noté.")
            return redirect("entreprises:employeur_detail", employeur.pk)
    context = {"form": form, "employeur": employeur, "titre": "Noter un échange"}
    return render(request, "entreprises/employeur_sous_form.html", context)


# --- offers -------------------------------------------------------------------------------------


@login_required
@require_GET
def offre_list(request):
    scope = request.scope
    _require_employer_side(scope)
    form = OffreFilterForm(request.GET or None)
    filtres = form.cleaned_data if form.is_valid() else {}
    rows = selectors.offres(scope, **{k: v for k, v in filtres.items() if v})
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    # a référent's own participants in parcours: a link to the offers that fit each of them
    suivis = []
    if scope.user_id is not None and scope.has_role(Role.REFERENT):
        suivis = list(
            Parcours.objects.visible_to(scope)
            .actifs()
            .filter(referent_id=scope.user_id, plie_id__in=scope.employer_plie_ids)
            .select_related("participant")
            .order_by("participant__nom", "participant__prenom")[:MES_PARCOURS_MAX]
        )
    return render(request, "entreprises/offre_list.html", {"page": page, "form": form, "suivis": suivis})


@login_required
@require_GET
def offre_detail(request, pk):
    scope = request.scope
    offre = _visible_offre(scope, pk)
    mises = list(offre.mises_en_relation.select_related("participant", "parcours", "proposee_par", "offre"))
    for mise in mises:
        mise.may_result = mise.status not in services.STATUTS_FINAUX and can_record_resultat(scope, mise)
        mise.may_hire = mise.may_result and can_record_embauche(scope, mise)
    context = {
        "offre": offre,
        "mises": mises,
        "may_manage": can_manage_employeurs(scope, offre.plie_id),
        "may_propose": can_propose_candidats(scope, offre)
        and not services.offre_fermee_message(offre, timezone.localdate()),
    }
    return render(request, "entreprises/offre_detail.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def offre_create(request, pk):
    scope = request.scope
    employeur = _managed_employeur(scope, pk)
    form = OffreForm(request.POST or None, initial={"date_publication": timezone.localdate(), "postes": 1})
    if request.method == "POST" and form.is_valid():
        try:
            offre = services.offre_create(
                scope=scope, employeur=employeur, **{f: form.cleaned_data[f] for f in OFFRE_FIELDS}
            )
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            messages.success(request, "L'offre est enregistrée.")
            return redirect("entreprises:offre_detail", offre.pk)
    return render(
        request, "entreprises/offre_form.html", {"form": form, "employeur": employeur, "offre": None}
    )


@login_required
@require_http_methods(["GET", "POST"])
def offre_update(request, pk):
    scope = request.scope
    offre = _visible_offre(scope, pk)
    if not can_manage_employeurs(scope, offre.plie_id):
        raise PermissionDenied
    form = OffreForm(request.POST or None, instance=offre)
    if request.method == "POST" and form.is_valid():
        values = {f: form.cleaned_data[f] for f in OFFRE_FIELDS}
        offre.refresh_from_db()
        try:
            services.offre_update(scope=scope, offre=offre, **values)
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            messages.success(request, "L'offre est modifiée.")
            return redirect("entreprises:offre_detail", offre.pk)
    context = {"form": form, "employeur": offre.employeur, "offre": offre}
    return render(request, "entreprises/offre_form.html", context)


# --- mises en relation --------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def mise_en_relation_create(request, pk):
    """Put a participant forward on the offer ``pk``."""
    scope = request.scope
    offre = _visible_offre(scope, pk)
    if not can_propose_candidats(scope, offre):
        raise PermissionDenied
    form = PropositionForm(
        request.POST or None, participants=selectors.participants_proposables(scope, offre.plie_id)
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.mise_en_relation_propose(
                scope=scope, offre=offre, participant=form.cleaned_data["participant"]
            )
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            messages.success(request, "Le participant est proposé sur l'offre.")
            return redirect("entreprises:offre_detail", offre.pk)
    return render(request, "entreprises/mise_en_relation_form.html", {"form": form, "offre": offre})


@login_required
@require_http_methods(["GET", "POST"])
def mise_en_relation_resultat(request, pk):
    scope = request.scope
    mise = _visible_mise(scope, pk)
    if not can_record_resultat(scope, mise):
        raise PermissionDenied
    form = ResultatForm(request.POST or None, initial={"date_resultat": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        try:
            services.mise_en_relation_resultat(scope=scope, mise=mise, **form.cleaned_data)
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            messages.success(request, "Le résultat est enregistré.")
            return redirect("entreprises:offre_detail", mise.offre_id)
    context = {"form": form, "mise": mise, "titre": "Résultat de la mise en relation"}
    return render(request, "entreprises/mise_en_relation_resultat.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def mise_en_relation_embauche(request, pk):
    """« Retenu »: the contract and its étape are created in the parcours, in one step."""
    scope = request.scope
    mise = _visible_mise(scope, pk)
    if not can_record_embauche(scope, mise):
        raise PermissionDenied
    form = EmbaucheForm(
        request.POST or None, plie_id=mise.offre.plie_id, initial={"date_debut": mise.offre.date_debut}
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.mise_en_relation_embauche(scope=scope, mise=mise, **form.cleaned_data)
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            messages.success(
                request, "L'embauche est enregistrée : le contrat et son étape sont créés dans le parcours."
            )
            return redirect("entreprises:offre_detail", mise.offre_id)
    context = {"form": form, "mise": mise, "titre": "Embauche (retenu)"}
    return render(request, "entreprises/mise_en_relation_resultat.html", context)


@login_required
@require_GET
def offres_pour_parcours(request, pk):
    """The open offers that fit the participant of the parcours ``pk`` (for their référent)."""
    scope = request.scope
    parcours = get_object_or_404(Parcours.objects.visible_to(scope).select_related("participant"), pk=pk)
    if parcours.plie_id not in scope.employer_plie_ids:
        raise Http404
    codes = [c.strip().upper() for c in request.GET.get("rome", "").split(",") if c.strip()]
    heures = request.GET.get("heures") or None
    try:
        heures_max = int(heures) if heures else None
    except ValueError:
        heures_max = None
    code_postal = request.GET.get("cp", parcours.participant.code_postal or "")
    rows = selectors.offres_pour(
        scope, parcours, codes_rome=codes, code_postal=code_postal, heures_max=heures_max
    )
    context = {
        "parcours": parcours,
        "offres": rows,
        "rome": ",".join(codes),
        "cp": code_postal,
        "heures": heures_max,
    }
    return render(request, "entreprises/offres_pour_parcours.html", context)
