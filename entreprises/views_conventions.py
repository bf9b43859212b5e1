"""Partnership conventions with donneurs d'ordre, SIAE and employing structures: list, detail,
create, change, and the signed copy. A convention outside ``Convention.objects.visible_to(scope)``
is a 404; :func:`entreprises.permissions.can_manage_conventions` says who may write."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from entreprises import regles, services
from entreprises.forms import ConventionForm
from entreprises.models import Convention
from entreprises.permissions import can_manage_conventions
from entreprises.services import CONVENTION_FIELDS

PAGE_SIZE = 50
PRIVATE_HEADERS = {"X-Content-Type-Options": "nosniff", "Cache-Control": "private, no-store"}


def _visible_convention(scope, pk):
    return get_object_or_404(Convention.objects.visible_to(scope).select_related("employeur", "plie"), pk=pk)


def _managed_convention(scope, pk):
    convention = _visible_convention(scope, pk)
    if not can_manage_conventions(scope, convention.plie_id):
        raise PermissionDenied
    return convention


@login_required
@require_GET
def convention_list(request):
    """The conventions of the PLIE whose employer side the user sees, the running ones
    (« en cours » today: signed, started, not ended) marked."""
    scope = request.scope
    if not scope.employer_plie_ids:
        raise Http404
    today = timezone.localdate()
    conventions = (
        Convention.objects.visible_to(scope).select_related("employeur").order_by("-date_debut", "pk")
    )
    page = Paginator(conventions, PAGE_SIZE).get_page(request.GET.get("page"))
    for convention in page.object_list:
        convention.en_cours = regles.convention_en_cours(
            date_signature=convention.date_signature,
            date_debut=convention.date_debut,
            date_fin=convention.date_fin,
            debut=today,
            fin=today,
        )
    may_create = any(can_manage_conventions(scope, p) for p in scope.employer_plie_ids)
    return render(request, "entreprises/convention_list.html", {"page": page, "may_create": may_create})


@login_required
@require_http_methods(["GET", "POST"])
def convention_create(request):
    scope = request.scope
    plie_ids = sorted(p for p in scope.employer_plie_ids if can_manage_conventions(scope, p))
    if not plie_ids:
        raise PermissionDenied
    form = ConventionForm(
        request.POST or None, request.FILES or None, plie_ids=plie_ids, employeur_plie_ids=plie_ids
    )
    if request.method == "POST" and form.is_valid():
        values = {field: form.cleaned_data[field] for field in CONVENTION_FIELDS}
        try:
            convention = services.convention_create(
                scope=scope,
                plie_id=form.cleaned_data["plie"].pk,
                document=form.cleaned_data.get("document"),
                **values,
            )
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            messages.success(request, "La convention est enregistrée.")
            return redirect("entreprises:convention_detail", convention.pk)
    return render(request, "entreprises/convention_form.html", {"form": form})


@login_required
@require_GET
def convention_detail(request, pk):
    scope = request.scope
    convention = _visible_convention(scope, pk)
    context = {"convention": convention, "may_manage": can_manage_conventions(scope, convention.plie_id)}
    return render(request, "entreprises/convention_detail.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def convention_update(request, pk):
    scope = request.scope
    convention = _managed_convention(scope, pk)
    form = ConventionForm(
        request.POST or None,
        request.FILES or None,
        instance=convention,
        employeur_plie_ids=[convention.plie_id],
    )
    if request.method == "POST" and form.is_valid():
        values = {field: form.cleaned_data[field] for field in CONVENTION_FIELDS}
        convention.refresh_from_db()
        try:
            services.convention_update(
                scope=scope, convention=convention, document=form.cleaned_data.get("document"), **values
            )
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            messages.success(request, "La convention est modifiée.")
            return redirect("entreprises:convention_detail", convention.pk)
    return render(request, "entreprises/convention_form.html", {"form": form, "convention": convention})


@login_required
@require_GET
def convention_document(request, pk):
    """The signed copy, to whoever sees the convention (404 otherwise, or without a copy)."""
    convention = _visible_convention(request.scope, pk)
    if not convention.document:
        raise Http404
    try:
        fichier = convention.document.open("rb")
    except FileNotFoundError:
        raise Http404("Fichier introuvable.") from None
    response = FileResponse(fichier, as_attachment=True, filename=convention.document_nom or "convention")
    for key, value in PRIVATE_HEADERS.items():
        response[key] = value
    return response
