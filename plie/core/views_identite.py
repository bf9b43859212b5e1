"""The PLIE's identity page (name and logo, :mod:`plie.core.identite`) and its logo file."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.files.storage import default_storage
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET

from plie.core import identite
from plie.core.forms import StyledFormMixin
from plie.core.models import Structure
from plie.core.permissions import can_change_identite


class IdentiteForm(StyledFormMixin, forms.Form):
    nom = forms.CharField(label="Nom du PLIE", max_length=200)
    logo = forms.FileField(
        label="Logo",
        required=False,
        help_text=(
            "Image PNG ou JPEG, 300 Ko au plus, 2000 pixels au plus de côté. Il s'affiche en tête "
            "des pages et des documents PDF ; sans logo, le nom du PLIE en tient lieu."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": identite.ACCEPT}),
    )
    retirer_logo = forms.BooleanField(label="Retirer le logo actuel", required=False)

    def clean_logo(self):
        fichier = self.cleaned_data.get("logo")
        if fichier:
            erreurs = identite.logo_errors(fichier)
            if erreurs:
                raise forms.ValidationError(erreurs)
        return fichier


def _plie_administre(request):
    """The PLIE whose identity the user may change (``?plie=<code>`` among several)."""
    scope = request.scope
    plies = [
        p
        for p in Structure.objects.plies().filter(id__in=scope.plie_ids).order_by("nom")
        if can_change_identite(scope, p)
    ]
    if not plies:
        raise PermissionDenied
    code = request.GET.get("plie")
    if not code:
        return plies[0], plies
    for plie in plies:
        if plie.code == code:
            return plie, plies
    raise Http404


@login_required
def identite_edit(request):
    plie, plies = _plie_administre(request)
    if request.method == "POST":
        form = IdentiteForm(request.POST, request.FILES)
        if form.is_valid():
            identite.identite_update(
                scope=request.scope,
                plie=plie,
                nom=form.cleaned_data["nom"],
                fichier=form.cleaned_data["logo"] or None,
                retirer_logo=form.cleaned_data["retirer_logo"],
            )
            messages.success(request, "Le nom et le logo du PLIE sont enregistrés.")
            return redirect(f"{request.path}?plie={plie.code}" if len(plies) > 1 else request.path)
    else:
        form = IdentiteForm(initial={"nom": plie.nom})
    return render(request, "core/identite.html", {"form": form, "plie": plie, "plies": plies})


@login_required
@require_GET
def logo(request, pk):
    """The logo of a PLIE the user may see (its figures at least); 404 otherwise or without logo."""
    if pk not in request.scope.plie_ids:
        raise Http404
    plie = Structure.objects.plies().filter(pk=pk).first()
    if plie is None or not plie.logo or not default_storage.exists(plie.logo):
        raise Http404
    with default_storage.open(plie.logo, "rb") as fichier:  # 300 Ko at most (identite.LOGO_MAX_SIZE)
        response = HttpResponse(fichier.read(), content_type=identite.logo_content_type(plie.logo))
    response["Cache-Control"] = "private, max-age=3600"
    return response
