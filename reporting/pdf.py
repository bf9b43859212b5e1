"""The annual bilan as a PDF for the comité de pilotage (WeasyPrint), from :func:`reporting.bilan.
bilan_annuel` (the JSON contract of issue 7): cover, flow table, rates with their definitions,
breakdowns, étapes and durations, intensity of accompaniment, charts (inline SVG from
:mod:`plie.core.charts`), « données et définitions ».

French typography: figures with a narrow no-break space between thousands (« 12 345 »), decimal
comma, « 42,3 % »; a rate whose denominator is 0 reads « non calculable ». Page numbers
« Page X / Y », table headers repeated on every page. WeasyPrint never reaches the network:
:class:`participants.pdf.StaticOnlyFetcher` serves ``static/`` and nothing else."""

from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.safestring import mark_safe
from weasyprint import HTML

from operations.indicateurs_fse import ENTREE, SORTIE, lignes_six_mois, realises_sur_dus
from parcours.pdf import NBSP, NNBSP, typo
from participants.pdf import STATIC_DIR, StaticOnlyFetcher
from plie.core import charts
from plie.core.dates import MOIS_COURTS, MOIS_LONGS
from plie.core.identite import embleme_png_data_uri
from plie.core.models import Structure
from reporting.exports import (
    LIBELLES_DIMENSIONS,
    LIBELLES_ETAPES,
    LIBELLES_MODES,
    LIBELLES_VALEURS,
    lignes_face,
)

NON_CALCULABLE = "non calculable"
VERT, VERT_CLAIR, VERT_PALE = "#1b5e20", "#4c8c4a", "#8fbf8c"
ORANGE, GRIS_MOYEN, GRIS_CLAIR = "#b5541c", "#7d8793", "#b4bcc6"


# --- French number formatting ------------------------------------------------------------------


def nombre(valeur, decimales=None):
    """``12345`` → « 12 345 » (narrow no-break space), ``1.825`` → « 1,83 » (``decimales``: 2 for
    floats unless told); ``None`` → « — »."""
    if valeur is None:
        return "—"
    if isinstance(valeur, str):  # « < 5 », « n.c. »: withheld (reporting.confidentialite)
        return valeur
    if isinstance(valeur, float) or decimales is not None:
        texte = f"{valeur:,.{2 if decimales is None else decimales}f}"
    else:
        texte = f"{valeur:,d}"
    return texte.replace(",", NNBSP).replace(".", ",")


def pourcentage(taux):
    """A rate 0..1 as « 42,3 % »; ``None`` (denominator 0) → « non calculable »."""
    if taux is None:
        return NON_CALCULABLE
    if isinstance(taux, str):
        return taux
    return f"{nombre(taux * 100, 1)}{NNBSP}%"


def _somme(*valeurs, signes=None):
    """``a + b`` (or with ``signes``), « n.c. » when a term is withheld (a masked small count)."""
    if any(isinstance(v, str) for v in valeurs):
        return "n.c."
    signes = signes or (1,) * len(valeurs)
    return sum(s * v for s, v in zip(signes, valeurs, strict=True))


def _mois(cle, longs=False):
    annee, mois = cle.split("-")
    return (MOIS_LONGS if longs else MOIS_COURTS)[int(mois) - 1] + ("" if not longs else f" {annee}")


# --- Context --------------------------------------------------------------------------------------


CATEGORIES_POSITIVES_PLIE = (
    ("emploi_durable", "emploi durable"),
    ("creation_entreprise", "création d'entreprise"),
    ("qualifiante", "sortie qualifiante"),
    ("positive_autre", "autres sorties positives"),
)


def _flux(bilan):
    annee, flux = bilan["annee"], bilan["flux"]
    positives, sans_suite = flux["sorties_positives"], flux["sorties_sans_suite"]
    lignes = [
        ("stock", f"En parcours au 31/12/{annee - 1}", flux["en_parcours_debut"]),
        ("", f"Entrées en {annee}", flux["entrees"]),
        ("total", f"En parcours en {annee} (stock + entrées)", flux["en_parcours_annee"]),
        ("total", f"Sorties positives en {annee}", positives["total"]),
        ("dont", "dont emploi durable", positives["emploi_durable"]),
        ("dont", "dont sortie qualifiante", positives["qualifiante"]),
        ("dont", "dont autres sorties positives", positives["autres"]),
        ("total", f"Sorties sans suite en {annee}", sans_suite["total"]),
        ("dont", "dont abandons", sans_suite["abandons"]),
        ("dont", "dont déménagements, décès, retraites (neutralisées)", sans_suite["neutralisees"]),
        ("dont", "dont autres (y compris réorientations)", sans_suite["autres"]),
        ("stock", f"En parcours au 31/12/{annee}", flux["en_parcours_fin"]),
        # the same positive exits by the PLIE's own category: création d'entreprise on its own
        # line (000 l.1653-1655 « 42 % en emploi, 5 % en formation, 1 % en création d'entreprise »)
        ("total", f"Sorties positives en {annee} par catégorie du PLIE", positives["total"]),
        *(
            ("dont", f"dont {libelle}", flux["sorties_par_categorie"][c])
            for c, libelle in CATEGORIES_POSITIVES_PLIE
        ),
    ]
    return [{"classe": classe, "libelle": libelle, "valeur": nombre(v)} for classe, libelle, v in lignes]


