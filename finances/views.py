"""Pages of the finances app: the weekly time sheet (fill, sign, countersign, correct), the weeks
still to fill or sign, the staff and their assignments with the proof.

Scoping: every object is read through ``visible_to(request.scope)`` (another PLIE's, or a
colleague's sheet for a référent: 404); what a person may do is ``finances.permissions``."""

import datetime

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpResponse, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from finances import bilan as bilan_module
from finances import permissions, selectors, services, temps
from finances import plan as plan_module
from finances.enums import Nature, StatutFiche
from finances.forms import (
    AffectationForm,
    DepenseForm,
    ImportSalairesForm,
    ParametresForm,
    PersonnelForm,
    RessourceForm,
    SalaireForm,
)
from finances.models import Affectation, Depense, FicheTemps, Personnel, Ressource, Salaire
from operations.models import Operation
from plie.core.auth import recent_auth_required
from plie.core.writers import XLSX_CONTENT_TYPE

PRIVATE_HEADERS = {"X-Content-Type-Options": "nosniff", "Cache-Control": "private, no-store"}


def fiche_url(personnel_pk, monday):
    return reverse("finances:fiche_semaine", args=[personnel_pk, monday.isoformat()])


@login_required
@require_GET
def mes_fiches(request):
    """The current week's sheet of the signed-in person, or a page saying they are not on the
    staff of their PLIE."""
    scope = request.scope
    personnel = selectors.personnel_de(scope, scope.user).first()
    today = timezone.localdate()
    if personnel is not None:
        return redirect(fiche_url(personnel.pk, temps.lundi(today)))
    return render(request, "finances/mes_fiches.html", {})


@login_required
@require_http_methods(["GET", "POST"])
def fiche_semaine(request, personnel_pk, semaine):
    """The weekly grid of one person: one row per operation they are assigned to and « hors
    opération », one column per day; pre-filled from what they recorded that week until a sheet
    exists. POST ``action``: ``enregistrer``, ``signer`` (saves then signs), ``valider``,
    ``corriger``. Queries on GET: see :func:`finances.selectors.grille`."""
    scope = request.scope
    monday = services.semaine_de(semaine)
    if monday is None:
        raise Http404
    personnel = get_object_or_404(
        Personnel.objects.visible_to(scope).select_related("plie", "user", "responsable"), pk=personnel_pk
    )
    grille = selectors.grille(personnel, monday)
    fiche = grille.fiche or FicheTemps(personnel=personnel, semaine=monday)
    if not permissions.can_view_fiche(scope, fiche):
        raise Http404
    erreurs = []
    if request.method == "POST":
        action = request.POST.get("action", "enregistrer")
        try:
            if action in ("enregistrer", "signer"):
                if not permissions.can_fill_fiche(scope, fiche):
                    raise PermissionDenied
                saisies, erreurs = services.saisies_from_post(request.POST, grille.operations_lignes, monday)
                if not erreurs:
                    fiche = services.fiche_save(
                        scope=scope, personnel=personnel, semaine=monday, saisies=saisies
                    )
                    if action == "signer":
                        services.fiche_sign(scope=scope, fiche=fiche)
                        messages.success(request, f"Fiche de la semaine du {monday:%d/%m/%Y} signée.")
                    else:
                        messages.success(request, f"Fiche de la semaine du {monday:%d/%m/%Y} enregistrée.")
                    return redirect(fiche_url(personnel.pk, monday))
                grille.valeurs = {(s.jour, s.operation_id): s.heures for s in saisies if s.heures}
            elif action == "valider":
                services.fiche_validate(scope=scope, fiche=fiche)
                messages.success(request, f"Fiche de la semaine du {monday:%d/%m/%Y} validée.")
                return redirect(fiche_url(personnel.pk, monday))
            elif action == "corriger":
                services.fiche_correct(scope=scope, fiche=fiche)
                messages.success(request, "Correction ouverte : une nouvelle version est à signer.")
                return redirect(fiche_url(personnel.pk, monday))
            else:
                raise Http404
        except ValidationError as error:
            erreurs = list(error.messages)
            saisies, _ = services.saisies_from_post(request.POST, grille.operations_lignes, monday)
            grille.valeurs = {(s.jour, s.operation_id): s.heures for s in saisies if s.heures}
    context = {
        "grille": grille,
        "fiche": fiche,
        "personnel": personnel,
        "erreurs": erreurs,
        "modifiable": permissions.can_fill_fiche(scope, fiche),
        "precedente": fiche_url(personnel.pk, monday - datetime.timedelta(days=7)),
        "suivante": fiche_url(personnel.pk, monday + datetime.timedelta(days=7)),
        "StatutFiche": StatutFiche,
        "en_attente": [
            {"semaine": m, "etat": etat, "url": fiche_url(personnel.pk, m)}
            for m, etat in selectors.semaines_en_attente_de(personnel, timezone.localdate())
            if m != monday
        ],
    }
    return render(request, "finances/fiche_semaine.html", context, status=400 if erreurs else 200)


