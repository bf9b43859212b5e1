"""The annual bilan as files: JSON, CSV (UTF-8 with BOM, « ; », the tables one after the other)
and XLSX (one sheet per table), all with French headers, all from the same :func:`tableaux`.

Rates are written unrounded (the XLSX shows them as percentages); an unknown rate (denominator
0) is an empty cell."""

import json
from dataclasses import dataclass

from operations.indicateurs_fse import ENTREE as ENTREE_FSE
from operations.indicateurs_fse import SORTIE as SORTIE_FSE
from operations.indicateurs_fse import lignes_six_mois
from parcours.enums import CategorieEtape, CategorieSortie, ModeEntretien
from participants.enums import NiveauFormation, Sexe
from plie.core.writers import XlsxWriter, csv_bytes

LIBELLES_DIMENSIONS = {
    "sexe": "Sexe",
    "tranche_age": "Âge à l'entrée",
    "th": "Travailleur handicapé (TH)",
    "deld": "Demandeur d'emploi de longue durée (DELD)",
    "brsa": "Bénéficiaire du RSA (BRSA)",
    "qpv": "Résident d'un quartier prioritaire (QPV)",
    "niveau_formation": "Niveau de formation",
    "referent": "Référent",
    "prescripteur": "Prescripteur",
}
LIBELLES_VALEURS = {
    **dict(Sexe.choices),
    "moins_26": "Moins de 26 ans",
    "26_44": "26 à 44 ans",
    "45_plus": "45 ans et plus",
    "plus_54": "Plus de 54 ans",
    "oui": "Oui",
    "non": "Non",
    "inconnu": "Non renseigné",
    **dict(NiveauFormation.choices),
}
LIBELLES_ETAPES = {**dict(CategorieEtape.choices), "sans_etape": "Sans étape"}
LIBELLES_MODES = dict(ModeEntretien.choices)
LIBELLES_CATEGORIES_SORTIE = {
    **dict(CategorieSortie.choices),
    "non_validee": "Sortie positive non encore validée, ou sans type (comptée sans suite)",
}

FORMAT_POURCENTAGE = "0.0%"
FORMAT_DECIMAL = "0.00"


@dataclass(frozen=True)
class Tableau:
    """One table of the bilan: a title (the XLSX sheet's name), French headers, rows, and the
    indexes of the columns holding rates (shown as percentages) or other decimals. A column
    holds one kind of number: a rate and a duration never share a column (a duration formatted
    as a percentage reads « 2306,4 % »)."""

    titre: str
    entetes: tuple
    lignes: list
    colonnes_taux: tuple = ()
    colonnes_decimales: tuple = ()


def _compteurs_repartition(valeur):
    return [
        valeur["entrees"],
        valeur["sorties"],
        valeur["sorties_positives"],
        valeur["abandons"],
        valeur["taux_sorties_positives"],
        valeur["taux_abandons"],
    ]


def _intensite(valeur):
    return [
        valeur["participants_mois"],
        valeur["entretiens"],
        valeur["entretiens_par_participant_par_mois"],
        valeur["sans_contact_mois"],
        valeur["part_sans_contact"],
    ]


def tableaux(bilan):
    """The bilan's tables, in the order of the document."""
    return _tableaux_parcours(bilan) + tableaux_operations(bilan)


