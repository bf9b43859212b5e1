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
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from operations import services
from operations.filters import InscriptionFilter, OperationFilter
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
    can_control_operations,
    can_export_mdfse,
    can_fill_inscription,
    can_manage_operations,
    can_view_inscriptions,
    manageable_plie_ids,
)
from parcours.models import Parcours
from participants.fse import reponses_manquantes
from participants.permissions import can_view_sensitive_data
from plie.core.confidentialite import masquer
from plie.core.enums import Role
from plie.core.scoping import masked_answer, visible_plies
from plie.core.urls_helpers import next_param, safe_next_url

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
PAGES_NOMINATIVES = {"operations:completude"}  # lists participants: not for a financeur
PAGES_DOSSIERS = (
    ("operations:pieces", "Pièces justificatives"),
    ("operations:action_list", "Actions collectives et émargements"),
    ("operations:extraction_entretiens", "Extraction des entretiens"),
    ("operations:export_mdfse", "Export Ma Démarche FSE"),
    ("operations:validation_mdfse", "Contrôle avant dépôt"),
    ("operations:export_xlsx", "Export XLSX"),
    ("operations:annexe_bilan", "Annexe participants du bilan"),
)


def pages_liees(scope, operation, *, personal):
    """(label, url) of the operation's other pages ``scope`` may open: the completeness board
    names participants (``personal``, as ``views_suivi.completude`` requires), the other figures
    are for every reader."""
    pages = [(name, label) for name, label in PAGES_CHIFFRES if personal or name not in PAGES_NOMINATIVES]
    if personal and can_control_operations(scope, operation.plie_id):
        # the MDFSE file carries Q3 in clear: for those who declare to the FSE only
        mdfse = can_export_mdfse(scope, operation.plie_id)
        pages.extend(page for page in PAGES_DOSSIERS if mdfse or page[0] != "operations:export_mdfse")
    return [(label, reverse(name, args=[operation.pk])) for name, label in pages]


def _visible_operation(scope, pk):
    return get_object_or_404(Operation.objects.visible_to(scope).select_related("plie", "porteur"), pk=pk)


def _managed_operation(scope, pk):
    operation = _visible_operation(scope, pk)
    if not can_manage_operations(scope, operation.plie_id):
        raise PermissionDenied
    return operation


def _fillable_inscription(scope, pk):
    queryset = Inscription.objects.visible_to(scope).select_related(
        "operation__plie", "participant", "parcours", "questionnaire_confirme_par"
    )
    inscription = get_object_or_404(queryset, pk=pk)
    if not can_fill_inscription(scope, inscription):
        raise PermissionDenied
    return inscription


# --- list -------------------------------------------------------------------------------------


@login_required
@require_GET
def operation_list(request):
    scope = request.scope
    operations = Operation.objects.visible_to(scope)
    plies = list(visible_plies(scope).order_by("nom"))
    annees = sorted(
        set(operations.annotate(annee=ExtractYear("date_debut")).values_list("annee", flat=True)),
        reverse=True,
    )
    form = OperationFilterForm(request.GET or None, annees=annees, plies=plies)
    # the API's FilterSet filters the page too (an invalid value is ignored here, a 400 there)
    operations = OperationFilter(request.GET, queryset=operations).qs
    operations = (
        operations.select_related("plie", "porteur")
        .annotate(
            nb_inscriptions=Count("inscriptions"),
            nb_ouvertes=Count("inscriptions", filter=Q(inscriptions__date_sortie__isnull=True)),
        )
        .order_by("-date_debut", "plie__nom", "code")
    )
    page = Paginator(operations, OPERATIONS_PAGE_SIZE).get_page(request.GET.get("page"))
    for operation in page:  # aggregates only: small counts « < 5 » (plie.core.confidentialite)
        if not scope.sees_personal_data(operation.plie_id):
            counts = masquer({"a": operation.nb_inscriptions, "b": operation.nb_ouvertes})
            operation.nb_inscriptions, operation.nb_ouvertes = counts["a"], counts["b"]
    context = {
        "page": page,
        "form": form,
        "may_create": bool(manageable_plie_ids(scope)),
        "show_plie": len(plies) > 1,
    }
    return render(request, "operations/operation_list.html", context)


# --- detail -----------------------------------------------------------------------------------


