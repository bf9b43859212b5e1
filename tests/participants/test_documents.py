"""Pièces justificatives: the upload rules (on content, not on names), where files live, and who
may add, read and remove them.

Rights, consistently: a participant or document outside the user's scope is a **404** (PLIE B,
financeur, and the RQTH proof for gestionnaire/direction); a user who sees the dossier but may
not change it (gestionnaire, direction) gets a **403** on upload and delete."""

import io
import re

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import DatabaseError
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.timezone import localtime
from PIL import Image
from pytest_django.asserts import assertContains, assertNotContains, assertRedirects

from participants import documents
from participants.documents import check_file, clean_filename, document_add, human_size
from participants.models import Document
from plie.core.scoping import scope_for
from tests.factories import MINIMAL_PDF, DocumentFactory, ParticipantFactory


def image_bytes(fmt):
    buffer = io.BytesIO()
    Image.new("RGB", (1, 1), (29, 63, 114)).save(buffer, fmt)
    return buffer.getvalue()


PDF = MINIMAL_PDF
PNG = image_bytes("PNG")
JPEG = image_bytes("JPEG")
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 64
ELF = b"\x7fELF\x02\x01\x01\x00" + b"\x00" * 64
HTML = b"<!doctype html><html><body><script>alert(1)</script></body></html>"
SVG = b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>'
RANDOM_NAME = re.compile(r"^[0-9a-f]{32}\.(pdf|jpe?g|png)$")


def stored_files(settings, plie=None):
    root = settings.MEDIA_ROOT / "documents"
    if plie is not None:
        root = root / str(plie.pk)
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []


# --- the rules, on plain values (no database) ---------------------------------------------------


@pytest.mark.parametrize(
    ("filename", "content", "content_type"),
    [
        ("scan.pdf", PDF, "application/pdf"),
        ("SCAN.PDF", PDF, "application/pdf"),
        ("photo.jpg", JPEG, "image/jpeg"),
        ("photo.jpeg", JPEG, "image/jpeg"),
        ("carte.png", PNG, "image/png"),
        ("C:\\Users\\marie\\carte vitale.png", PNG, "image/png"),
    ],
)
def test_accepted_formats_are_recognised_by_content(filename, content, content_type):
    fmt = check_file(filename=filename, size=len(content), header=content[:16], limit=10_000)
    assert fmt.content_type == content_type


@pytest.mark.parametrize(
    ("filename", "content", "code", "message"),
    [
        ("vide.pdf", b"", "empty", "Le fichier est vide."),
        ("facture.pdf", EXE, "executable", "Ce fichier est un programme, pas un document."),
        ("facture.pdf", ELF, "executable", "Ce fichier est un programme, pas un document."),
        ("page.pdf", HTML, "format", "n'est ni un PDF, ni une image JPEG ou PNG"),
        ("page.html", HTML, "format", "Seuls les fichiers PDF, JPEG et PNG sont acceptés."),
        ("logo.svg", SVG, "format", "n'est ni un PDF"),
        ("logo.png", SVG, "format", "n'est ni un PDF"),
        ("notes.txt", b"Bonjour", "format", "n'est ni un PDF"),
        ("scan.png", PDF, "extension", "L'extension du nom («\xa0.png\xa0») ne correspond pas"),
        ("photo.pdf", JPEG, "extension", "qui est un JPEG\xa0: renommez-le en .jpg ou .jpeg"),
        ("carte.jpg", PNG, "extension", "qui est un PNG"),
        ("scan", PDF, "extension", "L'extension du nom (absente)"),
        ("scan.pdf.exe", PDF, "extension", "«\xa0.exe\xa0»"),
    ],
)
def test_refused_files_get_a_french_reason(filename, content, code, message):
    with pytest.raises(ValidationError) as raised:
        check_file(filename=filename, size=len(content), header=content[:16], limit=10_000)
    assert raised.value.code == code
    assert message in raised.value.messages[0]


def test_too_large_states_both_sizes():
    with pytest.raises(ValidationError) as raised:
        check_file(filename="scan.pdf", size=6_500_000, header=PDF, limit=5 * 1024 * 1024)
    assert raised.value.code == "too_large"
    assert raised.value.messages == [
        "Le fichier est trop volumineux (6,2\xa0Mo)\xa0: la taille maximale est de 5\xa0Mo."
    ]


def test_the_limit_is_a_setting_of_5_mo_by_default(settings):
    assert settings.DOCUMENT_MAX_SIZE == 5 * 1024 * 1024
    del settings.DOCUMENT_MAX_SIZE
    assert documents.max_size() == 5 * 1024 * 1024


