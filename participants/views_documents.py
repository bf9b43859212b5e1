"""Documents of a dossier (upload, download, delete) and the printable fiche.

Everything goes through ``visible_to(request.scope)``: a participant or document outside the
user's scope is a 404, whatever the reason. A user who sees the dossier but may not change its
documents (gestionnaire, direction) gets a 403 on upload and delete."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_GET, require_http_methods

from participants import documents
from participants.models import Document, Participant
from participants.pdf import render_fiche
from participants.permissions import can_edit_participant
from plie.core import journal
from plie.core.enums import JournalAction
from plie.core.forms import StyledFormMixin

PRIVATE_HEADERS = {"X-Content-Type-Options": "nosniff", "Cache-Control": "private, no-store"}


def _private(response):
    """Personal data: never cached by a browser or a proxy, never sniffed into another type."""
    for header, value in PRIVATE_HEADERS.items():
        response[header] = value
    return response


class _DocumentFields(forms.Form):
    type = forms.ChoiceField(label="Type de pièce")
    fichier = forms.FileField(label="Fichier")

    def __init__(self, *args, scope, participant, **kwargs):
        super().__init__(*args, **kwargs)
        # set before StyledFormMixin reads the errors (it validates a bound form at once)
        self.fields["type"].choices = [("", "Choisir…"), *documents.allowed_types(scope, participant)]
        fichier = self.fields["fichier"]
        fichier.widget.attrs["accept"] = documents.ACCEPT_ATTRIBUTE
        fichier.help_text = (
            f"PDF, JPEG ou PNG, {documents.human_size(documents.max_size())} au maximum. "
            "Le fichier n'est visible que des personnes habilitées à voir ce dossier."
        )

    def clean_fichier(self):
        fichier = self.cleaned_data["fichier"]
        documents.validate_upload(fichier)
        return fichier


class DocumentForm(StyledFormMixin, _DocumentFields):
    pass


def _participant_or_404(scope, pk):
    return get_object_or_404(Participant.objects.visible_to(scope).select_related("plie"), pk=pk)


@login_required
@require_http_methods(["GET", "POST"])
def document_upload(request, pk):
    participant = _participant_or_404(request.scope, pk)
    if not can_edit_participant(request.scope, participant):
        raise PermissionDenied
    if request.method == "POST":
        form = DocumentForm(request.POST, request.FILES, scope=request.scope, participant=participant)
        if form.is_valid():
            try:
                document = documents.document_add(
                    scope=request.scope,
                    participant=participant,
                    type=form.cleaned_data["type"],
                    uploaded_file=form.cleaned_data["fichier"],
                )
            except ValidationError as error:
                form.add_error("fichier", error)
            else:
                messages.success(request, f"Document «\xa0{document.nom_original}\xa0» ajouté au dossier.")
                return redirect(participant)
    else:
        form = DocumentForm(scope=request.scope, participant=participant)
    return render(request, "participants/document_form.html", {"participant": participant, "form": form})


@login_required
@require_GET
def document_download(request, pk):
    document = get_object_or_404(
        Document.objects.visible_to(request.scope).select_related("participant"), pk=pk
    )
    try:
        fichier = document.fichier.open("rb")
    except FileNotFoundError:
        raise Http404("Fichier introuvable.") from None
    journal.record(
        request.scope, request, JournalAction.DOCUMENT, [document.participant], objet=f"document {pk}"
    )
    response = FileResponse(
        fichier, as_attachment=True, filename=document.nom_original, content_type=document.content_type
    )
    return _private(response)


@login_required
@require_http_methods(["GET", "POST"])
def document_delete(request, pk):
    document = get_object_or_404(
        Document.objects.visible_to(request.scope).select_related("participant__plie"), pk=pk
    )
    participant = document.participant
    if not can_edit_participant(request.scope, participant):
        raise PermissionDenied
    if request.method == "POST":
        documents.document_delete(scope=request.scope, document=document)
        messages.success(request, f"Document «\xa0{document.nom_original}\xa0» supprimé du dossier.")
        return redirect(participant)
    return render(
        request, "participants/document_delete.html", {"participant": participant, "document": document}
    )


@login_required
@require_GET
def fiche_pdf(request, pk):
    participant = get_object_or_404(
        Participant.objects.visible_to(request.scope).select_related("plie").prefetch_related("situations"),
        pk=pk,
    )
    response = HttpResponse(render_fiche(participant, request.scope), content_type="application/pdf")
    journal.record(request.scope, request, JournalAction.FICHE_PDF, [participant])
    filename = f"fiche-{participant.pk}.pdf"  # no name in a file name (downloads folder, mail)
    response["Content-Disposition"] = content_disposition_header(False, filename)
    return _private(response)
