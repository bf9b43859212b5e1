"""The SVG charts (``plie.core.charts``): text escaped, bars scaled to the largest value."""

import re

import pytest

from plie.core import charts


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
        [("a", 10), ("b", 5), ("c", 0)],
        largeur=400,
        largeur_libelle=100,
        formater=lambda valeur: f"{valeur} u",
    )
    longueur = 400 - 100 - charts.LARGEUR_VALEURS
    assert _largeurs(svg) == [pytest.approx(longueur), pytest.approx(longueur / 2), 0.0]


def test_bars_of_zeros_draw_nothing():
    assert _largeurs(charts.barres_horizontales([("a", 0), ("b", 0)])) == [0.0, 0.0]
    assert _hauteurs(charts.barres_mensuelles([("janv.", 0), ("févr.", 0)])) == [0.0, 0.0]


def test_monthly_bars_scale_and_escape():
    svg = charts.barres_mensuelles(
        [("janv.", 4), ("févr.", 2), ("<mars>", 1)],
        hauteur_graphique=112,
        formater=lambda valeur: f"{valeur} u",
    )
    assert _hauteurs(svg) == [pytest.approx(100), pytest.approx(50), pytest.approx(25)]
    assert "&lt;mars&gt;" in svg and "<mars>" not in svg
    assert svg.count('class="barre"') == 3


def test_values_are_printed_by_the_formatter():
    svg = charts.barres_horizontales([("a", 7)], formater=lambda valeur: f"{valeur} u")
    assert ">7 u<" in svg


@pytest.mark.parametrize(
    "svg",
    [
        charts.barres_horizontales([("Emploi durable", 12), ("Abandons", 3)], titre="Sorties"),
        charts.barres_mensuelles([("janv.", 4), ("févr.", 2)], titre="Entrées"),
    ],
    ids=["horizontales", "mensuelles"],
)
def test_every_text_is_readable(svg):
    """No label, value or title below 11 px (the design system, docs/design.md); the title larger."""
    tailles = [float(t) for t in re.findall(r'<text [^>]*font-size="([\d.]+)"', svg)]
    assert len(tailles) == svg.count("<text ")
    assert min(tailles) >= charts.TAILLE_MIN == 11
    assert max(tailles) == charts.TAILLE_TITRE > charts.TAILLE_TEXTE


def test_month_labels_too_wide_for_their_bar_go_on_two_lines():
    douze = [(f"{mois} 26", 1) for mois in ("janv.", "févr.", "mars", "avr.", "mai", "juin", "juil.", "août")]
    svg = charts.barres_mensuelles(douze * 1 + douze[:4], largeur=520)
    assert '<tspan x="21.7">janv.</tspan><tspan x="21.7" dy="12">26</tspan>' in svg
    court = charts.barres_mensuelles([("janv. 26", 1), ("févr. 26", 2)], largeur=520)
    assert "<tspan" not in court and ">janv. 26</text>" in court