def _taux(bilan):
    annee, flux, taux = bilan["annee"], bilan["flux"], bilan["taux"]
    positives = flux["sorties_positives"]["total"]
    sans_suite = flux["sorties_sans_suite"]
    sorties = _somme(positives, sans_suite["total"])
    lignes = [
        (
            "Taux de sorties positives",
            taux["sorties_positives_sur_sorties"],
            "Sorties positives rapportées à l'ensemble des sorties de l'année.",
            (positives, sorties),
        ),
        (
            "Taux de sorties positives hors sorties neutralisées",
            taux["sorties_positives_hors_neutralisees"],
            "Sorties positives rapportées aux sorties, sans compter les déménagements, décès et "
            "retraites (sorties neutralisées).",
            (positives, _somme(sorties, sans_suite["neutralisees"], signes=(1, -1))),
        ),
        (
            "Taux de sorties positives hors sorties neutralisées par le PLIE",
            taux["sorties_positives_hors_neutralisees_plie"],
            "Taux propre au PLIE, non national : sans compter les sorties que son référentiel "
            "neutralise (catégorie « neutralisée », dont incarcérations et maternités).",
            (positives, _somme(sorties, flux["sorties_par_categorie"]["neutralisee"], signes=(1, -1))),
        ),
        (
            "Taux de sorties positives sur les entrées",
            taux["sorties_positives_sur_entrees"],
            f"Sorties positives de {annee} rapportées aux entrées de {annee}.",
            (positives, flux["entrees"]),
        ),
        (
            "Taux d'abandons",
            taux["abandons_sur_sorties"],
            "Abandons rapportés à l'ensemble des sorties de l'année.",
            (sans_suite["abandons"], sorties),
        ),
    ]
    return [
        {
            "libelle": libelle,
            "valeur": pourcentage(valeur),
            "calculable": valeur is not None and not isinstance(valeur, str),
            "definition": typo(definition),
            "calcul": f"{nombre(num)}{NNBSP}/{NNBSP}{nombre(den)}",
        }
        for libelle, valeur, definition, (num, den) in lignes
    ]


def _repartitions(bilan):
    sections = []
    for dimension, valeurs in bilan["repartitions"].items():
        lignes = [
            {
                "libelle": LIBELLES_VALEURS.get(cle, cle),
                "entrees": nombre(v["entrees"]),
                "sorties": nombre(v["sorties"]),
                "sorties_positives": nombre(v["sorties_positives"]),
                "abandons": nombre(v["abandons"]),
                "taux_sorties_positives": pourcentage(v["taux_sorties_positives"]),
                "taux_abandons": pourcentage(v["taux_abandons"]),
            }
            for cle, v in valeurs.items()
        ]
        sections.append(
            {
                "titre": LIBELLES_DIMENSIONS.get(dimension, dimension),
                "lignes": lignes,
                "note": (
                    "« 45 ans et plus » comprend « plus de 54 ans », détaillé à part."
                    if dimension == "tranche_age"
                    else ""
                ),
            }
        )
    return sections


def _etapes(bilan):
    etapes = bilan["etapes"]
    resume = [
        (f"Participants en parcours en {bilan['annee']}", nombre(etapes["participants"])),
        ("Étapes en cours dans l'année", nombre(etapes["etapes"])),
        ("Étapes par participant", nombre(etapes["etapes_par_participant"])),
        ("Participants ayant eu au moins une étape", nombre(etapes["participants_avec_etape"])),
        (
            "Emplois de parcours débutés (IAE, contrats aidés, CDD courts, intérim)",
            nombre(etapes["emplois"]["emplois_de_parcours"]),
        ),
        (
            "Emplois durables débutés (non encore validés en sortie)",
            nombre(etapes["emplois"]["emplois_durables"]),
        ),
        (
            "Durée moyenne des parcours des participants sortis",
            NON_CALCULABLE
            if bilan["duree_moyenne_parcours_mois"] is None
            else f"{nombre(bilan['duree_moyenne_parcours_mois'], 1)}{NBSP}mois",
        ),
    ]
    categories = [
        {
            "libelle": LIBELLES_ETAPES[categorie],
            "etapes": nombre(ligne["etapes"]),
            "debutees": nombre(ligne["debutees"]),
            "participants": nombre(ligne["participants"]),
            "principale": nombre(etapes["categorie_principale"][categorie]),
        }
        for categorie, ligne in etapes["par_categorie"].items()
    ]
    categories.append(
        {
            "libelle": LIBELLES_ETAPES["sans_etape"],
            "etapes": "",
            "debutees": "",
            "participants": "",
            "principale": nombre(etapes["categorie_principale"]["sans_etape"]),
        }
    )
    return resume, categories