def _finance_plie(scope, request, check=permissions.can_view_finances):
    """The PLIE a finance page is about (``?plie=``, else the first the user may see), or 404."""
    plie_ids = sorted(permissions.finance_plie_ids(scope))
    try:
        plie_id = int(request.GET.get("plie") or (plie_ids[0] if plie_ids else 0))
    except ValueError:
        raise Http404 from None
    if not check(scope, plie_id):
        raise Http404
    return plie_id


@login_required
@require_GET
def suivi_fiches(request):
    """The weeks of the last two months not filled, not signed or not validated, per person
    with a traced assignment (4 queries after the scope)."""
    scope = request.scope
    plie_id = _finance_plie(scope, request)
    attente = selectors.semaines_en_attente(scope, plie_id, timezone.localdate())
    lignes = [
        {"personnel": p, "semaine": monday, "etat": etat, "url": fiche_url(p.pk, monday)}
        for p, monday, etat in attente
    ]
    return render(request, "finances/suivi_fiches.html", {"lignes": lignes, "plie_id": plie_id})


@login_required
@require_GET
def personnel_list(request):
    """The PLIE's staff and their assignments (2 queries after the scope)."""
    scope = request.scope
    plie_id = _finance_plie(scope, request)
    personnels = list(
        Personnel.objects.visible_to(scope)
        .filter(plie_id=plie_id)
        .select_related("user", "responsable")
        .prefetch_related("affectations__operation")
    )
    return render(
        request,
        "finances/personnel_list.html",
        {
            "personnels": personnels,
            "plie_id": plie_id,
            "today": timezone.localdate(),
            "lundi": temps.lundi(timezone.localdate()),
        },
    )


def _members(plie_id):
    from plie.core.models import Membership

    users = Membership.objects.active().filter(structure_id=plie_id).values("user_id")
    return get_user_model().objects.filter(pk__in=users, is_active=True).order_by("last_name", "first_name")


@login_required
@require_http_methods(["GET", "POST"])
def personnel_create(request):
    scope = request.scope
    plie_id = _finance_plie(scope, request, check=permissions.can_manage_finances)
    form = PersonnelForm(request.POST or None, users=_members(plie_id))
    if request.method == "POST" and form.is_valid():
        from plie.core.models import Structure

        try:
            personnel = services.personnel_save(
                scope=scope, plie=Structure.objects.get(pk=plie_id), **form.cleaned_data
            )
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            messages.success(request, f"{personnel} ajouté(e) au personnel.")
            return redirect(f"{reverse('finances:personnel_list')}?plie={plie_id}")
    return render(
        request, "finances/personnel_form.html", {"form": form, "plie_id": plie_id, "personnel": None}
    )


@login_required
@require_http_methods(["GET", "POST"])
def personnel_update(request, pk):
    """Change a person's contract hours, function and responsable (gestionnaire,
    administrateur)."""
    scope = request.scope
    personnel = get_object_or_404(Personnel.objects.visible_to(scope).select_related("user", "plie"), pk=pk)
    if not permissions.can_manage_finances(scope, personnel.plie_id):
        raise PermissionDenied
    initial = {
        "user": personnel.user_id,
        "fonction": personnel.fonction,
        "heures_jour": personnel.heures_jour,
        "responsable": personnel.responsable_id,
    }
    form = PersonnelForm(request.POST or None, initial=initial, users=_members(personnel.plie_id))
    form.fields["user"].disabled = True
    if request.method == "POST" and form.is_valid():
        data = {**form.cleaned_data, "user": personnel.user}
        try:
            services.personnel_save(scope=scope, plie=personnel.plie, personnel=personnel, **data)
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            messages.success(request, f"{personnel} modifié(e).")
            return redirect(f"{reverse('finances:personnel_list')}?plie={personnel.plie_id}")
    return render(
        request,
        "finances/personnel_form.html",
        {"form": form, "plie_id": personnel.plie_id, "personnel": personnel},
    )


