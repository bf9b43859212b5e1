"""The EU emblem we draw (static/img/embleme-ue.svg and its inline twin for the PDFs): the flag's
proportions of Regulation (EU) 2021/1060 annex IX and its graphic standards — a 3:2 blue
rectangle, twelve upright gold stars on a circle whose radius is a third of the height, each star
in a circle whose radius is an eighteenth of the height (docs/design.md)."""

import math
import re
from pathlib import Path

import pytest
from django.template.loader import render_to_string

ROOT = Path(__file__).resolve().parents[2]


def emblemes():
    return {
        "page": (ROOT / "static" / "img" / "embleme-ue.svg").read_text(),
        "pdf": render_to_string("components/embleme_ue.svg"),
    }


@pytest.mark.parametrize("support", ["page", "pdf"])
def test_the_flag_follows_the_graphic_standards(support):
    svg = emblemes()[support]
    largeur, hauteur = (float(v) for v in re.search(r'viewBox="0 0 ([\d.]+) ([\d.]+)"', svg).groups())
    assert largeur / hauteur == 1.5
    assert re.search(rf'<rect width="{largeur:g}" height="{hauteur:g}" fill="#003399"/>', svg)
    etoile = re.search(r'<path id="e" d="([^"]+)" fill="#FFCC00"/>', svg).group(1)
    points = [tuple(map(float, p.split(","))) for p in re.findall(r"-?[\d.]+,-?[\d.]+", etoile)]
    assert len(points) == 10 and points[0] == (0.0, -hauteur / 18)  # upright, radius h/18
    centres = [tuple(map(float, c)) for c in re.findall(r'href="#e" x="([\d.]+)" y="([\d.]+)"', svg)]
    assert len(centres) == 12
    for x, y in centres:
        assert math.hypot(x - largeur / 2, y - hauteur / 2) == pytest.approx(hauteur / 3, abs=0.01)


def test_pages_and_pdfs_carry_the_statement_next_to_the_emblem():
    page = render_to_string("components/mention_ue.html")
    assert "embleme-ue.svg" in page and "Cofinancé par l'Union européenne" in page
    pdf = render_to_string("components/pdf_ue.html")
    assert pdf.count("<svg") == 1
    assert "Cofinancé par l'Union européenne" in pdf


def test_the_pdf_header_flag_is_the_same_flag_as_a_png():
    """The bilan's running header embeds the emblem once as a PNG (plie.core.identite), drawn from
    static/img/embleme-ue.svg: 3:2, the blue field, a gold star at twelve o'clock."""
    import base64
    import io

    from PIL import Image

    from plie.core.identite import embleme_png_data_uri

    entete, donnees = embleme_png_data_uri().split(",", 1)
    assert entete == "data:image/png;base64"
    image = Image.open(io.BytesIO(base64.b64decode(donnees))).convert("RGB")
    largeur, hauteur = image.size
    assert largeur / hauteur == 1.5
    assert image.getpixel((2, 2)) == (0x00, 0x33, 0x99)
    assert image.getpixel((largeur // 2, hauteur // 2)) == (0x00, 0x33, 0x99)  # the circle is empty
    rouge, vert, bleu = image.getpixel((largeur // 2, round(hauteur / 6)))  # the top star's centre
    assert rouge > 0xF0 and 0xC0 < vert < 0xD8 and bleu < 0x20
