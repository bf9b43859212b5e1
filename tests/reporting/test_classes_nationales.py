"""The national class of each exit type (issue 13, item 5): data on the exit type, with the
``001`` defaults, read by the flow table and the national rates.

- « Non-respect du contrat d'engagement » is not an abandon (abandons = leaving of one's own
  accord, ``001`` l.518-519): « autres » nationally;
- the rate « hors sorties neutralisées » neutralises only moves, deaths and retirements
  (``001`` l.514, l.521-529), not incarceration nor maternity;
- création d'entreprise has its own line by category (``000`` l.1653-1655)."""

import importlib

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError

from parcours.enums import CategorieSortie as C
from parcours.enums import ClasseNationale as N
from parcours.models import TypeSortie
from parcours.referentiels import (
    CLASSES_NATIONALES,
    TYPES_SORTIE,
    classe_nationale_par_defaut,
    type_sortie_save,
)
from plie.core.scoping import scope_for
from reporting.bilan import bilan_annuel
from tests.factories import PlieFactory
from tests.parcours.factories import ParcoursFactory, SortieFactory
from tests.reporting.conftest import D

# Every code of the default referential, its national class and the seed line behind it.
DEFAUTS = [
    ("CDI", N.EMPLOI_DURABLE),  # 001 l.499-501
    ("CDD_6M", N.EMPLOI_DURABLE),  # 001 l.499-501
    ("INTERIM_6M", N.EMPLOI_DURABLE),
    ("CONTRATS_SUCCESSIFS", N.EMPLOI_DURABLE),
    ("CREATION_ENTREPRISE", N.EMPLOI_DURABLE),  # docs/domaine.md §5; its own category (000 l.1653-1655)
    ("FORMATION_QUALIFIANTE", N.QUALIFIANTE),  # 001 l.501
    ("CONTRAT_AIDE", N.POSITIVE_AUTRE),  # 001 l.501
    ("CDD_ETTI", N.POSITIVE_AUTRE),  # IAE, like the aided contracts: 001 l.501
    ("AUTRE_POSITIVE", N.POSITIVE_AUTRE),
    ("ABANDON", N.ABANDON),  # 001 l.513, l.518-519
    ("NON_RESPECT_CONTRAT", N.AUTRE),  # not of one's own accord: 001 l.515-516
    ("DEMENAGEMENT", N.DEMENAGEMENT_DECES_RETRAITE),  # 001 l.514, l.521-529
    ("DECES", N.DEMENAGEMENT_DECES_RETRAITE),
    ("RETRAITE", N.DEMENAGEMENT_DECES_RETRAITE),
    ("INCARCERATION", N.AUTRE),  # neutralised by the PLIE only (docs/domaine.md §5)
    ("MATERNITE", N.AUTRE),
    ("REORIENTATION", N.AUTRE),  # 001 l.515-516
    ("SANTE", N.AUTRE),
    ("AUTRE", N.AUTRE),
]


def test_every_default_type_has_its_class():
    assert {code for code, *_ in TYPES_SORTIE} == {code for code, _ in DEFAUTS} == set(CLASSES_NATIONALES)


@pytest.mark.parametrize(("code", "classe"), DEFAUTS)
def test_default_class_of_each_default_type(db, code, classe):
    plie = PlieFactory()  # gets the default referential
    type_sortie = TypeSortie.objects.get(plie=plie, code=code)
    assert type_sortie.classe_nationale == classe
    assert classe_nationale_par_defaut(code, type_sortie.categorie) == classe


@pytest.mark.parametrize(
    ("categorie", "classe"),
    [
        (C.EMPLOI_DURABLE, N.EMPLOI_DURABLE),
        (C.CREATION_ENTREPRISE, N.EMPLOI_DURABLE),
        (C.QUALIFIANTE, N.QUALIFIANTE),
        (C.POSITIVE_AUTRE, N.POSITIVE_AUTRE),
        (C.ABANDON, N.ABANDON),
        (C.NEUTRALISEE, N.AUTRE),  # a PLIE's own neutralisation is not a national one
        (C.AUTRE, N.AUTRE),
    ],
)
def test_a_type_of_its_own_takes_the_class_of_its_category(categorie, classe):
    assert classe_nationale_par_defaut("CODE_DU_PLIE", categorie) == classe


def test_non_respect_is_not_an_abandon(db):
    assert {code: categorie for code, _l, categorie, *_ in TYPES_SORTIE}["NON_RESPECT_CONTRAT"] == C.AUTRE