def _intensite(libelle, v):
    return {
        "libelle": libelle,
        "participants_mois": nombre(v["participants_mois"]),
        "entretiens": nombre(v["entretiens"]),
        "par_participant": nombre(v["entretiens_par_participant_par_mois"]),
        "sans_contact": nombre(v["sans_contact_mois"]),
        "part_sans_contact": pourcentage(v["part_sans_contact"]),
    }


def _accompagnement(bilan):
    acc = bilan["etapes"]["accompagnement"]
    par_mois = [
        {
            "mois": _mois(cle, longs=True),
            "participants": nombre(v["participants"]),
            "entretiens": nombre(v["entretiens"]),
            "par_participant": nombre(v["entretiens_par_participant"]),
            "sans_contact": nombre(v["sans_contact"]),
            "part_sans_contact": pourcentage(v["part_sans_contact"]),
        }
        for cle, v in acc["par_mois"].items()
    ]
    return {
        "total": _intensite("Total", acc["total"]),
        "par_mois": par_mois,
        "par_referent": [_intensite(nom, v) for nom, v in acc["par_referent"].items()],
        "par_mode": [
            {
                "libelle": LIBELLES_MODES.get(mode, mode),
                "entretiens": nombre(v["entretiens"]),
                "par_participant": nombre(v["entretiens_par_participant_par_mois"]),
            }
            for mode, v in acc["par_mode"].items()
        ],
        "graphique": mark_safe(  # every text is escaped by plie.core.charts
            charts.barres_mensuelles(
                [(_mois(cle), v["entretiens"]) for cle, v in acc["par_mois"].items()],
                titre="Entretiens par mois",
                formater=nombre,
            )
        ),
    }


def _graphique_sorties(bilan):
    positives = bilan["flux"]["sorties_positives"]
    sans_suite = bilan["flux"]["sorties_sans_suite"]
    donnees = [
        ("Emploi durable", positives["emploi_durable"]),
        ("Sortie qualifiante", positives["qualifiante"]),
        ("Autres sorties positives", positives["autres"]),
        ("Abandons", sans_suite["abandons"]),
        ("Neutralisées", sans_suite["neutralisees"]),
        ("Autres sorties sans suite", sans_suite["autres"]),
    ]
    if any(isinstance(valeur, str) for _libelle, valeur in donnees):
        return ""  # a bar of height 2 is a count of 2: no chart when a count is withheld
    return mark_safe(  # every text is escaped by plie.core.charts
        charts.barres_horizontales(
            donnees,
            titre="Sorties de l'année par catégorie",
            formater=nombre,
            couleurs=[VERT, VERT_CLAIR, VERT_PALE, ORANGE, GRIS_MOYEN, GRIS_CLAIR],
        )
    )


def _operations(bilan):
    """Each operation of the year: places, participants, average occupancy and, per class of its
    nomenclature, the share of exits next to the target (``operations.selectors.bilan_operations``)."""
    lignes = []
    for operation in bilan.get("operations") or []:
        resultats = [
            {
                "libelle": classe["libelle"],
                "nombre": nombre(classe["nombre"]),
                "taux": pourcentage(classe["taux"]),
                "objectif": pourcentage(classe["objectif"]) if classe["objectif"] is not None else "—",
                "atteint": classe["atteint"],
                "total": classe["total"],
            }
            for classe in operation["resultats"]
        ]
        lignes.append(
            {
                "code": operation["code"],
                "intitule": operation["intitule"],
                "places": nombre(operation["places"]),
                "participants": nombre(operation["participants"]),
                "objectif_participants": nombre(operation["objectif_participants"]),
                "occupation": pourcentage(operation["taux_occupation_moyen"])
                if operation["places"]
                else NON_CALCULABLE,
                "sorties": nombre(operation["sorties"]),
                "resultats": resultats,
            }
        )
    return lignes


def _fse(bilan):
    """The FSE indicators as ``(libelle, valeur)`` lists (``operations.indicateurs_fse``)."""
    fse = bilan.get("fse") or {}
    if not fse:
        return {}
    long_terme, situations = lignes_six_mois(fse)
    return {
        "entree": [(libelle, nombre(fse["entree"][cle])) for cle, libelle in ENTREE],
        "sortie": [(libelle, nombre(fse["sortie"][cle])) for cle, libelle in SORTIE],
        "long_terme": [(libelle, nombre(valeur)) for libelle, valeur in long_terme],
        "situations": [(libelle, nombre(valeur)) for libelle, valeur in situations],
        "realises_sur_dus": realises_sur_dus(fse),
    }