@pytest.mark.parametrize(
    ("octets", "shown"),
    [
        (1, "1\xa0octet"),
        (850, "850\xa0octets"),
        (1024, "1\xa0Ko"),
        (12_345, "12\xa0Ko"),
        (1024 * 1024 - 1, "1\xa0Mo"),
        (1_572_864, "1,5\xa0Mo"),
        (5 * 1024 * 1024, "5\xa0Mo"),
    ],
)
def test_human_size(octets, shown):
    assert human_size(octets) == shown


@pytest.mark.parametrize(
    ("given", "kept"),
    [
        ("Pièce d'identité.pdf", "Pièce d'identité.pdf"),
        ("C:\\Documents\\scan RSA.PDF", "scan RSA.pdf"),
        ("../../etc/passwd.png", "passwd.png"),
        ('a\x00b<script>"x".png', "a b script x.png"),
        ("e\u0301te\u0301.jpg", "été.jpg"),  # decomposed accents → NFC
        ("  ..pdf", "document.pdf"),
        ("x" * 300 + ".pdf", "x" * 116 + ".pdf"),
    ],
)
def test_clean_filename(given, kept):
    assert clean_filename(given) == kept


# --- upload -------------------------------------------------------------------------------------


def upload_url(participant):
    return reverse("participants:document_upload", args=[participant.pk])


def upload(client, participant, filename, content, type="identite", content_type="application/octet-stream"):
    fichier = SimpleUploadedFile(filename, content, content_type=content_type)
    return client.post(upload_url(participant), {"type": type, "fichier": fichier})


@pytest.mark.parametrize(
    ("filename", "content", "content_type"),
    [
        ("Pièce d'identité.pdf", PDF, "application/pdf"),
        ("photo carte.JPG", JPEG, "image/jpeg"),
        ("carte.png", PNG, "image/png"),
    ],
)
def test_referent_uploads_a_document(client, world, settings, filename, content, content_type):
    participant = ParticipantFactory(plie=world.plie_a)
    client.force_login(world.referent_a)
    # the browser's claim (text/html) is ignored: the content decides
    response = upload(client, participant, filename, content, content_type="text/html")
    assertRedirects(response, participant.get_absolute_url(), fetch_redirect_response=False)

    document = Document.objects.get()
    assert document.participant == participant
    assert document.type == "identite"
    assert document.content_type == content_type
    assert document.taille == len(content)
    assert document.uploaded_by == world.referent_a
    assert document.nom_original == filename.replace(".JPG", ".jpg")
    # stored under MEDIA_ROOT/documents/<plie>/ with a random name, never the user's name
    [path] = stored_files(settings)
    assert path.parent == settings.MEDIA_ROOT / "documents" / str(world.plie_a.pk)
    assert RANDOM_NAME.match(path.name)
    assert path.read_bytes() == content
    assert document.fichier.name == f"documents/{world.plie_a.pk}/{path.name}"
    assert document.history.get().history_type == "+"


@pytest.mark.parametrize(
    ("filename", "content", "message"),
    [
        ("facture.pdf", EXE, "Ce fichier est un programme, pas un document."),
        ("page.pdf", HTML, "ni un PDF, ni une image JPEG ou PNG"),
        ("logo.svg", SVG, "ni un PDF, ni une image JPEG ou PNG"),
        ("scan.png", PDF, "ne correspond pas au contenu du fichier, qui est un PDF"),
        ("vide.pdf", b"", "Le fichier soumis est vide."),
    ],
)
def test_refused_upload_shows_the_reason_and_stores_nothing(
    client, world, settings, filename, content, message
):
    participant = ParticipantFactory(plie=world.plie_a)
    client.force_login(world.referent_a)
    response = upload(client, participant, filename, content)
    assert response.status_code == 200
    assertContains(response, message)
    assertContains(response, 'aria-invalid="true"')
    assert not Document.objects.exists()
    assert stored_files(settings) == []


def test_too_large_upload_is_refused_with_its_size(client, world, settings):
    settings.DOCUMENT_MAX_SIZE = 1024
    participant = ParticipantFactory(plie=world.plie_a)
    client.force_login(world.referent_a)
    response = upload(client, participant, "scan.pdf", PDF + b"0" * 3000)
    assertContains(
        response, "Le fichier est trop volumineux (3\xa0Ko)\xa0: la taille maximale est de 1\xa0Ko."
    )
    assertContains(response, "PDF, JPEG ou PNG, 1\xa0Ko au maximum.")
    assert not Document.objects.exists()
    assert stored_files(settings) == []


