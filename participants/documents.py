"""Pièces justificatives: which files are accepted, and how one is added to a dossier.

The rules for an upload (checked on the file's **content**, never on what the browser claims):

- only PDF, JPEG and PNG, recognised by their first bytes (``%PDF-``, ``FF D8 FF``,
  ``89 50 4E 47 0D 0A 1A 0A``); anything else — an HTML or SVG page, a renamed program — is refused;
- the name's extension must agree with the content (a PNG named ``.pdf`` is refused);
- an empty file is refused, and so is one over ``settings.DOCUMENT_MAX_SIZE`` (5 Mo by default);
- only those who may change the dossier (``participants.permissions.can_edit``: référent,
  animation, administrateur of its PLIE) add or remove documents;
- the file is stored in the storage (``MEDIA_ROOT`` or the bucket, ``plie.core.storage``) under
  ``documents/<plie id>/`` with a random name (see
  ``participants.models.document_upload_to``) and is only ever served by a scoped view.
"""

import unicodedata
from dataclasses import dataclass
from pathlib import PureWindowsPath

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from participants.enums import DOCUMENTS_SENSIBLES, TypeDocument
from participants.models import Document
from participants.permissions import can_edit_participant, can_view_sensitive_data

DEFAULT_MAX_SIZE = 5 * 1024 * 1024
HEADER_SIZE = 16  # enough bytes to recognise every accepted format


@dataclass(frozen=True)
class Format:
    content_type: str
    label: str
    magic: bytes
    extensions: tuple


FORMATS = (
    Format("application/pdf", "PDF", b"%PDF-", (".pdf",)),
    Format("image/jpeg", "JPEG", b"\xff\xd8\xff", (".jpg", ".jpeg")),
    Format("image/png", "PNG", b"\x89PNG\r\n\x1a\n", (".png",)),
)
ACCEPTED_EXTENSIONS = tuple(ext for fmt in FORMATS for ext in fmt.extensions)
# For the <input accept> attribute: a hint to the browser, never trusted.
ACCEPT_ATTRIBUTE = ",".join((*ACCEPTED_EXTENSIONS, *(fmt.content_type for fmt in FORMATS)))
EXECUTABLE_MAGICS = (b"MZ", b"\x7fELF", b"\xca\xfe\xba\xbe", b"\xcf\xfa\xed\xfe", b"#!")

MESSAGE_FORMATS = "Seuls les fichiers PDF, JPEG et PNG sont acceptés."


def max_size():
    return getattr(settings, "DOCUMENT_MAX_SIZE", DEFAULT_MAX_SIZE)


def human_size(octets):
    """« 850 octets », « 12 Ko », « 1,5 Mo », « 5 Mo »: French units (1 Ko = 1024 octets), with a
    non-breaking space so the unit never wraps alone."""
    if octets < 1024:
        return f"{octets}\xa0octet{'s' if octets > 1 else ''}"
    if (kilo := round(octets / 1024)) < 1024:
        return f"{kilo}\xa0Ko"
    value = f"{octets / (1024 * 1024):.1f}".removesuffix(".0").replace(".", ",")
    return f"{value}\xa0Mo"


def detect_format(header):
    """The :class:`Format` whose signature starts ``header`` (bytes), else ``None``."""
    return next((fmt for fmt in FORMATS if header.startswith(fmt.magic)), None)


def extension_of(filename):
    return PureWindowsPath(filename or "").suffix.lower()


def check_file(*, filename, size, header, limit=None):
    """The :class:`Format` of a file described by plain values, or a French
    :class:`ValidationError` saying why it is refused (the rules are in the module docstring)."""
    limit = max_size() if limit is None else limit
    if not size:
        raise ValidationError("Le fichier est vide.", code="empty")
    if size > limit:
        raise ValidationError(
            f"Le fichier est trop volumineux ({human_size(size)})\xa0: "
            f"la taille maximale est de {human_size(limit)}.",
            code="too_large",
        )
    fmt = detect_format(header)
    if fmt is None:
        if header.startswith(EXECUTABLE_MAGICS):
            raise ValidationError(
                f"Ce fichier est un programme, pas un document. {MESSAGE_FORMATS}", code="executable"
            )
        raise ValidationError(
            f"Le contenu de ce fichier n'est ni un PDF, ni une image JPEG ou PNG. {MESSAGE_FORMATS}",
            code="format",
        )
    extension = extension_of(filename)
    if extension not in fmt.extensions:
        shown = f"«\xa0{extension}\xa0»" if extension else "absente"
        raise ValidationError(
            f"L'extension du nom ({shown}) ne correspond pas au contenu du fichier, qui est un "
            f"{fmt.label}\xa0: renommez-le en {' ou '.join(fmt.extensions)}.",
            code="extension",
        )
    return fmt


def validate_upload(uploaded_file):
    """:func:`check_file` on a Django ``UploadedFile``; reads only its first bytes."""
    uploaded_file.seek(0)
    header = uploaded_file.read(HEADER_SIZE)
    uploaded_file.seek(0)
    return check_file(filename=uploaded_file.name, size=uploaded_file.size, header=header)


def clean_filename(filename, *, max_length=120):
    """The name shown and offered on download: the last path component, Unicode NFC, without
    control or reserved characters (``/ \\ : * ? " < > |``), at most ``max_length`` characters
    with the extension kept."""
    name = PureWindowsPath(filename or "").name  # drops both « C:\\…\\ » and « ../ » prefixes
    name = unicodedata.normalize("NFC", name)
    name = "".join(
        " " if unicodedata.category(char).startswith(("C", "Z")) or char in '/\\:*?"<>|' else char
        for char in name
    )
    name = " ".join(name.split())
    extension = extension_of(name)
    stem = name[: -len(extension)] if extension else name
    stem = stem.strip(" .") or "document"
    return stem[: max_length - len(extension)].rstrip(" .") + extension


def allowed_types(scope, participant):
    """The document types ``scope`` may file: the disability proof only for those who may see
    sensitive data."""
    sensitive = can_view_sensitive_data(scope, participant)
    return [choice for choice in TypeDocument.choices if sensitive or choice[0] not in DOCUMENTS_SENSIBLES]


@transaction.atomic
def document_add(*, scope, participant, type, uploaded_file):
    """Store ``uploaded_file`` and record it in ``participant``'s dossier.

    The file is checked again here (whoever calls), written under a random name, then the row is
    saved; if the row cannot be saved the file is removed, so no orphan stays on disk."""
    if not can_edit_participant(scope, participant):
        raise PermissionDenied
    if type not in dict(allowed_types(scope, participant)):
        raise ValidationError("Ce type de pièce n'est pas disponible.", code="type")
    fmt = validate_upload(uploaded_file)
    document = Document(
        participant=participant,
        type=type,
        nom_original=clean_filename(uploaded_file.name),
        content_type=fmt.content_type,
        taille=uploaded_file.size,
        uploaded_by=scope.user,
    )
    document.fichier.save(document.nom_original, uploaded_file, save=False)
    try:
        document.save()
    except BaseException:
        document.fichier.delete(save=False)
        raise
    return document


@transaction.atomic
def document_delete(*, scope, document):
    """Remove a document from the dossier; its history row (who, what, when) stays and the file
    is erased from disk once the deletion is committed."""
    if not can_edit_participant(scope, document.participant):
        raise PermissionDenied
    storage, name = document.fichier.storage, document.fichier.name
    document._change_reason = "Suppression du document"
    document.delete()
    transaction.on_commit(lambda: storage.delete(name))
