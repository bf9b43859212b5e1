"""After an import, the annual bilan gives the figures one computes by hand from the file."""

from parcours.importation.regles import faits_situation
from reporting.bilan import bilan_annuel
from tests.parcours.importation.helpers import csv_bytes, ligne, run

C = (
    "identifiant",
    "sexe",
    "date_naissance",
    "date_entree",
    "date_sortie",
    "type_sortie",
    "niveau_formation",
    "brsa",
    "deld",
    "th",
    "qpv",
)
FICHIER = [
    ("A", "F", "01/01/1990", "01/03/2022", "10/04/2023", "CDI", "2c", "", "", "", ""),
    ("A", "F", "01/01/1990", "15/01/2024", "", "", "2c", "", "", "", ""),
    ("B", "M", "01/01/1980", "01/06/2022", "", "", "", "", "", "", ""),
    ("C", "F", "05/05/2000", "01/02/2023", "30/11/2023", "ABANDON", "VI", "oui", "oui", "non", "oui"),
    ("D", "M", "01/01/1970", "01/06/2023", "", "", "2a", "oui", "non", "oui", "non"),
    ("E", "F", "01/01/1995", "01/09/2023", "10/01/2024", "FORMATION_QUALIFIANTE", "IV", "non", "", "", "oui"),
    ("F", "M", "01/01/1960", "01/01/2021", "31/12/2022", "DEMENAGEMENT", "", "", "", "", ""),
    ("G", "F", "01/01/1985", "01/03/2023", "01/08/2023", "DECES", "", "", "oui", "", ""),
]


def _import(world):
    rows = [ligne(nom=f"Nom{r[0]}", prenom="Test", **dict(zip(C, r, strict=True))) for r in FICHIER]
    resultat, compteurs = run(csv_bytes(rows), world.plie_a)
    assert resultat.valide, resultat.erreurs
    return compteurs


def test_the_bilan_of_the_imported_years_matches_the_file(world):
    _import(world)

    bilan = bilan_annuel(world.plie_a, 2023)

    # By hand, 2023: in parcours on 31/12/2022: A, B (F left on 31/12/2022); entries C, D, E, G;
    # exits: A (CDI, validated: emploi durable), C (abandon), G (décès: neutralised); E leaves in 2024.
    flux = bilan["flux"]
    assert (flux["en_parcours_debut"], flux["entrees"], flux["en_parcours_annee"]) == (2, 4, 6)
    assert flux["sorties_positives"] == {"total": 1, "emploi_durable": 1, "qualifiante": 0, "autres": 0}
    assert flux["sorties_sans_suite"] == {"total": 2, "abandons": 1, "neutralisees": 1, "autres": 0}
    assert flux["en_parcours_fin"] == 3

    # Entries of 2023 by category: C (F, deld oui, brsa oui, th non, qpv oui, VI → 2b), D (M, non,
    # oui, oui, non, 2a), E (F, ?, non, ?, oui, IV → 2c), G (F, oui, ?, ?, ?, ?)
    def entrees(dimension):
        return {k: v["entrees"] for k, v in bilan["repartitions"][dimension].items()}

    assert entrees("sexe") == {"F": 3, "M": 1}
    assert entrees("deld") == {"oui": 2, "non": 1, "inconnu": 1}
    assert entrees("brsa") == {"oui": 2, "non": 1, "inconnu": 1}
    assert entrees("th") == {"oui": 1, "non": 1, "inconnu": 2}
    assert entrees("qpv") == {"oui": 2, "non": 1, "inconnu": 1}
    assert entrees("niveau_formation") == {"2a": 1, "2b": 1, "2c": 1, "2d": 0, "inconnu": 1}
    assert bilan["repartitions"]["deld"]["oui"]["abandons"] == 1  # C

    bilan = bilan_annuel(world.plie_a, 2024)
    # 2024: B, D, E in parcours on 31/12/2023; A re-enters; E exits to a qualifying training.
    flux = bilan["flux"]
    assert (flux["en_parcours_debut"], flux["entrees"], flux["sorties_positives"]["qualifiante"]) == (3, 1, 1)
    assert flux["en_parcours_fin"] == 3


def test_facts_mapping():
    assert faits_situation(deld=True, brsa=None, th=None, niveau="")["duree_recherche_mois"] == 12
    assert faits_situation(deld=None, brsa=False, th=True, niveau="2d") == {
        "statut_emploi": "",
        "recherche_emploi": None,
        "duree_recherche_mois": None,
        "minima_sociaux": False,
        "beneficiaire_rsa": False,
        "handicap_reconnu": True,
        "niveau_formation": "2d",
    }