def _tableaux_parcours(bilan):
    annee = bilan["annee"]
    flux = bilan["flux"]
    positives, sans_suite = flux["sorties_positives"], flux["sorties_sans_suite"]
    taux = bilan["taux"]
    etapes = bilan["etapes"]
    accompagnement = etapes["accompagnement"]
    return [
        Tableau(
            "Flux annuel",
            ("Indicateur", "Participants"),
            [
                [f"En parcours au 31/12/{annee - 1}", flux["en_parcours_debut"]],
                [f"Entrées en {annee}", flux["entrees"]],
                [f"En parcours en {annee}", flux["en_parcours_annee"]],
                [f"Sorties positives en {annee}", positives["total"]],
                ["dont emploi durable", positives["emploi_durable"]],
                ["dont sortie qualifiante", positives["qualifiante"]],
                ["dont autres sorties positives", positives["autres"]],
                [f"Sorties sans suite en {annee}", sans_suite["total"]],
                ["dont abandons", sans_suite["abandons"]],
                ["dont déménagements, décès, retraites (neutralisées)", sans_suite["neutralisees"]],
                ["dont autres (y compris réorientations)", sans_suite["autres"]],
                [f"En parcours au 31/12/{annee}", flux["en_parcours_fin"]],
            ],
        ),
        Tableau(
            "Sorties par catégorie",
            ("Catégorie de sortie du PLIE", "Sorties"),
            [
                [LIBELLES_CATEGORIES_SORTIE.get(categorie, categorie), nombre]
                for categorie, nombre in flux["sorties_par_categorie"].items()
            ],
        ),
        Tableau(
            "Taux et durée",
            ("Indicateur", "Taux", "Durée (mois)", "Définition"),
            [
                *(
                    [libelle, valeur, None, definition]
                    for libelle, valeur, definition in lignes_taux(taux, f"entrées de {annee}")
                ),
                [
                    "Durée moyenne des parcours (mois)",
                    None,
                    bilan["duree_moyenne_parcours_mois"],
                    f"de l'entrée à la sortie, participants sortis en {annee}",
                ],
            ],
            # one number format per column kind: rates as percentages, the duration in months
            colonnes_taux=(1,),
            colonnes_decimales=(2,),
        ),
        Tableau(
            "Répartitions",
            (
                "Dimension",
                "Valeur",
                "Entrées",
                "Sorties",
                "Sorties positives",
                "Abandons",
                "Taux de sorties positives",
                "Taux d'abandons",
            ),
            [
                [
                    LIBELLES_DIMENSIONS[dimension],
                    LIBELLES_VALEURS.get(cle, cle),
                    *_compteurs_repartition(valeur),
                ]
                for dimension, valeurs in bilan["repartitions"].items()
                for cle, valeur in valeurs.items()
            ],
            colonnes_taux=(6, 7),
        ),
        Tableau(
            "Étapes",
            ("Indicateur", "Valeur"),
            [
                [f"Participants en parcours en {annee}", etapes["participants"]],
                ["Étapes en cours dans l'année", etapes["etapes"]],
                ["Étapes par participant", etapes["etapes_par_participant"]],
                ["Participants ayant eu au moins une étape", etapes["participants_avec_etape"]],
                [
                    "Emplois de parcours débutés (IAE, contrats aidés, CDD courts, intérim)",
                    etapes["emplois"]["emplois_de_parcours"],
                ],
                [
                    "Emplois durables débutés (non encore validés en sortie)",
                    etapes["emplois"]["emplois_durables"],
                ],
            ],
            colonnes_decimales=(1,),
        ),
        Tableau(
            "Étapes par catégorie",
            (
                "Catégorie d'étape",
                "Étapes en cours dans l'année",
                "Étapes débutées",
                "Participants concernés",
                "Participants (étape principale)",
            ),
            [
                [
                    LIBELLES_ETAPES[categorie],
                    ligne["etapes"],
                    ligne["debutees"],
                    ligne["participants"],
                    etapes["categorie_principale"][categorie],
                ]
                for categorie, ligne in etapes["par_categorie"].items()
            ]
            + [
                [
                    LIBELLES_ETAPES["sans_etape"],
                    None,
                    None,
                    None,
                    etapes["categorie_principale"]["sans_etape"],
                ]
            ],
        ),
        Tableau(
            "Accompagnement par mois",
            (
                "Mois",
                "Participants en parcours",
                "Entretiens",
                "Entretiens par participant",
                "Participants sans contact",
                "Part sans contact",
            ),
            [
                [
                    mois,
                    valeur["participants"],
                    valeur["entretiens"],
                    valeur["entretiens_par_participant"],
                    valeur["sans_contact"],
                    valeur["part_sans_contact"],
                ]
                for mois, valeur in accompagnement["par_mois"].items()
            ],
            colonnes_taux=(5,),
            colonnes_decimales=(3,),
        ),
        Tableau(
            "Accompagnement par référent",
            (
                "Référent",
                "Participants × mois en parcours",
                "Entretiens",
                "Entretiens par participant et par mois",
                "Participants × mois sans contact",
                "Part sans contact",
            ),
            [[referent, *_intensite(valeur)] for referent, valeur in accompagnement["par_referent"].items()]
            + [["Total", *_intensite(accompagnement["total"])]],
            colonnes_taux=(5,),
            colonnes_decimales=(3,),
        ),
        Tableau(
            "Entretiens par mode",
            ("Mode d'entretien", "Entretiens", "Entretiens par participant et par mois"),
            [
                [LIBELLES_MODES[mode], valeur["entretiens"], valeur["entretiens_par_participant_par_mois"]]
                for mode, valeur in accompagnement["par_mode"].items()
            ],
            colonnes_decimales=(2,),
        ),
    ]


