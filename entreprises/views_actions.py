"""Partner actions with employers (job dating, company visits, forums) and their attendance
sheet. An action outside ``ActionEntreprise.objects.visible_to(scope)`` is a 404."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from entreprises import selectors, services
from entreprises.forms import ActionForm, PropositionForm
from entreprises.models import ActionEntreprise
from entreprises.permissions import can_manage_employeurs


@login_required
@require_GET
def action_list(request):
    scope = request.scope
    if not scope.employer_plie_ids:
        raise Http404
    actions = (
        ActionEntreprise.objects.visible_to(scope)
        .annotate(
            nb_inscrits=Count("presences", distinct=True),
            nb_presents=Count("presences", filter=Q(presences__present=True), distinct=True),
            nb_employeurs=Count("employeurs", distinct=True),
        )
        .order_by("-date", "-pk")
    )
    may_create = any(can_manage_employeurs(scope, p) for p in scope.employer_plie_ids)
    return render(request, "entreprises/action_list.html", {"actions": actions, "may_create": may_create})


@login_required
@require_http_methods(["GET", "POST"])
def action_create(request):
    scope = request.scope
    plie_ids = sorted(p for p in scope.employer_plie_ids if can_manage_employeurs(scope, p))
    if not plie_ids:
        raise PermissionDenied
    form = ActionForm(request.POST or None, plie_ids=plie_ids)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        plie = data.pop("plie")
        try:
            action = services.action_create(scope=scope, plie_id=plie.pk, **data)
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            messages.success(request, "L'action est enregistrée.")
            return redirect("entreprises:action_detail", action.pk)
    return render(request, "entreprises/action_form.html", {"form": form})


@login_required
@require_http_methods(["GET", "POST"])
def action_detail(request, pk):
    """The action, its employers and its attendance sheet (invite, then tick who came)."""
    scope = request.scope
    action = get_object_or_404(ActionEntreprise.objects.visible_to(scope), pk=pk)
    may_manage = can_manage_employeurs(scope, action.plie_id)
    invite = PropositionForm(
        request.POST if "inviter" in request.POST else None,
        participants=selectors.participants_proposables(scope, action.plie_id),
    )
    if request.method == "POST":
        if not may_manage:
            raise PermissionDenied
        try:
            if "inviter" in request.POST:
                if invite.is_valid():
                    services.action_inviter(
                        scope=scope, action=action, participant=invite.cleaned_data["participant"]
                    )
                    messages.success(request, "Le participant est inscrit.")
                    return redirect("entreprises:action_detail", action.pk)
            else:
                presents = [int(v) for v in request.POST.getlist("present") if v.isdigit()]
                services.action_emarger(scope=scope, action=action, presents=presents)
                messages.success(request, "L'émargement est enregistré.")
                return redirect("entreprises:action_detail", action.pk)
        except ValidationError as error:
            if hasattr(error, "error_dict"):
                invite.add_service_errors(error)
            else:
                messages.error(request, " ".join(error.messages))
    context = {
        "action": action,
        "employeurs": list(action.employeurs.all()),
        "presences": list(action.presences.select_related("participant").order_by("participant__nom")),
        "may_manage": may_manage,
        "invite": invite,
    }
    return render(request, "entreprises/action_detail.html", context)