@login_required
@require_http_methods(["GET", "POST"])
def affectation_create(request, pk):
    scope = request.scope
    personnel = get_object_or_404(Personnel.objects.visible_to(scope).select_related("user", "plie"), pk=pk)
    if not permissions.can_manage_finances(scope, personnel.plie_id):
        raise PermissionDenied
    form = AffectationForm(
        request.POST or None,
        request.FILES or None,
        operations=Operation.objects.filter(plie_id=personnel.plie_id),
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.affectation_save(scope=scope, personnel=personnel, **form.cleaned_data)
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            messages.success(request, f"Affectation de {personnel} enregistrée.")
            return redirect(f"{reverse('finances:personnel_list')}?plie={personnel.plie_id}")
    return render(request, "finances/affectation_form.html", {"form": form, "personnel": personnel})


@login_required
@require_GET
def affectation_justificatif(request, pk):
    """The proof of an assignment, to the finance roles of its PLIE only (404 otherwise)."""
    scope = request.scope
    affectation = get_object_or_404(Affectation.objects.visible_to(scope).select_related("personnel"), pk=pk)
    if (
        not permissions.can_view_finances(scope, affectation.personnel.plie_id)
        or not affectation.justificatif
    ):
        raise Http404
    try:
        fichier = affectation.justificatif.open("rb")
    except FileNotFoundError:
        raise Http404("Fichier introuvable.") from None
    response = FileResponse(
        fichier, as_attachment=True, filename=affectation.justificatif_nom or "justificatif"
    )
    for key, value in PRIVATE_HEADERS.items():
        response[key] = value
    return response


# --- salaries and plan de financement ---------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def salaires(request):
    """The salaries of the PLIE's staff (finance roles), one entry form and the CSV import
    (gestionnaire, administrateur). 2 queries for the list after the scope."""
    scope = request.scope
    plie_id = _finance_plie(scope, request)
    may_manage = permissions.can_manage_finances(scope, plie_id)
    personnels = Personnel.objects.filter(plie_id=plie_id).select_related("user")
    form = SalaireForm(personnels=personnels)
    import_form = ImportSalairesForm()
    erreurs_import = []
    if request.method == "POST":
        if not may_manage:
            raise PermissionDenied
        if request.POST.get("action") == "importer":
            import_form = ImportSalairesForm(request.POST, request.FILES)
            if import_form.is_valid():
                try:
                    texte = import_form.cleaned_data["fichier"].read().decode("utf-8-sig")
                except UnicodeDecodeError:
                    erreurs_import = ["Le fichier n'est pas un CSV en UTF-8."]
                else:
                    try:
                        count = services.salaires_import(scope=scope, plie_id=plie_id, texte=texte)
                    except ValidationError as error:
                        erreurs_import = list(error.messages)
                    else:
                        messages.success(
                            request,
                            f"{count} salaire{'s' if count > 1 else ''} importé{'s' if count > 1 else ''}.",
                        )
                        return redirect(f"{reverse('finances:salaires')}?plie={plie_id}")
        else:
            form = SalaireForm(request.POST, personnels=personnels)
            if form.is_valid():
                try:
                    services.salaire_save(scope=scope, **form.cleaned_data)
                except ValidationError as error:
                    form.add_service_errors(error)
                else:
                    messages.success(request, "Salaire enregistré.")
                    return redirect(f"{reverse('finances:salaires')}?plie={plie_id}")
    lignes = list(
        Salaire.objects.visible_to(scope)
        .filter(personnel__plie_id=plie_id)
        .select_related("personnel__user")
        .order_by("-mois", "personnel__user__last_name")[:300]
    )
    context = {
        "lignes": lignes,
        "form": form,
        "import_form": import_form,
        "erreurs_import": erreurs_import,
        "plie_id": plie_id,
        "may_manage": may_manage,
    }
    status = 400 if erreurs_import or form.errors or import_form.errors else 200
    return render(request, "finances/salaires.html", context, status=status)


@login_required
@require_GET
def plans(request):
    """The PLIE's operations, each with its plan de financement (1 query after the scope)."""
    scope = request.scope
    plie_id = _finance_plie(scope, request)
    operations = Operation.objects.visible_to(scope).filter(plie_id=plie_id).order_by("-date_debut", "code")
    return render(request, "finances/plans.html", {"operations": operations, "plie_id": plie_id})


def _operation_finances(scope, pk):
    operation = get_object_or_404(Operation.objects.visible_to(scope).select_related("plie"), pk=pk)
    if not permissions.can_view_finances(scope, operation.plie_id):
        raise Http404
    return operation


@login_required
@require_http_methods(["GET", "POST"])
def plan_financement(request, pk):
    """An operation's plan de financement: expenses by category and resources by funder,
    forecast and realised, the direct staff cost per person and month, the FSE share; forms to
    add lines (gestionnaire, administrateur)."""
    scope = request.scope
    operation = _operation_finances(scope, pk)
    may_manage = permissions.can_manage_finances(scope, operation.plie_id)
    p = plan_module.parametres_de(operation)
    forms_ = {
        "depense": DepenseForm(prefix="d"),
        "ressource": RessourceForm(prefix="r"),
        "parametres": ParametresForm(
            prefix="p",
            initial={
                "mode_indirects": p.mode_indirects,
                "taux_forfaitaire": p.taux_forfaitaire,
                "cle_repartition": p.cle_repartition,
            },
        ),
    }
    if request.method == "POST":
        if not may_manage:
            raise PermissionDenied
        action = request.POST.get("action")
        classes = {
            "depense": (DepenseForm, "d", services.depense_add),
            "ressource": (RessourceForm, "r", services.ressource_add),
            "parametres": (ParametresForm, "p", services.parametres_save),
        }
        if action not in classes:
            raise Http404
        form_class, prefix, service = classes[action]
        form = forms_[action] = form_class(request.POST, request.FILES, prefix=prefix)
        if form.is_valid():
            try:
                service(scope=scope, operation=operation, **form.cleaned_data)
            except ValidationError as error:
                form.add_service_errors(error)
            else:
                messages.success(request, "Plan de financement mis à jour.")
                return redirect("finances:plan_financement", pk=operation.pk)
    p = plan_module.plan(operation)
    context = {
        "operation": operation,
        "plan": p,
        "may_manage": may_manage,
        "form_list": [
            ("depense", forms_["depense"], "Ajouter une dépense"),
            ("ressource", forms_["ressource"], "Ajouter une ressource"),
            ("parametres", forms_["parametres"], "Dépenses indirectes"),
        ],
        "total_depenses_prevu": p.total_depenses(Nature.PREVU),
        "total_depenses_realise": p.total_depenses(Nature.REALISE),
        "total_ressources_prevu": p.total_ressources(Nature.PREVU),
        "total_ressources_realise": p.total_ressources(Nature.REALISE),
    }
    status = 400 if any(f.errors for f in forms_.values()) else 200
    return render(request, "finances/plan_financement.html", context, status=status)


# --- bilan d'exécution and monthly time state --------------------------------------------------


def _periode(request, operation):
    """``(du, au)`` from ``?du=&au=`` (AAAA-MM-JJ), default the operation's period; ``None``
    with the French message of the bad field."""
    values = {}
    for name, label, default in (("du", "Du", operation.date_debut), ("au", "Au", operation.date_fin)):
        raw = request.GET.get(name)
        if not raw:
            values[name] = default
            continue
        try:
            values[name] = datetime.date.fromisoformat(raw)
        except ValueError:
            return None, f"{label} : « {raw} » n'est pas une date (AAAA-MM-JJ)."
    if values["au"] < values["du"]:
        return None, "Au : la fin de la période précède son début."
    return (values["du"], values["au"]), None


@login_required
@require_GET
def bilan(request, pk):
    """The financial bilan d'exécution of an operation for a period, with the « contrôle de
    service fait » checklist, and its PDF and XLSX."""
    operation = _operation_finances(request.scope, pk)
    periode, erreur = _periode(request, operation)
    if erreur:
        return render(request, "finances/bilan.html", {"operation": operation, "erreur": erreur}, status=400)
    du, au = periode
    context = {
        **bilan_module.bilan_financier(operation, du, au),
        "query": f"du={du.isoformat()}&au={au.isoformat()}",
    }
    return render(request, "finances/bilan.html", context)


@login_required
@recent_auth_required
@require_GET
def bilan_export(request, pk):
    """``?format=pdf`` (default) or ``xlsx`` of :func:`bilan`."""
    operation = _operation_finances(request.scope, pk)
    periode, erreur = _periode(request, operation)
    if erreur:
        return HttpResponseBadRequest(erreur, content_type="text/plain; charset=utf-8")
    du, au = periode
    format_ = request.GET.get("format") or "pdf"
    if format_ not in ("pdf", "xlsx"):
        return HttpResponseBadRequest(
            "Format : « pdf » ou « xlsx » attendu.", content_type="text/plain; charset=utf-8"
        )
    data = bilan_module.bilan_financier(operation, du, au)
    if format_ == "pdf":
        response = HttpResponse(bilan_module.export_pdf(data), content_type="application/pdf")
    else:
        response = HttpResponse(bilan_module.export_xlsx(data), content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = (
        f'attachment; filename="{bilan_module.nom_fichier(operation, format_, du, au)}"'
    )
    for key, value in PRIVATE_HEADERS.items():
        response[key] = value
    return response


@login_required
@require_GET
def etat_mensuel(request, personnel_pk, operation_pk, mois):
    """The monthly time state of one person on one operation (``mois`` = AAAA-MM), a PDF ready
    to sign (``?format=xlsx``: the same as a workbook): for the person, their responsable and
    the finance roles of the PLIE."""
    scope = request.scope
    personnel = get_object_or_404(
        Personnel.objects.visible_to(scope).select_related("plie", "user", "responsable"), pk=personnel_pk
    )
    if not permissions.can_view_temps(scope, personnel):
        raise Http404
    operation = get_object_or_404(Operation.objects.filter(plie_id=personnel.plie_id), pk=operation_pk)
    try:
        month = datetime.datetime.strptime(mois, "%Y-%m").date()
    except ValueError:
        raise Http404 from None
    etat = bilan_module.etat_mensuel(personnel, operation, month)
    if request.GET.get("format") == "xlsx":
        response = HttpResponse(bilan_module.etat_mensuel_xlsx(etat), content_type=XLSX_CONTENT_TYPE)
        extension = "xlsx"
    else:
        response = HttpResponse(bilan_module.etat_mensuel_pdf(etat), content_type="application/pdf")
        extension = "pdf"
    response["Content-Disposition"] = (
        f'attachment; filename="etat-temps-{operation.code}-{month:%Y-%m}.{extension}"'
    )
    for key, value in PRIVATE_HEADERS.items():
        response[key] = value
    return response


@login_required
@require_GET
def consolidation(request):
    """The resources by funder of every operation of the PLIE whose finances ``scope`` sees
    (an OI's direction: all its PLIE), forecast and realised, per PLIE and in total (2 queries
    after the scope: the PLIE, one grouped aggregate)."""
    scope = request.scope
    plie_ids = permissions.finance_plie_ids(scope)
    if not plie_ids:
        raise Http404
    context = selectors.ressources_par_financeur(plie_ids)
    return render(request, "finances/consolidation.html", context)


@login_required
@require_GET
def piece(request, kind, pk):
    """The proof attached to an expense (``kind`` « depense ») or a resource (« ressource »)
    line: to the finance roles of the operation's PLIE only (404 otherwise)."""
    model = {"depense": Depense, "ressource": Ressource}.get(kind)
    if model is None:
        raise Http404
    ligne = get_object_or_404(model.objects.visible_to(request.scope).select_related("operation"), pk=pk)
    if not ligne.piece:
        raise Http404
    try:
        fichier = ligne.piece.open("rb")
    except FileNotFoundError:
        raise Http404("Fichier introuvable.") from None
    response = FileResponse(fichier, as_attachment=True, filename=ligne.piece_nom or "piece")
    for key, value in PRIVATE_HEADERS.items():
        response[key] = value
    return response