def tableaux_operations(bilan):
    """The operations of the year (places, participants, occupancy), their results against
    targets and the FSE indicators — none when the bilan has no operation."""
    operations = bilan.get("operations") or []
    fse = bilan.get("fse") or {}
    result = []
    if operations:
        result.append(
            Tableau(
                "Opérations",
                (
                    "Code",
                    "Intitulé",
                    "Places",
                    "Participants",
                    "Objectif participants",
                    "Taux d'occupation moyen",
                    "Sorties",
                ),
                [
                    [
                        o["code"],
                        o["intitule"],
                        o["places"],
                        o["participants"],
                        o["objectif_participants"],
                        o["taux_occupation_moyen"],
                        o["sorties"],
                    ]
                    for o in operations
                ],
                colonnes_taux=(5,),
            )
        )
        result.append(
            Tableau(
                "Résultats des opérations",
                ("Opération", "Catégorie de sortie", "Sorties", "Part des sorties", "Objectif", "Écart"),
                [
                    [o["code"], c["libelle"], c["nombre"], c["taux"], c["objectif"], c["ecart"]]
                    for o in operations
                    for c in o["resultats"]
                ],
                colonnes_taux=(3, 4, 5),
            )
        )
    if fse:
        long_terme, situations = lignes_six_mois(fse)
        result.append(
            Tableau(
                "Indicateurs FSE",
                ("Moment", "Indicateur", "Participants"),
                [["Entrée", libelle, fse["entree"][cle]] for cle, libelle in ENTREE_FSE]
                + [["Sortie", libelle, fse["sortie"][cle]] for cle, libelle in SORTIE_FSE]
                + [["Six mois après la sortie", libelle, valeur] for libelle, valeur in long_terme]
                + [["Situation à six mois", libelle, valeur] for libelle, valeur in situations],
            )
        )
    return result


def _plie(bilan):
    plie = bilan["plie"]
    return plie if isinstance(plie, str) else ", ".join(plie)


def nom_fichier(bilan, extension):
    plie = bilan["plie"] if isinstance(bilan["plie"], str) else "-".join(bilan["plie"])
    return f"bilan-{plie}-{bilan['annee']}.{extension}"


def export_json(bilan):
    return json.dumps(bilan, ensure_ascii=False, indent=2).encode()


def lignes_taux(taux, entrees):
    """The four rates of ``reporting.indicateurs.taux_du_flux`` with their definitions, for a
    table; ``entrees`` names the denominator of the rate over entries (« entrées de 2025 »)."""
    return [
        [
            "Taux de sorties positives",
            taux["sorties_positives_sur_sorties"],
            "sorties positives / total des sorties",
        ],
        [
            "Taux de sorties positives hors sorties neutralisées",
            taux["sorties_positives_hors_neutralisees"],
            "sorties positives / (sorties − déménagements, décès, retraites)",
        ],
        [
            "Taux de sorties positives hors sorties neutralisées par le PLIE",
            taux["sorties_positives_hors_neutralisees_plie"],
            "sorties positives / (sorties − sorties de catégorie « neutralisée » du référentiel du PLIE, "
            "dont incarcérations et maternités) : taux propre au PLIE, non national",
        ],
        [
            "Taux de sorties positives sur les entrées",
            taux["sorties_positives_sur_entrees"],
            f"sorties positives / {entrees}",
        ],
        ["Taux d'abandons", taux["abandons_sur_sorties"], "abandons / total des sorties"],
    ]


