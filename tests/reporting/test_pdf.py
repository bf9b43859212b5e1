"""The annual bilan as a PDF (issue 7): rendered from a small hand-built year, its text read back
with pypdf; the SVG charts of ``reporting.charts``; French number formatting; the command."""

import io
import re

import pytest
from django.core.management import call_command
from pypdf import PdfReader

from parcours.enums import CategorieSortie as C
from reporting import charts
from reporting.bilan import bilan_annuel
from reporting.pdf import NON_CALCULABLE, bilan_context, nombre, pourcentage, render_bilan
from tests.factories import PlieFactory
from tests.parcours.factories import EntretienFactory
from tests.reporting.conftest import D, make_parcours


def texte(pdf_bytes):
    """The PDF's text, the no-break spaces read as plain spaces, runs of spaces collapsed."""
    reader = PdfReader(io.BytesIO(pdf_bytes))
    text = "\n".join(page.extract_text() for page in reader.pages)
    return re.sub(r"[ \u00a0\u202f]+", " ", text), len(reader.pages)


@pytest.fixture
def plie(db):
    """Stock on 31/12/2015: 3 (one still in parcours, two exited in 2016). 2016: 4 entries, 5 exits
    (2 emploi durable, 1 qualifiante, 1 abandon, 1 neutralisée). Stock on 31/12/2016: 3 - 5 + 4 = 2."""
    plie = PlieFactory(code="plie-pdf", nom="PLIE de l'Agglomération Test")
    make_parcours(plie, D(2015, 3, 2))
    make_parcours(plie, D(2015, 3, 2), D(2016, 6, 1), C.EMPLOI_DURABLE, sexe="M")
    first = make_parcours(plie, D(2015, 9, 1), D(2016, 4, 1), C.EMPLOI_DURABLE)
    make_parcours(plie, D(2016, 1, 4), D(2016, 9, 1), C.ABANDON)
    make_parcours(plie, D(2016, 2, 1), D(2016, 10, 1), C.NEUTRALISEE)
    make_parcours(plie, D(2016, 2, 1), D(2016, 11, 2), C.QUALIFIANTE)
    make_parcours(plie, D(2016, 5, 2))
    EntretienFactory(parcours=first, date=D(2016, 1, 12))
    EntretienFactory(parcours=first, date=D(2016, 3, 8))
    return plie


def test_the_pdf_holds_the_flow_table_and_the_rates(plie):
    bilan = bilan_annuel(plie, 2016)
    flux = bilan["flux"]
    assert (flux["en_parcours_debut"], flux["entrees"], flux["en_parcours_fin"]) == (3, 4, 2)

    text, pages = texte(render_bilan(bilan))

    assert pages >= 5
    assert "PLIE de l'Agglomération Test" in text
    assert "Bilan annuel 2016" in text
    assert "En parcours au 31/12/2015 3" in text
    assert "Entrées en 2016 4" in text
    assert "En parcours en 2016 (stock + entrées) 7" in text
    assert "Sorties positives en 2016 3" in text
    assert "dont emploi durable 2" in text
    assert "dont sortie qualifiante 1" in text
    assert "Sorties sans suite en 2016 2" in text
    assert "dont abandons 1" in text
    assert "dont déménagements, décès, retraites (neutralisées) 1" in text
    assert "En parcours au 31/12/2016 2" in text
    # 3 positive exits out of 5 exits, out of 4 non-neutralised exits, out of 4 entries; 1 abandon / 5
    assert "60,0 %" in text
    assert "75,0 %" in text
    assert "20,0 %" in text
    assert "Page 1 / " not in text  # no header or footer on the cover
    assert f"Page 2 / {pages}" in text
    assert "Données et définitions" in text


def test_a_rate_without_denominator_reads_non_calculable(db):
    plie = PlieFactory(code="plie-vide", nom="PLIE vide")
    make_parcours(plie, D(2016, 3, 1))  # one entry, no exit
    bilan = bilan_annuel(plie, 2016)
    assert bilan["taux"]["sorties_positives_sur_sorties"] is None
    text, _ = texte(render_bilan(bilan))
    assert "non calculable" in text
    assert "0,0 %" in text  # 0 positive exits out of 1 entry


