from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.db.models import Count, IntegerField, OuterRef, Subquery, Value
from django.db.models.functions import Coalesce
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from plie.core.confidentialite import masquer_compte
from plie.core.enums import Role
from plie.core.home import panels_for
from plie.core.models import Structure, TaskRun
from plie.core.scoping import visible_plies

HOME_TEMPLATES = {
    Role.REFERENT: "core/home_referent.html",
    Role.ANIMATION: "core/home_animation.html",
    Role.GESTIONNAIRE: "core/home_gestionnaire.html",
    Role.DIRECTION: "core/home_direction.html",
    Role.FINANCEUR: "core/home_financeur.html",
    Role.ADMINISTRATEUR: "core/home_administrateur.html",
    Role.DPO: "core/home_dpo.html",
    Role.RELATIONS_ENTREPRISES: "core/home_relations_entreprises.html",
}


def avec_nb_participants(plies):
    """``plies`` annotated with ``nb_participants``: each PLIE's participants counted by a
    subquery on the ``plie_id`` index (an index-only scan per PLIE) rather than a join of every
    participant grouped by PLIE (issue 17: 190 ms at 100,000 participants for an OI, 22 ms so).
    Core imports no app: the model is the reverse relation's."""
    participants = Structure._meta.get_field("participants").related_model
    compte = (
        participants.objects.filter(plie_id=OuterRef("pk"))
        .order_by()
        .values("plie_id")
        .annotate(n=Count("*"))
        .values("n")
    )
    return plies.annotate(nb_participants=Coalesce(Subquery(compte, output_field=IntegerField()), Value(0)))


@login_required
def home(request):
    scope = request.scope
    role = scope.primary_role
    if role is None and (scope.is_partner or scope.assigned_only_plie_ids):
        return redirect("parcours:partenaire")  # a partner's home is its space (plie.core.scoping)
    plies = list(avec_nb_participants(visible_plies(request.scope).select_related("oi")))
    for plie in plies:  # aggregates only (a financeur, an OI): a small count is « < 5 »
        if not scope.sees_personal_data(plie.id):
            plie.nb_participants = masquer_compte(plie.nb_participants)
    context = {
        "role": role,
        "role_label": Role(role).label if role else None,
        "plies": plies,
        "panels": panels_for(request.scope, role, timezone.localdate()),
    }
    return render(request, HOME_TEMPLATES.get(role, "core/home_sans_role.html"), context)


@login_required
def taskrun_list(request):
    scope = request.scope
    if not scope.has_role(Role.ADMINISTRATEUR, Role.DIRECTION):
        raise PermissionDenied
    runs = TaskRun.objects.filter(plie_id__in=scope.plie_ids).select_related("plie")[:200]
    return render(request, "core/taskrun_list.html", {"runs": runs})


@never_cache
@require_GET
def health(request):
    """Liveness for the load balancer and docker-compose: the database answers."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})