def tableaux_csv(tableaux, *, titre_tableau, en_tete=None):
    """UTF-8 with a BOM (so that Excel reads the accents), « ; » separated: optional document
    title lines (``en_tete``: a line or a list of lines: the title, the counting rule, the
    closure), then for each table its title line, its header line, its rows and an empty line.
    Written by :class:`plie.core.writers.CsvWriter` (texts neutralised, decimal comma)."""

    def rows():
        if en_tete:
            for ligne in [en_tete] if isinstance(en_tete, str) else en_tete:
                yield [ligne]
            yield []
        for tableau in tableaux:
            yield [titre_tableau(tableau)]
            yield tableau.entetes
            yield from tableau.lignes
            yield []

    return csv_bytes(rows())


def tableaux_xlsx(tableaux, *, titre, en_tete=()):
    """One sheet per table, headers in bold and frozen, rates as percentages, fitted widths.
    ``en_tete``: lines (the title, the counting rule, the closure) written first on a sheet
    « Règle de comptage », the report's face."""
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    writer = XlsxWriter(title=titre)
    if en_tete:
        sheet = writer.sheet("Règle de comptage")
        writer.append(sheet, [titre], font=Font(bold=True))
        for ligne in en_tete:
            writer.append(sheet, [ligne], alignment=Alignment(wrap_text=True, vertical="top"))
        sheet.column_dimensions["A"].width = 120
    for tableau in tableaux:
        sheet = writer.sheet(tableau.titre)
        writer.append(sheet, tableau.entetes, font=Font(bold=True))
        for ligne in tableau.lignes:
            writer.append(sheet, ligne)
        for column in tableau.colonnes_taux:
            for (cell,) in sheet.iter_rows(min_row=2, min_col=column + 1, max_col=column + 1):
                cell.number_format = FORMAT_POURCENTAGE
        for column in tableau.colonnes_decimales:
            for (cell,) in sheet.iter_rows(min_row=2, min_col=column + 1, max_col=column + 1):
                if isinstance(cell.value, float):
                    cell.number_format = FORMAT_DECIMAL
        for index, entete in enumerate(tableau.entetes, start=1):
            width = max([len(str(entete)), *(len(str(ligne[index - 1] or "")) for ligne in tableau.lignes)])
            sheet.column_dimensions[get_column_letter(index)].width = min(max(width + 2, 10), 60)
        sheet.freeze_panes = "A2"
    return writer.content()


def lignes_face(rapport):
    """The lines printed on a report's face after its title: its counting rule
    (``reporting.regles_comptage``) and, for a closed period, which stored version it is."""
    lignes = [f"Règle de comptage : {rapport['regle']}"] if rapport.get("regle") else []
    cloture = rapport.get("cloture")
    if cloture:
        lignes.append(
            f"Période clôturée — version {cloture['version']} du {cloture['cloturee_le_texte']} "
            f"par {cloture['cloturee_par']} (empreinte {cloture['empreinte'][:12]})."
        )
    return lignes


def export_csv(bilan):
    return tableaux_csv(
        tableaux(bilan),
        titre_tableau=lambda tableau: f"{tableau.titre} — {_plie(bilan)} — {bilan['annee']}",
        en_tete=lignes_face(bilan),
    )


def export_xlsx(bilan):
    return tableaux_xlsx(
        tableaux(bilan), titre=f"Bilan {bilan['annee']} — {_plie(bilan)}", en_tete=lignes_face(bilan)
    )


EXPORTS = {
    "json": (export_json, "application/json"),
    "csv": (export_csv, "text/csv; charset=utf-8"),
    "xlsx": (export_xlsx, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
}
