"""The bilan's tables cross-checked against each other on one hand-built year: every total that
two tables both give is the same (issue 13, item 8). A table whose query is wrong (the « étape
principale » column showing 1 in every category) breaks one of these equalities."""

import pytest

from parcours.enums import CategorieEtape as E
from parcours.enums import CategorieSortie as C
from reporting.bilan import SANS_ETAPE, bilan_annuel
from reporting.exports import tableaux
from tests.factories import PlieFactory, UserFactory
from tests.parcours.factories import EtapeFactory, TypeEtapeFactory
from tests.reporting.conftest import D, make_parcours

# The breakdowns whose values split the participants (each one counted in exactly one value);
# « tranche_age » does not: « 45 ans et plus » includes « plus de 54 ans ».
PARTITIONS = ("sexe", "th", "deld", "brsa", "qpv", "niveau_formation", "referent", "prescripteur")


def etape(parcours, categorie, debut, fin=None):
    return EtapeFactory(
        parcours=parcours,
        type=TypeEtapeFactory(code=f"test-{categorie}", categorie=categorie),
        date_debut=debut,
        date_fin=fin,
    )


@pytest.fixture
def bilan(db):
    plie = PlieFactory(code="plie-coherence")
    marie, paul = UserFactory(first_name="Marie"), UserFactory(first_name="Paul")
    freins = []
    # five people whose main étape is « levée de freins », entered in 2015 or 2016, women and men
    for i in range(5):
        p = make_parcours(
            plie, D(2015 + i % 2, 3 + i, 1), sexe="F" if i % 2 else "M", referent=marie if i < 3 else paul
        )
        etape(p, E.LEVEE_FREINS, D(2016, 1, 10), D(2016, 10, 31))
        etape(p, E.MOBILISATION, D(2016, 11, 1))  # shorter in 2016: not the main one
        freins.append(p)
    # two whose main étape is mobilisation, one exited in employment, one abandon
    p = make_parcours(plie, D(2016, 2, 1), D(2016, 9, 30), C.EMPLOI_DURABLE, sexe="F", referent=paul)
    etape(p, E.MOBILISATION, D(2016, 2, 1), D(2016, 6, 30))
    etape(p, E.EMPLOI_DURABLE, D(2016, 7, 1), D(2016, 9, 30))
    p = make_parcours(plie, D(2015, 6, 1), D(2016, 4, 15), C.ABANDON, sexe="M", referent=marie)
    etape(p, E.MOBILISATION, D(2015, 6, 1))
    # exits of every other kind, without étape
    make_parcours(plie, D(2015, 1, 5), D(2016, 5, 31), C.QUALIFIANTE, sexe="F", referent=paul)
    make_parcours(plie, D(2016, 1, 5), D(2016, 8, 31), C.POSITIVE_AUTRE, sexe="M", referent=paul)
    make_parcours(plie, D(2015, 9, 1), D(2016, 3, 31), C.NEUTRALISEE, sexe="F")
    make_parcours(plie, D(2016, 4, 1), D(2016, 12, 31), C.AUTRE, sexe="M", referent=marie)
    make_parcours(plie, D(2016, 5, 1), D(2016, 11, 30), C.EMPLOI_DURABLE, validee=False, sexe="F")
    make_parcours(plie, D(2016, 6, 1), sexe="M", referent=paul)  # in parcours, no étape
    make_parcours(plie, D(2014, 1, 1), D(2015, 12, 31), C.ABANDON, sexe="F")  # out before 2016
    return bilan_annuel(plie, 2016)


def test_participants_by_main_etape_sum_to_participants_with_an_etape(bilan):
    etapes = bilan["etapes"]
    principale = etapes["categorie_principale"]
    assert principale[E.LEVEE_FREINS] == 5  # not 1: every participant is counted
    assert principale[E.MOBILISATION] == 2
    avec_etape = sum(n for categorie, n in principale.items() if categorie != SANS_ETAPE)
    assert avec_etape == etapes["participants_avec_etape"] == 7
    assert avec_etape + principale[SANS_ETAPE] == etapes["participants"]
    assert etapes["participants"] == bilan["flux"]["en_parcours_annee"]
    # a participant counted under a main category had an étape of that category in the year
    for categorie, n in principale.items():
        if categorie != SANS_ETAPE:
            assert n <= etapes["par_categorie"][categorie]["participants"], categorie


def test_flow_table_adds_up(bilan):
    flux = bilan["flux"]
    positives, sans_suite = flux["sorties_positives"], flux["sorties_sans_suite"]
    sorties = positives["total"] + sans_suite["total"]
    assert flux["en_parcours_annee"] == flux["en_parcours_debut"] + flux["entrees"]
    assert flux["en_parcours_debut"] + flux["entrees"] - sorties == flux["en_parcours_fin"]
    assert positives["total"] == sum(v for k, v in positives.items() if k in PARTIES_POSITIVES)
    assert sans_suite["total"] == sum(v for k, v in sans_suite.items() if k in PARTIES_SANS_SUITE)
    assert (flux["en_parcours_debut"], flux["entrees"], sorties, flux["en_parcours_fin"]) == (6, 7, 7, 6)


PARTIES_POSITIVES = ("emploi_durable", "qualifiante", "autres")
PARTIES_SANS_SUITE = ("abandons", "neutralisees", "autres")


@pytest.mark.parametrize("dimension", PARTITIONS)
def test_each_breakdown_sums_to_the_flow_table(bilan, dimension):
    flux = bilan["flux"]
    valeurs = bilan["repartitions"][dimension].values()
    total = {k: sum(v[k] for v in valeurs) for k in ("entrees", "sorties", "sorties_positives", "abandons")}
    assert total == {
        "entrees": flux["entrees"],
        "sorties": flux["sorties_positives"]["total"] + flux["sorties_sans_suite"]["total"],
        "sorties_positives": flux["sorties_positives"]["total"],
        "abandons": flux["sorties_sans_suite"]["abandons"],
    }


def test_women_and_men_make_the_total(bilan):
    sexe = bilan["repartitions"]["sexe"]
    assert sexe["F"]["entrees"] + sexe["M"]["entrees"] == bilan["flux"]["entrees"]
    sorties = bilan["flux"]["sorties_positives"]["total"] + bilan["flux"]["sorties_sans_suite"]["total"]
    assert sexe["F"]["sorties"] + sexe["M"]["sorties"] == sorties


def test_rates_agree_with_the_flow_table(bilan):
    flux, taux = bilan["flux"], bilan["taux"]
    sorties = flux["sorties_positives"]["total"] + flux["sorties_sans_suite"]["total"]
    assert taux["sorties_positives_sur_sorties"] == flux["sorties_positives"]["total"] / sorties
    assert taux["abandons_sur_sorties"] == flux["sorties_sans_suite"]["abandons"] / sorties


def test_exported_tables_carry_the_same_totals(bilan):
    par_titre = {t.titre: t for t in tableaux(bilan)}
    flux = {ligne[0]: ligne[1] for ligne in par_titre["Flux annuel"].lignes}
    assert flux["En parcours en 2016"] == bilan["etapes"]["participants"]
    etapes = par_titre["Étapes par catégorie"].lignes
    assert sum(ligne[4] for ligne in etapes) == flux["En parcours en 2016"]