def test_context_escapes_nothing_twice_and_names_the_plie(plie):
    context = bilan_context(bilan_annuel(plie, 2016))
    assert context["plie_nom"] == "PLIE de l'Agglomération Test"
    assert context["taux"][0]["calcul"] == "3\u202f/\u202f5"


# --- French numbers --------------------------------------------------------------------------------


def test_french_numbers():
    assert nombre(0) == "0"
    assert nombre(1234567) == "1\u202f234\u202f567"
    assert nombre(1.825) == "1,82" or nombre(1.825) == "1,83"
    assert nombre(12345.5, 1) == "12\u202f345,5"
    assert nombre(None) == "—"
    assert pourcentage(0.423) == "42,3\u202f%"
    assert pourcentage(1) == "100,0\u202f%"
    assert pourcentage(0) == "0,0\u202f%"
    assert pourcentage(None) == NON_CALCULABLE


# --- Charts ------------------------------------------------------------------------------------------


def _largeurs(svg):
    return [float(w) for w in re.findall(r'class="barre"[^>]* width="([\d.]+)"', svg)]


def _hauteurs(svg):
    return [float(h) for h in re.findall(r'class="barre"[^>]* height="([\d.]+)"', svg)]


def test_horizontal_bars_escape_text():
    svg = charts.barres_horizontales([("<script>alert(1)</script> & Cie", 3)], titre='Sorties "N" <b>')
    assert "<script>" not in svg
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; Cie" in svg
    assert "Sorties &quot;N&quot; &lt;b&gt;" in svg
    assert svg.startswith("<svg") and svg.endswith("</svg>")


def test_horizontal_bars_scale_to_the_largest_value():
    svg = charts.barres_horizontales(
        [("a", 10), ("b", 5), ("c", 0)], largeur=400, largeur_libelle=100, formater=nombre
    )
    longueur = 400 - 100 - 46
    assert _largeurs(svg) == [pytest.approx(longueur), pytest.approx(longueur / 2), 0.0]


def test_bars_of_zeros_draw_nothing():
    assert _largeurs(charts.barres_horizontales([("a", 0), ("b", 0)])) == [0.0, 0.0]
    assert _hauteurs(charts.barres_mensuelles([("janv.", 0), ("févr.", 0)])) == [0.0, 0.0]


def test_monthly_bars_scale_and_escape():
    svg = charts.barres_mensuelles(
        [("janv.", 4), ("févr.", 2), ("<mars>", 1)], hauteur_graphique=112, formater=nombre
    )
    assert _hauteurs(svg) == [pytest.approx(100), pytest.approx(50), pytest.approx(25)]
    assert "&lt;mars&gt;" in svg and "<mars>" not in svg
    assert svg.count('class="barre"') == 3


def test_monthly_chart_of_the_bilan_has_twelve_months(plie):
    svg = str(bilan_context(bilan_annuel(plie, 2016))["accompagnement"]["graphique"])
    assert svg.count('class="barre"') == 12
    assert ">janv.<" in svg and ">déc.<" in svg


# --- Command -------------------------------------------------------------------------------------------


def test_command_writes_a_pdf(plie, tmp_path):
    path = tmp_path / "bilan.pdf"
    stderr = io.StringIO()
    call_command(
        "bilan",
        "--plie",
        "plie-pdf",
        "--annee",
        "2016",
        "--format",
        "pdf",
        "--output",
        str(path),
        stderr=stderr,
    )
    content = path.read_bytes()
    assert content.startswith(b"%PDF")
    text, _ = texte(content)
    assert "En parcours au 31/12/2016 2" in text
    assert "écrit dans" in stderr.getvalue()


def test_command_pdf_without_output_writes_bilan_plie_annee_pdf(plie, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    stderr = io.StringIO()
    call_command("bilan", "--plie", "plie-pdf", "--annee", "2016", "--format", "pdf", stderr=stderr)
    assert (tmp_path / "bilan-plie-pdf-2016.pdf").read_bytes().startswith(b"%PDF")
    assert "écrit dans bilan-plie-pdf-2016.pdf (nom par défaut" in stderr.getvalue()
