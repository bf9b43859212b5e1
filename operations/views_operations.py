"""Operations and enrolments: the list, an operation's page with its enrolments, the forms
(operation, enrolment, entry questionnaire, exit) and the 1 January carry-over.

An operation outside ``Operation.objects.visible_to(user)`` is a 404; an enrolment outside
``Inscription.objects.visible_to(user)`` too (a financeur sees operations and their counts, never
a participant). Seeing is not writing: :mod:`operations.permissions` says who may change what,
everybody else gets a 403 on the pages that write."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.db.models.functions import ExtractYear
from django.forms.models import model_to_dict
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_http_methods

from operations import services
from operations.forms import (
    InscriptionForm,
    OperationFilterForm,
    OperationForm,
    QuestionnaireForm,
    ReportForm,
    SortieForm,
)
from operations.models import Inscription, Operation
from operations.permissions import (
    can_control,
    can_fill,
    can_manage,
    can_see_inscriptions,
    manageable_plie_ids,
)
from parcours.models import Parcours
from participants.fse import reponses_manquantes
from plie.core.enums import Role
from plie.core.scoping import scope_for, visible_plies

OPERATIONS_PAGE_SIZE = 50
INSCRIPTIONS_PAGE_SIZE = 50

# The operation's other pages. Figures (completeness counts, occupancy, results) are for every
# reader of the operation; the pages naming participants are for the roles that control files
# (gestionnaire, animation, administrateur, direction — see operations.pieces / views_exports).
PAGES_CHIFFRES = (
    ("operations:completude", "Complétude des données FSE"),
    ("operations:occupation", "Taux d'occupation"),
    ("operations:resultats", "Résultats et objectifs"),
)
PAGES_DOSSIERS = (
    ("operations:pieces", "Pièces justificatives"),
    ("operations:action_list", "Actions collectives et émargements"),
    ("operations:extraction_entretiens", "Extraction des entretiens"),
    ("operations:export_mdfse", "Export Ma Démarche FSE"),
    ("operations:validation_mdfse", "Contrôle avant dépôt"),
    ("operations:export_xlsx", "Export XLSX"),
    ("operations:annexe_bilan", "Annexe participants du bilan"),
)


def pages_liees(user, operation, *, personal):
    """(label, url) of the operation's other pages ``user`` may open."""
    pages = list(PAGES_CHIFFRES)
    if personal and can_control(user, operation.plie_id):
        pages.extend(PAGES_DOSSIERS)
    return [(label, reverse(name, args=[operation.pk])) for name, label in pages]