def sortir(plie, code, sortie, *, validee=True):
    parcours = ParcoursFactory(participant__plie=plie, date_entree=D(2016, 1, 4), date_sortie=sortie)
    SortieFactory(
        parcours=parcours,
        type=TypeSortie.objects.get(plie=plie, code=code),
        date_sortie=sortie,
        validee=validee,
        date_validation=sortie if validee else None,
    )


@pytest.fixture
def annee(db):
    plie = PlieFactory(code="plie-classes")
    for code in ("CDI", "CREATION_ENTREPRISE", "FORMATION_QUALIFIANTE"):
        sortir(plie, code, D(2016, 9, 30))
    for code in ("ABANDON", "NON_RESPECT_CONTRAT", "DEMENAGEMENT", "DECES", "INCARCERATION", "MATERNITE"):
        sortir(plie, code, D(2016, 6, 30))
    return plie


def test_flow_table_reads_the_national_class(annee):
    bilan = bilan_annuel(annee, 2016)
    flux = bilan["flux"]
    assert flux["sorties_positives"] == {"total": 3, "emploi_durable": 2, "qualifiante": 1, "autres": 0}
    # non-respect, incarceration and maternity are « autres », not abandons nor neutralised
    assert flux["sorties_sans_suite"] == {"total": 6, "abandons": 1, "neutralisees": 2, "autres": 3}
    # création d'entreprise on its own line among the PLIE's categories
    assert flux["sorties_par_categorie"]["emploi_durable"] == 1
    assert flux["sorties_par_categorie"]["creation_entreprise"] == 1
    assert flux["sorties_par_categorie"]["neutralisee"] == 4  # the PLIE's own neutralisations
    assert flux["sorties_par_categorie"]["abandon"] == 1
    assert flux["sorties_par_categorie"]["autre"] == 1  # non-respect du contrat
    # 3 positive / (9 exits − 2 moves, deaths, retirements), not / (9 − 4)
    assert bilan["taux"]["sorties_positives_hors_neutralisees"] == 3 / 7
    assert bilan["taux"]["abandons_sur_sorties"] == 1 / 9


def test_creation_has_its_own_line_in_the_exports(annee):
    from reporting.exports import tableaux
    from reporting.pdf import _flux

    bilan = bilan_annuel(annee, 2016)
    par_categorie = {t.titre: t for t in tableaux(bilan)}["Sorties par catégorie"].lignes
    assert ["Positive — création d'entreprise", 1] in par_categorie
    assert {"classe": "dont", "libelle": "dont création d'entreprise", "valeur": "1"} in _flux(bilan)


def test_a_positive_category_needs_a_positive_class(world):
    with pytest.raises(ValidationError) as error:
        type_sortie_save(
            scope=scope_for(world.admin_a),
            plie=world.plie_a,
            code="CDI_BIS",
            libelle="CDI bis",
            categorie=C.EMPLOI_DURABLE,
            criteres=[],
            classe_nationale=N.AUTRE,
        )
    assert error.value.message_dict["classe_nationale"] == [
        "Une sortie positive se classe dans une classe positive de la consolidation nationale."
    ]
    saved = type_sortie_save(
        scope=scope_for(world.admin_a),
        plie=world.plie_a,
        code="INCARCERATION_LONGUE",
        libelle="Incarcération longue",
        categorie=C.NEUTRALISEE,
        criteres=[],
    )
    assert saved.classe_nationale == N.AUTRE  # by default; the administrateur may choose another


def test_the_data_migration_sets_classes_and_fixes_the_two_defaults(db, capsys):
    plie = PlieFactory()
    TypeSortie.objects.filter(plie=plie, code="NON_RESPECT_CONTRAT").update(
        categorie=C.ABANDON, classe_nationale=N.ABANDON
    )
    TypeSortie.objects.filter(plie=plie, code="CREATION_ENTREPRISE").update(categorie=C.EMPLOI_DURABLE)
    TypeSortie.objects.filter(plie=plie, code="DEMENAGEMENT").update(classe_nationale=N.AUTRE)
    migration = importlib.import_module("parcours.migrations.0008_classes_nationales_par_defaut")
    migration.set_classes(apps, None)
    types = {t.code: t for t in TypeSortie.objects.filter(plie=plie)}
    assert (types["NON_RESPECT_CONTRAT"].categorie, types["NON_RESPECT_CONTRAT"].classe_nationale) == (
        C.AUTRE,
        N.AUTRE,
    )
    assert types["CREATION_ENTREPRISE"].categorie == C.CREATION_ENTREPRISE
    assert types["DEMENAGEMENT"].classe_nationale == N.DEMENAGEMENT_DECES_RETRAITE
    assert "3 classés dans la consolidation nationale, dont 2 changés de catégorie" in capsys.readouterr().out