def _fillable_ids(scope, operation, rows):
    """Ids of the enrolments among ``rows`` whose questionnaire and exit ``scope`` may fill (at
    most one query: the parcours a référent follows, for enrolments without a parcours)."""
    if can_manage_operations(scope, operation.plie_id):
        return {row.pk for row in rows}
    if not scope.has_role(Role.REFERENT, plie_id=operation.plie_id):
        return set()
    ids = {row.pk for row in rows if row.parcours_id and row.parcours.referent_id == scope.user_id}
    orphans = {row.participant_id: row.pk for row in rows if row.parcours_id is None}
    if orphans:
        followed = Parcours.objects.filter(participant_id__in=orphans, referent_id=scope.user_id).values_list(
            "participant_id", flat=True
        )
        ids.update(orphans[pid] for pid in followed)
    return ids


@login_required
@require_GET
def operation_detail(request, pk):
    scope = request.scope
    operation = _visible_operation(scope, pk)
    personal = can_view_inscriptions(scope, operation.plie_id)
    counts = operation.inscriptions.aggregate(
        total=Count("pk"),
        ouvertes=Count("pk", filter=Q(date_sortie__isnull=True)),
        sorties=Count("pk", filter=Q(date_sortie__isnull=False)),
        confirmes=Count("pk", filter=Q(questionnaire_confirme_le__isnull=False)),
    )
    if not scope.sees_personal_data(operation.plie_id):
        counts = masquer(counts)  # aggregates only: « < 5 » (plie.core.confidentialite)
    page = None
    if personal:
        # the API's FilterSet (``?ouverte=``, ``?participant=``) filters the page's enrolments too
        inscriptions = InscriptionFilter(request.GET, queryset=operation.inscriptions.all())
        inscriptions = inscriptions.qs.select_related("participant", "parcours").order_by(
            "participant__nom", "participant__prenom", "date_entree", "pk"
        )
        page = Paginator(inscriptions, INSCRIPTIONS_PAGE_SIZE).get_page(request.GET.get("page"))
        rows = list(page.object_list)
        fillable = _fillable_ids(scope, operation, rows)
        here = request.get_full_path()
        for row in rows:
            row.manques = len(reponses_manquantes(row.participant, row))
            row.fillable = row.pk in fillable
        page.object_list = rows
    else:
        here = ""
    context = {
        "operation": operation,
        "counts": counts,
        "page": page,
        "personal": personal,
        "here": here,
        "can_manage": can_manage_operations(scope, operation.plie_id),
        "liens": pages_liees(scope, operation, personal=personal),
    }
    return render(request, "operations/operation_detail.html", context)


