"""Bar charts rendered server-side as SVG strings (inlined in pages and in the bilan's PDF: no
JavaScript, no network). Plain functions: data in, an ``<svg>`` element out. Every text (labels,
title, values) is escaped; bars are scaled to the largest value (a chart of zeros draws no bar).

``formater`` turns a value into its printed form (the PDF passes French number formatting).

Readable at their drawn size (the design system, ``docs/design.md``): labels and values are
:data:`TAILLE_TEXTE` px, the title :data:`TAILLE_TITRE` px, nothing below :data:`TAILLE_MIN`
(11 px); the CSS scales a chart down only when its column is narrower than it."""

from html import escape

POLICE = "DejaVu Sans, Liberation Sans, sans-serif"
COULEUR = "#1d3f72"
GRIS = "#4f5866"
TRAIT = "#d3d8df"
TAILLE_MIN = 11
TAILLE_TEXTE = 12
TAILLE_TITRE = 14
LARGEUR_VALEURS = 56


def _texte(x, y, texte, *, taille=TAILLE_TEXTE, ancre="start", couleur=GRIS, gras=False):
    poids = ' font-weight="bold"' if gras else ""
    return (
        f'<text x="{x:.1f}" y="{y:.1f}" font-size="{taille}" text-anchor="{ancre}" fill="{couleur}"'
        f"{poids}>{escape(str(texte))}</text>"
    )


def _libelle_bas(x, y, texte, largeur_dispo, taille=TAILLE_MIN):
    """A label under a bar, on two lines (« janv. » / « 26 ») when one would overlap its
    neighbours (about 0.6 em a character); every line escaped."""
    texte = str(texte)
    if len(texte) * taille * 0.6 <= largeur_dispo or " " not in texte:
        return _texte(x, y, texte, taille=taille, ancre="middle")
    haut, bas = texte.rsplit(" ", 1)
    return (
        f'<text x="{x:.1f}" y="{y:.1f}" font-size="{taille}" text-anchor="middle" fill="{GRIS}">'
        f'<tspan x="{x:.1f}">{escape(haut)}</tspan>'
        f'<tspan x="{x:.1f}" dy="{taille + 1}">{escape(bas)}</tspan></text>'
    )


def _echelle(valeurs, longueur):
    """The length of each bar: proportional to its value, the largest one ``longueur`` long; a
    value that is no number (« < 5 », withheld) draws no bar, its text only."""
    nombres = [v if isinstance(v, int | float) and not isinstance(v, bool) and v > 0 else 0 for v in valeurs]
    maximum = max(nombres, default=0)
    return [(v / maximum * longueur if maximum and v else 0.0) for v in nombres]


def barres_horizontales(
    donnees, *, titre="", largeur=480, hauteur_barre=20, largeur_libelle=190, formater=str, couleurs=None
):
    """A horizontal bar chart: ``donnees`` is a list of ``(libelle, valeur)``; ``couleurs`` an
    optional list (one colour per bar). Returns an SVG string."""
    donnees = list(donnees)
    espace = 6
    haut = 26 if titre else 4
    largeur_valeurs = LARGEUR_VALEURS
    longueur = max(largeur - largeur_libelle - largeur_valeurs, 10)
    hauteur = haut + len(donnees) * (hauteur_barre + espace) + 4
    longueurs = _echelle([v for _, v in donnees], longueur)
    parties = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="graphique" width="{largeur}" height="{hauteur}" '
        f'viewBox="0 0 {largeur} {hauteur}" font-family="{POLICE}" role="img" aria-label="{escape(titre)}">'
    ]
    if titre:
        parties.append(_texte(0, 15, titre, taille=TAILLE_TITRE, couleur=COULEUR, gras=True))
    for i, ((libelle, valeur), lon) in enumerate(zip(donnees, longueurs, strict=True)):
        y = haut + i * (hauteur_barre + espace)
        couleur = couleurs[i] if couleurs else COULEUR
        milieu = y + hauteur_barre / 2 + TAILLE_TEXTE * 0.35
        parties.append(_texte(largeur_libelle - 6, milieu, libelle, ancre="end", couleur="#1e2329"))
        parties.append(
            f'<rect class="barre" x="{largeur_libelle}" y="{y}" width="{lon:.1f}" height="{hauteur_barre}" '
            f'fill="{couleur}"/>'
        )
        parties.append(_texte(largeur_libelle + lon + 4, milieu, formater(valeur), couleur="#1e2329"))
    parties.append(
        f'<line x1="{largeur_libelle}" y1="{haut - 2}" x2="{largeur_libelle}" y2="{hauteur - 2}" '
        f'stroke="{GRIS}" stroke-width="0.6"/>'
    )
    parties.append("</svg>")
    return "".join(parties)


def barres_mensuelles(
    donnees, *, titre="", largeur=480, hauteur_graphique=140, formater=str, couleur=COULEUR
):
    """A vertical bar chart by month: ``donnees`` is a list of ``(mois, valeur)`` (``mois`` the
    printed label, « janv. »…). Returns an SVG string."""
    donnees = list(donnees)
    haut = 26 if titre else 16
    pas = largeur / max(len(donnees), 1)
    deux_lignes = any(
        len(str(mois)) * TAILLE_MIN * 0.6 > pas * 0.95 and " " in str(mois) for mois, _ in donnees
    )
    bas = 20 + (TAILLE_MIN + 1 if deux_lignes else 0)
    hauteur = haut + hauteur_graphique + bas
    epaisseur = pas * 0.62
    hauteurs = _echelle([v for _, v in donnees], hauteur_graphique - 12)
    base = haut + hauteur_graphique
    parties = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="graphique" width="{largeur}" height="{hauteur}" '
        f'viewBox="0 0 {largeur} {hauteur}" font-family="{POLICE}" role="img" aria-label="{escape(titre)}">'
    ]
    if titre:
        parties.append(_texte(0, 15, titre, taille=TAILLE_TITRE, couleur=COULEUR, gras=True))
    for i, ((mois, valeur), h) in enumerate(zip(donnees, hauteurs, strict=True)):
        centre = i * pas + pas / 2
        gauche = centre - epaisseur / 2
        parties.append(
            f'<rect class="barre" x="{gauche:.1f}" y="{base - h:.1f}" width="{epaisseur:.1f}" '
            f'height="{h:.1f}" fill="{couleur}"/>'
        )
        parties.append(
            _texte(
                centre, base - h - 3, formater(valeur), taille=TAILLE_MIN, ancre="middle", couleur="#1e2329"
            )
        )
        parties.append(_libelle_bas(centre, base + 15, mois, pas * 0.95))
    parties.append(
        f'<line x1="0" y1="{base}" x2="{largeur}" y2="{base}" stroke="{GRIS}" stroke-width="0.6"/>'
    )
    parties.append("</svg>")
    return "".join(parties)