def test_form_offers_the_rqth_type_only_to_who_sees_sensitive_data(client, world):
    participant = ParticipantFactory(plie=world.plie_a)
    client.force_login(world.referent_a)
    response = client.get(upload_url(participant))
    assertContains(response, 'enctype="multipart/form-data"')
    assertContains(response, 'accept=".pdf,.jpg,.jpeg,.png,application/pdf,image/jpeg,image/png"')
    assertContains(response, "Justificatif RQTH / handicap")

    client.force_login(world.admin_a)  # may change the dossier, without sensitive data
    assertNotContains(client.get(upload_url(participant)), "Justificatif RQTH / handicap")
    response = upload(client, participant, "rqth.pdf", PDF, type="rqth")
    assertContains(response, "Sélectionnez un choix valide")
    assert not Document.objects.exists()
    assert upload(client, participant, "cv.pdf", PDF, type="autre").status_code == 302


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("referent_a", 200),
        ("animateur_a", 200),
        ("admin_a", 200),
        ("gestionnaire_a", 403),  # sees the dossier, may not change it
        ("direction_a", 403),
        ("oi_user", 404),  # an OI membership: aggregates only (plie.core.scoping)
        ("referent_b", 404),  # another PLIE: the participant does not exist for them
        ("referent_operateur", 404),
        ("financeur", 404),
        ("no_role", 404),
    ],
)
def test_who_may_upload(client, world, settings, persona, status):
    participant = ParticipantFactory(plie=world.plie_a)
    client.force_login(getattr(world, persona))
    assert client.get(upload_url(participant)).status_code == status
    response = upload(client, participant, "scan.pdf", PDF)
    assert response.status_code == (302 if status == 200 else status)
    assert Document.objects.count() == (1 if status == 200 else 0)
    assert len(stored_files(settings)) == Document.objects.count()


def test_anonymous_is_sent_to_login(client, world):
    participant = ParticipantFactory(plie=world.plie_a)
    document = DocumentFactory(participant=participant)
    for url in (upload_url(participant), reverse("participants:document_download", args=[document.pk])):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))


# --- the service --------------------------------------------------------------------------------


def test_document_add_checks_rights_and_content_itself(world):
    participant = ParticipantFactory(plie=world.plie_a)
    with pytest.raises(PermissionDenied):
        document_add(
            scope=scope_for(world.gestionnaire_a),
            participant=participant,
            type="identite",
            uploaded_file=SimpleUploadedFile("scan.pdf", PDF),
        )
    with pytest.raises(ValidationError, match="programme"):
        document_add(
            scope=scope_for(world.referent_a),
            participant=participant,
            type="identite",
            uploaded_file=SimpleUploadedFile("scan.pdf", EXE),
        )
    with pytest.raises(ValidationError, match="type de pièce"):
        document_add(
            scope=scope_for(world.admin_a),
            participant=participant,
            type="rqth",
            uploaded_file=SimpleUploadedFile("scan.pdf", PDF),
        )
    assert not Document.objects.exists()


def test_document_add_removes_the_file_when_the_row_cannot_be_saved(world, settings, monkeypatch):
    participant = ParticipantFactory(plie=world.plie_a)

    def failing_save(self, *args, **kwargs):
        assert len(stored_files(settings)) == 1  # the file was written first
        raise DatabaseError("base indisponible")

    monkeypatch.setattr(Document, "save", failing_save)
    with pytest.raises(DatabaseError):
        document_add(
            scope=scope_for(world.referent_a),
            participant=participant,
            type="identite",
            uploaded_file=SimpleUploadedFile("scan.pdf", PDF),
        )
    assert stored_files(settings) == []


# --- download -----------------------------------------------------------------------------------


def download_url(document):
    return reverse("participants:document_download", args=[document.pk])


def test_download_serves_the_file_privately(client, world, django_assert_num_queries):
    document = DocumentFactory(participant__plie=world.plie_a)
    client.force_login(world.referent_a)
    # session, user, memberships (scope), the document joined to its participant, the journal
    with django_assert_num_queries(5):
        response = client.get(download_url(document))
    assert response.status_code == 200
    # reading the stream to its end closes the file, as a WSGI server would
    assert b"".join(response.streaming_content) == MINIMAL_PDF
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == (
        "attachment; filename*=utf-8''Pi%C3%A8ce%20d%27identit%C3%A9.pdf"
    )
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Cache-Control"] == "private, no-store"


