"""A PLIE's own identity: its name and its logo, set by its administrateur, shown in the page
header (``base.html``, from :attr:`plie.core.scoping.Scope.marque`) and on every PDF next to the
EU emblem (``components/pdf_marque.html``).

The logo goes through Django's storage API (:mod:`plie.core.storage`): a PNG or JPEG of at most
:data:`LOGO_MAX_SIZE` bytes, recognised by its first bytes (not by its name) and opened by Pillow
to check it is a whole image no larger than :data:`LOGO_MAX_PIXELS` on a side. SVG is refused:
a file that can carry a script is never served from our origin."""

import base64
import functools
import io
import re
import uuid
from pathlib import Path

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from PIL import Image, ImageDraw, UnidentifiedImageError

from plie.core.storage import delete_quietly

LOGO_MAX_SIZE = 300 * 1024
LOGO_MAX_PIXELS = 2000
FORMATS = {b"\x89PNG\r\n\x1a\n": ("png", "image/png"), b"\xff\xd8\xff": ("jpg", "image/jpeg")}
ACCEPT = "image/png,image/jpeg,.png,.jpg,.jpeg"


def logo_format(header):
    """``(extension, content type)`` of an image whose file starts with ``header``; ``None``
    when it is neither a PNG nor a JPEG."""
    return next((fmt for magic, fmt in FORMATS.items() if header.startswith(magic)), None)


def logo_errors(fichier):
    """The French reasons why the uploaded ``fichier`` is not an acceptable logo (empty: it is)."""
    if fichier.size == 0:
        return ["Le fichier du logo est vide."]
    if fichier.size > LOGO_MAX_SIZE:
        return [f"Le logo pèse {fichier.size // 1024} Ko : 300 Ko au plus."]
    fichier.seek(0)
    contenu = fichier.read()
    fichier.seek(0)
    if logo_format(contenu[:8]) is None:
        return ["Le logo doit être une image PNG ou JPEG."]
    try:
        with Image.open(io.BytesIO(contenu)) as image:
            image.verify()
            largeur, hauteur = image.size
    except (UnidentifiedImageError, OSError, SyntaxError):
        return ["Le fichier du logo est illisible ou incomplet."]
    if max(largeur, hauteur) > LOGO_MAX_PIXELS:
        return [f"Le logo mesure {largeur} × {hauteur} pixels : {LOGO_MAX_PIXELS} au plus de côté."]
    return []


@transaction.atomic
def identite_update(*, scope, plie, nom, fichier=None, retirer_logo=False):
    """Rename ``plie`` and replace (or remove) its logo. The new file is stored under
    ``plies/<id>/logo-<random>.<ext>`` (a new name each time: no stale cache) and the old one
    deleted once the row is saved. ``fichier`` must have passed :func:`logo_errors`."""
    from plie.core.permissions import can_change_identite

    if not can_change_identite(scope, plie):
        raise PermissionError("Seul l'administrateur du PLIE modifie son nom et son logo.")
    ancien = plie.logo
    plie.nom = nom
    if fichier is not None:
        fichier.seek(0)
        contenu = fichier.read()
        extension, _ = logo_format(contenu[:8])
        plie.logo = default_storage.save(
            f"plies/{plie.id}/logo-{uuid.uuid4().hex[:12]}.{extension}", ContentFile(contenu)
        )
    elif retirer_logo:
        plie.logo = ""
    plie.save(update_fields=["nom", "logo"])
    if ancien and ancien != plie.logo:
        transaction.on_commit(lambda: delete_quietly(ancien))
    return plie


def logo_content_type(name):
    return "image/png" if name.endswith(".png") else "image/jpeg"


def logo_data_uri(name):
    """The stored logo ``name`` as a ``data:`` URI (for WeasyPrint, which then fetches nothing);
    ``""`` when there is none or the file is gone."""
    if not name:
        return ""
    try:
        with default_storage.open(name, "rb") as fichier:
            contenu = fichier.read()
    except (FileNotFoundError, OSError):
        return ""
    return f"data:{logo_content_type(name)};base64,{base64.b64encode(contenu).decode('ascii')}"


EMBLEME_PNG_LARGEUR = 270  # pixels: 10.5 mm wide in a PDF header is about 650 dpi


@functools.cache
def embleme_png_data_uri():
    """The EU emblem of ``static/img/embleme-ue.svg`` (same rectangle, same twelve stars, read
    from the file) as a PNG ``data:`` URI, drawn once per process with Pillow.

    For a PDF whose running header repeats the emblem on every page: WeasyPrint embeds a raster
    image once and points every page to it, where it draws an inline SVG again page by page."""
    svg = (Path(settings.BASE_DIR) / "static" / "img" / "embleme-ue.svg").read_text()
    largeur, hauteur = (float(v) for v in re.search(r'viewBox="0 0 ([\d.]+) ([\d.]+)"', svg).groups())
    bleu = re.search(r'<rect [^>]*fill="(#[0-9A-Fa-f]{6})"', svg).group(1)
    etoile = re.search(r'<path id="e" d="([^"]+)" fill="(#[0-9A-Fa-f]{6})"', svg)
    points = [tuple(map(float, p.split(","))) for p in re.findall(r"-?[\d.]+,-?[\d.]+", etoile.group(1))]
    centres = [tuple(map(float, c)) for c in re.findall(r'href="#e" x="([\d.]+)" y="([\d.]+)"', svg)]
    echelle = 4 * EMBLEME_PNG_LARGEUR / largeur  # drawn 4× larger, then reduced: smooth edges
    image = Image.new("RGB", (round(largeur * echelle), round(hauteur * echelle)), bleu)
    dessin = ImageDraw.Draw(image)
    for cx, cy in centres:
        dessin.polygon([((cx + x) * echelle, (cy + y) * echelle) for x, y in points], fill=etoile.group(2))
    image = image.resize(
        (EMBLEME_PNG_LARGEUR, round(EMBLEME_PNG_LARGEUR * hauteur / largeur)), Image.Resampling.LANCZOS
    )
    sortie = io.BytesIO()
    image.save(sortie, format="PNG", optimize=True)
    return f"data:image/png;base64,{base64.b64encode(sortie.getvalue()).decode('ascii')}"
