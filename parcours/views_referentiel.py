"""The PLIE's exit and step referentials, configured by its administrateur (docs/domaine.md §5 (a)).

The list is read by the PLIE's administrateur, animation, direction and gestionnaire; anybody
else (a référent, a financeur, another PLIE) gets a 404, like a PLIE outside their scope. Only
the administrateur of the PLIE creates and changes exit types (403 for the readers); the writes
go through :func:`parcours.referentiels.type_sortie_save`.

The step types page lists the common types (``plie`` empty, read-only) and the PLIE's own ones,
which its administrateur creates and changes (:func:`parcours.referentiels.type_etape_save`);
same readers, same 404 / 403 rules."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, IntegerField, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods

from parcours import permissions
from parcours.forms_referentiel import CritereFormSet, TypeEtapeForm, TypeSortieForm, criteres_initial
from parcours.models import Etape, TypeEtape, TypeSortie
from parcours.referentiels import type_etape_save, type_sortie_save
from parcours.sorties import criteres_label
from plie.core.models import Structure

ORDRE_STEP = 10


def _readable_plies(scope):
    """The PLIE whose exit referential ``scope`` may read, by name (one query)."""
    plie_ids = [pid for pid in scope.plie_ids if permissions.can_view_referentiel(scope, pid)]
    return list(Structure.objects.plies().filter(pk__in=plie_ids).order_by("nom"))


def _chosen_plie(request):
    """The PLIE of ``?plie=CODE`` among those ``user`` reads (404 otherwise); without it, the
    first PLIE they administer, else the first they read. Returns ``(plie, plies)``."""
    plies = _readable_plies(request.scope)
    if not plies:
        raise Http404("Aucun référentiel de PLIE ne vous est accessible.")
    code = request.GET.get("plie")
    if code:
        plie = next((p for p in plies if p.code == code), None)
        if plie is None:
            raise Http404("Ce PLIE ne fait pas partie de vos PLIE.")
        return plie, plies
    plie = next((p for p in plies if permissions.can_edit_referentiel(request.scope, p.pk)), plies[0])
    return plie, plies


def _list_url(plie, several, name="parcours:referentiel_sorties"):
    url = reverse(name)
    return f"{url}?plie={plie.code}" if several else url


@login_required
@require_GET
def referentiel_sorties(request):
    plie, plies = _chosen_plie(request)
    types = list(
        TypeSortie.objects.filter(plie=plie)
        .annotate(nb_sorties=Count("sorties"))
        .order_by("ordre", "libelle", "pk")
    )
    for type_sortie in types:
        type_sortie.regle = criteres_label(type_sortie.criteres)
    context = {
        "plie": plie,
        "plies": plies if len(plies) > 1 else [],
        "types": types,
        "can_edit": permissions.can_edit_referentiel(request.scope, plie.pk),
        "nb_actifs": sum(1 for t in types if t.is_active),
    }
    return render(request, "parcours/referentiel_sorties.html", context)


def _form_page(request, *, plie, several, type_sortie, form, criteres, status=200):
    context = {
        "plie": plie,
        "type_sortie": type_sortie,
        "form": form,
        "criteres": criteres,
        "back_url": _list_url(plie, several),
    }
    return render(request, "parcours/type_sortie_form.html", context, status=status)


def _save(request, *, plie, several, type_sortie, form, criteres):
    """Validate and save; the redirect to the list, or the form with its errors (400)."""
    criteres_valid = criteres.is_valid()
    if form.is_valid() and criteres_valid:
        data = form.cleaned_data
        try:
            saved = type_sortie_save(
                scope=request.scope,
                plie=plie,
                type_sortie=type_sortie,
                code=data["code"],
                libelle=data["libelle"],
                categorie=data["categorie"],
                criteres=criteres.criteres(),
                commission_requise=data["commission_requise"],
                is_active=data["is_active"],
                ordre=data["ordre"],
                categorie_departement=data["categorie_departement"],
                classe_nationale=data["classe_nationale"] or None,
            )
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            etat = "" if saved.is_active else " (inactif : il n'est plus proposé pour les nouvelles sorties)"
            verbe = "créé" if type_sortie is None else "enregistré"
            messages.success(request, f"Type de sortie « {saved.libelle} » {verbe}{etat}.")
            return redirect(_list_url(plie, several))
    return _form_page(
        request, plie=plie, several=several, type_sortie=type_sortie, form=form, criteres=criteres, status=400
    )


@login_required
@require_http_methods(["GET", "POST"])
def type_sortie_create(request):
    plie, plies = _chosen_plie(request)
    if not permissions.can_edit_referentiel(request.scope, plie.pk):
        raise PermissionDenied
    several = len(plies) > 1
    if request.method == "POST":
        form = TypeSortieForm(request.POST)
        criteres = CritereFormSet(request.POST, prefix="criteres")
        return _save(request, plie=plie, several=several, type_sortie=None, form=form, criteres=criteres)
    last = TypeSortie.objects.filter(plie=plie).order_by("-ordre").values_list("ordre", flat=True).first()
    initial = {"is_active": True, "ordre": (last or 0) + ORDRE_STEP}
    form = TypeSortieForm(initial=initial)
    criteres = CritereFormSet(prefix="criteres")
    return _form_page(request, plie=plie, several=several, type_sortie=None, form=form, criteres=criteres)


@login_required
@require_http_methods(["GET", "POST"])
def type_sortie_update(request, pk):
    plies = _readable_plies(request.scope)
    type_sortie = get_object_or_404(TypeSortie.objects.filter(plie__in=plies).select_related("plie"), pk=pk)
    plie = type_sortie.plie
    if not permissions.can_edit_referentiel(request.scope, plie.pk):
        raise PermissionDenied
    several = len(plies) > 1
    code_locked = type_sortie.sorties.exists()
    if request.method == "POST":
        form = TypeSortieForm(request.POST, initial={"code": type_sortie.code}, code_locked=code_locked)
        criteres = CritereFormSet(request.POST, prefix="criteres")
        return _save(
            request, plie=plie, several=several, type_sortie=type_sortie, form=form, criteres=criteres
        )
    initial = {
        "code": type_sortie.code,
        "libelle": type_sortie.libelle,
        "categorie": type_sortie.categorie,
        "categorie_departement": type_sortie.categorie_departement,
        "classe_nationale": type_sortie.classe_nationale,
        "commission_requise": type_sortie.commission_requise,
        "is_active": type_sortie.is_active,
        "ordre": type_sortie.ordre,
    }
    form = TypeSortieForm(initial=initial, code_locked=code_locked)
    criteres = CritereFormSet(prefix="criteres", initial=criteres_initial(type_sortie.criteres))
    return _form_page(
        request, plie=plie, several=several, type_sortie=type_sortie, form=form, criteres=criteres
    )


# --- step types -------------------------------------------------------------------------------


def _etapes_url(plie, several):
    return _list_url(plie, several, "parcours:referentiel_etapes")


@login_required
@require_GET
def referentiel_etapes(request):
    plie, plies = _chosen_plie(request)
    # The number of étapes of this PLIE's parcours using each type, in the same query.
    nb_etapes = (
        Etape.objects.filter(type=OuterRef("pk"), parcours__plie=plie)
        .order_by()
        .values("type")
        .annotate(n=Count("pk"))
        .values("n")
    )
    types = list(
        TypeEtape.objects.filter(Q(plie__isnull=True) | Q(plie=plie))
        .annotate(nb_etapes=Coalesce(Subquery(nb_etapes, output_field=IntegerField()), Value(0)))
        .order_by("categorie", "libelle", "pk")
    )
    context = {
        "plie": plie,
        "plies": plies if len(plies) > 1 else [],
        "types": types,
        "can_edit": permissions.can_edit_referentiel(request.scope, plie.pk),
        "nb_actifs": sum(1 for t in types if t.is_active),
        "nb_propres": sum(1 for t in types if t.plie_id is not None),
    }
    return render(request, "parcours/referentiel_etapes.html", context)


def _etape_form_page(request, *, plie, several, type_etape, form, status=200):
    context = {"plie": plie, "type_etape": type_etape, "form": form, "back_url": _etapes_url(plie, several)}
    return render(request, "parcours/type_etape_form.html", context, status=status)


def _save_etape(request, *, plie, several, type_etape, form):
    """Validate and save; the redirect to the list, or the form with its errors (400)."""
    if form.is_valid():
        data = form.cleaned_data
        try:
            saved = type_etape_save(
                scope=request.scope,
                plie=plie,
                type_etape=type_etape,
                code=data["code"],
                libelle=data["libelle"],
                categorie=data["categorie"],
                is_active=data["is_active"],
            )
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            etat = "" if saved.is_active else " (inactif : il n'est plus proposé pour les nouvelles étapes)"
            verbe = "créé" if type_etape is None else "enregistré"
            messages.success(request, f"Type d'étape « {saved.libelle} » {verbe}{etat}.")
            return redirect(_etapes_url(plie, several))
    return _etape_form_page(request, plie=plie, several=several, type_etape=type_etape, form=form, status=400)


@login_required
@require_http_methods(["GET", "POST"])
def type_etape_create(request):
    plie, plies = _chosen_plie(request)
    if not permissions.can_edit_referentiel(request.scope, plie.pk):
        raise PermissionDenied
    several = len(plies) > 1
    if request.method == "POST":
        form = TypeEtapeForm(request.POST)
        return _save_etape(request, plie=plie, several=several, type_etape=None, form=form)
    form = TypeEtapeForm(initial={"is_active": True})
    return _etape_form_page(request, plie=plie, several=several, type_etape=None, form=form)


@login_required
@require_http_methods(["GET", "POST"])
def type_etape_update(request, pk):
    """A PLIE's own step type only: a common type (``plie`` empty) is a 404 like another PLIE's."""
    plies = _readable_plies(request.scope)
    type_etape = get_object_or_404(TypeEtape.objects.filter(plie__in=plies).select_related("plie"), pk=pk)
    plie = type_etape.plie
    if not permissions.can_edit_referentiel(request.scope, plie.pk):
        raise PermissionDenied
    several = len(plies) > 1
    if request.method == "POST":
        form = TypeEtapeForm(request.POST)
        return _save_etape(request, plie=plie, several=several, type_etape=type_etape, form=form)
    initial = {
        "code": type_etape.code,
        "libelle": type_etape.libelle,
        "categorie": type_etape.categorie,
        "is_active": type_etape.is_active,
    }
    form = TypeEtapeForm(initial=initial)
    return _etape_form_page(request, plie=plie, several=several, type_etape=type_etape, form=form)