@pytest.mark.parametrize(
    ("persona", "identite", "rqth"),
    [
        ("referent_a", 200, 200),
        ("animateur_a", 200, 200),
        ("gestionnaire_a", 200, 404),  # the disability proof is sensitive
        ("direction_a", 200, 404),
        ("admin_a", 200, 404),
        ("oi_user", 404, 404),  # an OI membership: aggregates only (plie.core.scoping)
        ("referent_b", 404, 404),
        ("financeur", 404, 404),
        ("no_role", 404, 404),
    ],
)
def test_who_may_download(client, world, persona, identite, rqth):
    participant = ParticipantFactory(plie=world.plie_a)
    piece = DocumentFactory(participant=participant)
    justificatif = DocumentFactory(participant=participant, rqth=True)
    client.force_login(getattr(world, persona))
    for document, status in ((piece, identite), (justificatif, rqth)):
        response = client.get(download_url(document))
        assert response.status_code == status, document
        if response.streaming:
            assert b"".join(response.streaming_content) == MINIMAL_PDF


def test_a_missing_file_is_a_404(client, world):
    document = DocumentFactory(participant__plie=world.plie_a)
    document.fichier.storage.delete(document.fichier.name)
    client.force_login(world.referent_a)
    assert client.get(download_url(document)).status_code == 404


def test_files_have_no_public_url(client, world, settings):
    document = DocumentFactory(participant__plie=world.plie_a)
    assert (settings.MEDIA_ROOT / document.fichier.name).is_file()
    assert "static" not in str(settings.MEDIA_ROOT)
    client.force_login(world.referent_a)
    assert client.get(f"{settings.MEDIA_URL}{document.fichier.name}").status_code == 404
    assert client.get(f"/static/{document.fichier.name}").status_code == 404


# --- delete -------------------------------------------------------------------------------------


def delete_url(document):
    return reverse("participants:document_delete", args=[document.pk])


def test_referent_deletes_a_document_and_its_history_stays(
    client, world, settings, django_capture_on_commit_callbacks
):
    document = DocumentFactory(participant__plie=world.plie_a)
    path = settings.MEDIA_ROOT / document.fichier.name
    client.force_login(world.referent_a)
    assertContains(client.get(delete_url(document)), "Supprimer le document")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(delete_url(document))
    assertRedirects(response, document.participant.get_absolute_url(), fetch_redirect_response=False)
    assert not Document.objects.exists()
    assert not path.exists()
    removed = Document.history.filter(id=document.pk).latest("history_date")
    assert removed.history_type == "-"
    assert removed.history_user == world.referent_a
    assert removed.nom_original == "Pièce d'identité.pdf"


@pytest.mark.parametrize(
    ("persona", "status"),
    [("gestionnaire_a", 403), ("direction_a", 403), ("referent_b", 404), ("financeur", 404)],
)
def test_who_may_not_delete(client, world, persona, status):
    document = DocumentFactory(participant__plie=world.plie_a)
    client.force_login(getattr(world, persona))
    assert client.post(delete_url(document)).status_code == status
    assert Document.objects.count() == 1


def test_admin_cannot_delete_a_document_they_cannot_see(client, world):
    document = DocumentFactory(participant__plie=world.plie_a, rqth=True)
    client.force_login(world.admin_a)
    assert client.post(delete_url(document)).status_code == 404
    assert Document.objects.count() == 1


# --- the documents block of the dossier ---------------------------------------------------------


def render_block(user, participant):
    documents_ = (
        Document.objects.visible_to(scope_for(user))
        .filter(participant=participant)
        .select_related("uploaded_by")
    )
    context = {"scope": scope_for(user), "participant": participant, "documents": documents_}
    return render_to_string("participants/includes/documents.html", context)


def test_documents_block_for_a_referent(world):
    participant = ParticipantFactory(plie=world.plie_a)
    document = DocumentFactory(
        participant=participant, taille=12_345, uploaded_by__first_name="Léa", uploaded_by__last_name="Roux"
    )
    DocumentFactory(participant=participant, rqth=True, uploaded_by=None)
    html = render_block(world.referent_a, participant)
    assert "Ajouter un document" in html
    assert reverse("participants:document_upload", args=[participant.pk]) in html
    assert download_url(document) in html
    assert "Pièce d&#x27;identité.pdf" in html
    assert "12\xa0Ko" in html
    assert localtime(document.uploaded_at).strftime("%d/%m/%Y") in html
    assert "Léa Roux" in html
    assert "Notification RQTH.pdf" in html
    assert delete_url(document) in html


def test_documents_block_for_a_gestionnaire(world):
    participant = ParticipantFactory(plie=world.plie_a)
    DocumentFactory(participant=participant, rqth=True)
    html = render_block(world.gestionnaire_a, participant)
    assert "Ajouter un document" not in html
    assert "Supprimer" not in html
    assert "Notification RQTH.pdf" not in html
    assert "Aucune pièce déposée." in html