def _noms_plie(bilan):
    """The PLIE's name(s) as printed; for one PLIE, the Structure itself (its logo on the header)."""
    codes = [bilan["plie"]] if isinstance(bilan["plie"], str) else list(bilan["plie"])
    plies = {
        plie.code: plie
        for plie in Structure.objects.plies().filter(code__in=codes).only("code", "nom", "logo")
    }
    noms = ", ".join(plies[code].nom if code in plies else code for code in codes)
    return (plies[codes[0]] if len(codes) == 1 and codes[0] in plies else noms), noms


def _marque(bilan, plie_nom):
    """``(marque, nom)``: what ``{% pdf_marque %}`` draws (a Structure or a name) and the name."""
    return (plie_nom, plie_nom) if plie_nom else _noms_plie(bilan)


def bilan_context(bilan, *, plie_nom=None, edite_le=None):
    """What the template shows, every figure already formatted the French way."""
    resume_etapes, categories = _etapes(bilan)
    flux = bilan["flux"]
    marque, plie_nom = _marque(bilan, plie_nom)
    return {
        "plie_nom": plie_nom,
        "plie_marque": marque,
        "plie_code": bilan["plie"] if isinstance(bilan["plie"], str) else ", ".join(bilan["plie"]),
        "annee": bilan["annee"],
        "annee_precedente": bilan["annee"] - 1,
        "edite_le": edite_le or timezone.localtime(),
        "embleme_ue": embleme_png_data_uri(),  # the running header's: embedded once, not per page
        "chiffres_cles": [
            ("Participants accompagnés", nombre(flux["en_parcours_annee"])),
            ("Entrées", nombre(flux["entrees"])),
            ("Sorties positives", nombre(flux["sorties_positives"]["total"])),
            ("Taux de sorties positives", pourcentage(bilan["taux"]["sorties_positives_sur_sorties"])),
        ],
        "flux": _flux(bilan),
        "taux": _taux(bilan),
        "graphique_sorties": _graphique_sorties(bilan),
        "repartitions": _repartitions(bilan),
        "etapes_resume": resume_etapes,
        "etapes_categories": categories,
        "accompagnement": _accompagnement(bilan),
        "operations": _operations(bilan),
        "fse": _fse(bilan),
        "lignes_face": lignes_face(bilan),  # the counting rule; the closed version, if any
        "secret_statistique": "< " in str(bilan),  # reporting.confidentialite was applied
    }


def render_bilan(bilan, *, plie_nom=None, edite_le=None):
    """The bilan (the dict of :func:`reporting.bilan.bilan_annuel`) as PDF bytes."""
    html = render_to_string(
        "reporting/bilan.html", bilan_context(bilan, plie_nom=plie_nom, edite_le=edite_le)
    )
    return HTML(string=html, base_url=STATIC_DIR.as_uri() + "/", url_fetcher=StaticOnlyFetcher()).write_pdf()


def mensuel_context(rapport, *, plie_nom=None, edite_le=None):
    """The monthly report's PDF context: its title, face lines (the counting rule; the closed
    version, if any) and its tables (``reporting.mensuel.tableaux``) formatted the French way."""
    from reporting import mensuel

    annee, mois = mensuel.lire_mois(rapport["mois"])
    tableaux = [
        {
            "titre": tableau.titre,
            "entetes": tableau.entetes,
            "lignes": [
                [
                    pourcentage(valeur)
                    if i in tableau.colonnes_taux
                    else (nombre(valeur) if isinstance(valeur, (int, float)) else valeur)
                    for i, valeur in enumerate(ligne)
                ]
                for ligne in tableau.lignes
            ],
        }
        for tableau in mensuel.tableaux(rapport)
    ]
    marque, plie_nom = _marque({"plie": rapport["plie"]}, plie_nom)
    return {
        "plie_nom": plie_nom,
        "plie_marque": marque,
        "titre": f"Reporting mensuel — {mensuel.libelle_mois(annee, mois)}",
        "provisoire": rapport["statut"] == "provisoire",
        "lignes_face": lignes_face(rapport),
        "tableaux": tableaux,
        "edite_le": edite_le or timezone.localtime(),
    }


def render_mensuel(rapport, **options):
    """The monthly report (the dict of :func:`reporting.mensuel.reporting_mensuel`, or a closed
    version of it) as PDF bytes."""
    html = render_to_string("reporting/mensuel_pdf.html", mensuel_context(rapport, **options))
    return HTML(string=html, base_url=STATIC_DIR.as_uri() + "/", url_fetcher=StaticOnlyFetcher()).write_pdf()