def _next_url(request, default):
    """Where to go after a form: ``next`` when it is a page of this site, else ``default``."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return default


def _visible_operation(user, pk):
    return get_object_or_404(Operation.objects.visible_to(user).select_related("plie", "porteur"), pk=pk)


def _managed_operation(user, pk):
    operation = _visible_operation(user, pk)
    if not can_manage(user, operation.plie_id):
        raise PermissionDenied
    return operation


def _fillable_inscription(user, pk):
    queryset = Inscription.objects.visible_to(user).select_related(
        "operation__plie", "participant", "parcours", "questionnaire_confirme_par"
    )
    inscription = get_object_or_404(queryset, pk=pk)
    if not can_fill(user, inscription):
        raise PermissionDenied
    return inscription


# --- list -------------------------------------------------------------------------------------


@login_required
@require_GET
def operation_list(request):
    user = request.user
    operations = Operation.objects.visible_to(user)
    plies = list(visible_plies(user).order_by("nom"))
    annees = sorted(
        set(operations.annotate(annee=ExtractYear("date_debut")).values_list("annee", flat=True)),
        reverse=True,
    )
    form = OperationFilterForm(request.GET or None, annees=annees, plies=plies)
    filtres = form.cleaned_data if form.is_valid() else {}
    if filtres.get("annee"):
        operations = operations.filter(
            date_debut__year__lte=filtres["annee"], date_fin__year__gte=filtres["annee"]
        )
    if filtres.get("plie"):
        operations = operations.filter(plie_id=filtres["plie"])
    operations = (
        operations.select_related("plie", "porteur")
        .annotate(
            nb_inscriptions=Count("inscriptions"),
            nb_ouvertes=Count("inscriptions", filter=Q(inscriptions__date_sortie__isnull=True)),
        )
        .order_by("-date_debut", "plie__nom", "code")
    )
    page = Paginator(operations, OPERATIONS_PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "page": page,
        "form": form,
        "may_create": bool(manageable_plie_ids(user)),
        "show_plie": len(plies) > 1,
    }
    return render(request, "operations/operation_list.html", context)


# --- detail -----------------------------------------------------------------------------------


def _fillable_ids(user, operation, rows):
    """Ids of the enrolments among ``rows`` whose questionnaire and exit ``user`` may fill (at
    most one query: the parcours a référent follows, for enrolments without a parcours)."""
    if can_manage(user, operation.plie_id):
        return {row.pk for row in rows}
    if not scope_for(user).has_role(Role.REFERENT, plie_id=operation.plie_id):
        return set()
    ids = {row.pk for row in rows if row.parcours_id and row.parcours.referent_id == user.pk}
    orphans = {row.participant_id: row.pk for row in rows if row.parcours_id is None}
    if orphans:
        followed = Parcours.objects.filter(participant_id__in=orphans, referent_id=user.pk).values_list(
            "participant_id", flat=True
        )
        ids.update(orphans[pid] for pid in followed)
    return ids


@login_required
@require_GET
def operation_detail(request, pk):
    user = request.user
    operation = _visible_operation(user, pk)
    personal = can_see_inscriptions(user, operation.plie_id)
    counts = operation.inscriptions.aggregate(
        total=Count("pk"),
        ouvertes=Count("pk", filter=Q(date_sortie__isnull=True)),
        sorties=Count("pk", filter=Q(date_sortie__isnull=False)),
        confirmes=Count("pk", filter=Q(questionnaire_confirme_le__isnull=False)),
    )
    page = None
    if personal:
        inscriptions = operation.inscriptions.select_related("participant", "parcours").order_by(
            "participant__nom", "participant__prenom", "date_entree", "pk"
        )
        page = Paginator(inscriptions, INSCRIPTIONS_PAGE_SIZE).get_page(request.GET.get("page"))
        rows = list(page.object_list)
        fillable = _fillable_ids(user, operation, rows)
        here = request.get_full_path()
        for row in rows:
            row.manques = len(reponses_manquantes(row.participant, row))
            row.can_fill = row.pk in fillable
        page.object_list = rows
    else:
        here = ""
    context = {
        "operation": operation,
        "counts": counts,
        "page": page,
        "personal": personal,
        "here": here,
        "can_manage": can_manage(user, operation.plie_id),
        "liens": pages_liees(user, operation, personal=personal),
    }
    return render(request, "operations/operation_detail.html", context)


# --- create / update --------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def operation_create(request):
    user = request.user
    plie_ids = manageable_plie_ids(user)
    if not plie_ids:
        raise PermissionDenied
    year = timezone.localdate().year
    initial = {
        "date_debut": timezone.datetime(year, 1, 1).date(),
        "date_fin": timezone.datetime(year, 12, 31).date(),
    }
    form = OperationForm(request.POST or None, initial=initial, plie_ids=plie_ids)
    if request.method == "POST" and form.is_valid():
        try:
            operation = services.operation_save(
                user=user, plie=form.cleaned_data["plie"], **form.operation_data()
            )
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            messages.success(request, f"Opération {operation.code} créée.")
            return redirect(operation)
    return render(request, "operations/operation_form.html", {"form": form, "operation": None})


@login_required
@require_http_methods(["GET", "POST"])
def operation_update(request, pk):
    user = request.user
    operation = _managed_operation(user, pk)
    initial = model_to_dict(operation, fields=services.OPERATION_FIELDS)
    form = OperationForm(
        request.POST or None, initial=initial, plie_ids={operation.plie_id}, plie=operation.plie
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.operation_save(user=user, operation=operation, **form.operation_data())
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            messages.success(request, f"Opération {operation.code} modifiée.")
            return redirect(operation)
    return render(request, "operations/operation_form.html", {"form": form, "operation": operation})


# --- enrolment --------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def inscription_create(request, pk):
    user = request.user
    operation = _managed_operation(user, pk)
    initial = {}
    parcours_id = request.GET.get("parcours")
    if parcours_id:
        parcours = Parcours.objects.visible_to(user).filter(pk=parcours_id, plie_id=operation.plie_id).first()
        if parcours is None:
            raise Http404("Ce parcours ne relève pas du PLIE de l'opération.")
        initial["parcours"] = parcours.pk
    form = InscriptionForm(request.POST or None, initial=initial, operation=operation)
    if request.method == "POST" and form.is_valid():
        parcours = form.cleaned_data["parcours"]
        date_entree = form.cleaned_data["date_entree"]
        try:
            if date_entree is None:
                inscription = services.inscrire_parcours(parcours, operation, user)
            else:
                inscription = services.inscrire(
                    operation, parcours.participant, date_entree, parcours=parcours, user=user
                )
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            if getattr(inscription, "rouverte", False):
                texte = (
                    f"{inscription.participant} revient dans l'opération : son inscription du "
                    f"{inscription.date_entree:%d/%m/%Y} est rouverte (une seule inscription par "
                    "participant et par opération) ; sa sortie sera saisie à la sortie définitive."
                )
            else:
                texte = (
                    f"{inscription.participant} inscrit(e) le {inscription.date_entree:%d/%m/%Y} : "
                    "vérifiez et confirmez son questionnaire d'entrée."
                )
            messages.success(request, texte)
            return redirect("operations:inscription_questionnaire", pk=inscription.pk)
    context = {
        "form": form,
        "operation": operation,
        "back_url": _next_url(request, operation.get_absolute_url()),
    }
    return render(request, "operations/inscription_form.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def inscription_questionnaire(request, pk):
    user = request.user
    inscription = _fillable_inscription(user, pk)
    participant = inscription.participant
    back_url = _next_url(request, inscription.operation.get_absolute_url())
    initial = model_to_dict(inscription, fields=services.QUESTIONNAIRE_FIELDS)
    if initial["date_questionnaire"] is None:
        initial["date_questionnaire"] = max(
            inscription.date_entree, min(timezone.localdate(), inscription.operation.date_fin)
        )
    form = QuestionnaireForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.confirmer_questionnaire(inscription, form.questionnaire_data(), user=user)
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            missing = len(reponses_manquantes(participant, inscription))
            text = "Questionnaire d'entrée confirmé."
            if missing:
                text += f" Il reste {missing} réponse{'s' if missing > 1 else ''} à compléter."
            messages.success(request, text)
            return redirect(back_url)
    context = {
        "form": form,
        "inscription": inscription,
        "operation": inscription.operation,
        "participant": participant,
        "manques": reponses_manquantes(participant, inscription),
        "back_url": back_url,
        "next": request.POST.get("next") or request.GET.get("next") or "",
    }
    return render(request, "operations/inscription_questionnaire.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def inscription_sortie(request, pk):
    user = request.user
    inscription = _fillable_inscription(user, pk)
    back_url = _next_url(request, inscription.operation.get_absolute_url())
    initial = model_to_dict(inscription, fields=("date_sortie", *services.SORTIE_DATA_FIELDS))
    if inscription.date_sortie is None and request.GET.get("date"):
        # proposed by the completeness board: the parcours' exit date (the form validates it)
        initial["date_sortie"] = request.GET["date"]
    form = SortieForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.sortir(inscription, form.cleaned_data["date_sortie"], user=user, **form.sortie_data())
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            text = f"Sortie de l'opération enregistrée au {inscription.date_sortie:%d/%m/%Y}."
            if inscription.sortie_renseignee_le is None:
                text += " Renseignez les données de sortie dans les 4 semaines."
            messages.success(request, text)
            return redirect(back_url)
    context = {
        "form": form,
        "inscription": inscription,
        "operation": inscription.operation,
        "participant": inscription.participant,
        "back_url": back_url,
        "next": request.POST.get("next") or request.GET.get("next") or "",
    }
    return render(request, "operations/inscription_sortie.html", context)


# --- carry-over -------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def operation_report(request, pk):
    """Pick next year's operation, see how many enrolments will be carried, confirm."""
    user = request.user
    operation = _managed_operation(user, pk)
    cibles = services.cibles_report(operation)
    data = request.POST if request.method == "POST" else (request.GET if "cible" in request.GET else None)
    form = ReportForm(data, cibles=cibles, initial={"cible": cibles.first()})
    a_reporter = services.a_reporter(operation).count()
    cible = None
    if form.is_bound and form.is_valid():
        cible = form.cleaned_data["cible"]
        if request.method == "POST" and request.POST.get("confirmer"):
            try:
                counts = services.reporter(operation, cible, user=user)
            except ValidationError as error:
                form.add_service_errors(error)
            else:
                text = (
                    f"{counts['reportees']} inscription{'s' if counts['reportees'] > 1 else ''} "
                    f"reportée{'s' if counts['reportees'] > 1 else ''} dans {cible.code}"
                )
                if counts["deja_inscrites"]:
                    text += f" ({counts['deja_inscrites']} déjà inscrite(s) : seulement clôturée(s))"
                messages.success(request, text + ".")
                return redirect(cible)
    context = {"form": form, "operation": operation, "a_reporter": a_reporter, "cible": cible}
    return render(request, "operations/operation_report.html", context)