# --- create / update --------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def operation_create(request):
    scope = request.scope
    plie_ids = manageable_plie_ids(scope)
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
                scope=scope, plie=form.cleaned_data["plie"], **form.operation_data()
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
    scope = request.scope
    operation = _managed_operation(scope, pk)
    initial = model_to_dict(operation, fields=services.OPERATION_FIELDS)
    form = OperationForm(
        request.POST or None, initial=initial, plie_ids={operation.plie_id}, plie=operation.plie
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.operation_save(scope=scope, operation=operation, **form.operation_data())
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
    scope = request.scope
    operation = _managed_operation(scope, pk)
    initial = {}
    parcours_id = request.GET.get("parcours")
    if parcours_id:
        parcours = (
            Parcours.objects.visible_to(scope).filter(pk=parcours_id, plie_id=operation.plie_id).first()
        )
        if parcours is None:
            raise Http404("Ce parcours ne relève pas du PLIE de l'opération.")
        initial["parcours"] = parcours.pk
    form = InscriptionForm(request.POST or None, initial=initial, operation=operation)
    if request.method == "POST" and form.is_valid():
        parcours = form.cleaned_data["parcours"]
        date_entree = form.cleaned_data["date_entree"]
        try:
            if date_entree is None:
                inscription = services.inscrire_parcours(parcours, operation, scope)
            else:
                inscription = services.inscrire(
                    operation, parcours.participant, date_entree, parcours=parcours, scope=scope
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
        "back_url": safe_next_url(request, operation.get_absolute_url()),
    }
    return render(request, "operations/inscription_form.html", context)


@login_required
@require_POST
def inscription_parcours(request, pk):
    """The one-click enrolment of the parcours page (``operations.dossier.inscription_fse``): the
    admitted person of parcours ``pk`` in the chosen operation in progress of her PLIE, entering on
    the parcours' entry (or the operation's start); back to the dossier with what was done."""
    scope = request.scope
    parcours = get_object_or_404(Parcours.objects.visible_to(scope).select_related("participant"), pk=pk)
    if not can_manage_operations(scope, parcours.plie_id):
        raise PermissionDenied
    back_url = reverse("parcours:parcours_detail", args=[parcours.pk])
    operation = (
        Operation.objects.visible_to(scope)
        .filter(plie_id=parcours.plie_id, pk=_int_or_none(request.POST.get("operation")))
        .en_cours(timezone.localdate())
        .first()
    )
    if operation is None:
        messages.error(
            request,
            "Opération : choisissez une opération en cours du PLIE du participant ; rien n'a été inscrit.",
        )
        return redirect(back_url)
    try:
        inscription = services.inscrire_parcours(parcours, operation, scope=scope)
    except ValidationError as error:
        messages.error(request, f"Inscription dans {operation.code} refusée : {' '.join(error.messages)}")
        return redirect(back_url)
    messages.success(
        request,
        f"{inscription.participant} inscrit(e) dans {operation.code} le {inscription.date_entree:%d/%m/%Y} : "
        "son questionnaire d'entrée, pré-rempli, est à confirmer "
        "(fiche du participant, bloc « Opérations FSE »).",
    )
    return redirect(back_url)


def _int_or_none(value):
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


@login_required
@require_http_methods(["GET", "POST"])
def inscription_questionnaire(request, pk):
    scope = request.scope
    inscription = _fillable_inscription(scope, pk)
    participant = inscription.participant
    back_url = safe_next_url(request, inscription.operation.get_absolute_url())
    initial = model_to_dict(inscription, fields=services.QUESTIONNAIRE_FIELDS)
    if initial["date_questionnaire"] is None:
        initial["date_questionnaire"] = max(
            inscription.date_entree, min(timezone.localdate(), inscription.operation.date_fin)
        )
    sensitive = can_view_sensitive_data(scope, participant)
    form = QuestionnaireForm(request.POST or None, initial=initial, sensitive=sensitive)
    if request.method == "POST" and form.is_valid():
        try:
            services.confirmer_questionnaire(inscription, form.questionnaire_data(), scope=scope)
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
        "q3_masque": None if sensitive else masked_answer(inscription.handicap_reconnu),
        "form": form,
        "inscription": inscription,
        "operation": inscription.operation,
        "participant": participant,
        "manques": reponses_manquantes(participant, inscription),
        "back_url": back_url,
        "next": next_param(request),
    }
    return render(request, "operations/inscription_questionnaire.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def inscription_sortie(request, pk):
    scope = request.scope
    inscription = _fillable_inscription(scope, pk)
    back_url = safe_next_url(request, inscription.operation.get_absolute_url())
    initial = model_to_dict(inscription, fields=("date_sortie", *services.SORTIE_DATA_FIELDS))
    if inscription.date_sortie is None and request.GET.get("date"):
        # proposed by the completeness board: the parcours' exit date (the form validates it)
        initial["date_sortie"] = request.GET["date"]
    form = SortieForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.sortir(inscription, form.cleaned_data["date_sortie"], scope=scope, **form.sortie_data())
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
        "next": next_param(request),
    }
    return render(request, "operations/inscription_sortie.html", context)


# --- carry-over -------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def operation_report(request, pk):
    """Pick next year's operation, see how many enrolments will be carried, confirm."""
    scope = request.scope
    operation = _managed_operation(scope, pk)
    cibles = services.cibles_report(operation)
    data = request.POST if request.method == "POST" else (request.GET if "cible" in request.GET else None)
    form = ReportForm(data, cibles=cibles, initial={"cible": cibles.first()})
    a_reporter = services.a_reporter(operation).count()
    cible = None
    if form.is_bound and form.is_valid():
        cible = form.cleaned_data["cible"]
        if request.method == "POST" and request.POST.get("confirmer"):
            try:
                counts = services.reporter(operation, cible, scope=scope)
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
