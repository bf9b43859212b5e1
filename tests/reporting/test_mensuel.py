"""The monthly reporting on hand-built data: every figure is counted by hand in the test.
Time is frozen on 15/02/2017 (tests/reporting/conftest.py): January 2017 is over, February is
the current month (provisional), March has not begun."""

import datetime
import io

import pytest
from openpyxl import load_workbook

from parcours.enums import CategorieSortie as C
from parcours.models import TypeSortie
from reporting import mensuel
from reporting.mensuel import MoisInvalide, reporting_mensuel
from reporting.selectors import Perimetre
from tests.factories import PlieFactory
from tests.parcours.factories import ParcoursFactory
from tests.reporting.conftest import D, make_parcours


def perimetre(*plies):
    return Perimetre(frozenset(p.pk for p in plies))


@pytest.fixture
def janvier(db):
    """A PLIE around January 2017, with parcours on each boundary (31/12, 1/1, 31/1, 1/2)."""
    plie = PlieFactory(code="plie-mois")
    # In parcours on 31/12/2016 (the stock at the start of January): 7
    make_parcours(plie, D(2016, 5, 1))  # still in at the end
    make_parcours(plie, D(2016, 12, 31))  # entered on the last day of December: stock, not an entry
    make_parcours(plie, D(2016, 6, 1), D(2017, 1, 1), C.EMPLOI_DURABLE)  # exit on 1 January
    make_parcours(plie, D(2016, 3, 1), D(2017, 1, 15), C.EMPLOI_DURABLE, validee=False)  # not validated
    make_parcours(plie, D(2016, 3, 1), D(2017, 1, 20), C.NEUTRALISEE)
    make_parcours(plie, D(2016, 3, 1), D(2017, 2, 1), C.ABANDON)  # exits in February: in at the end
    make_parcours(plie, D(2016, 1, 1), D(2017, 1, 25))  # an exit date without its Sortie row
    # Exited on 31/12/2016: not in the stock, not an exit of January
    make_parcours(plie, D(2016, 6, 1), D(2016, 12, 31), C.ABANDON)
    # Entries of January: 3 (on the 1st, on the 31st, and one that also exits on the 31st)
    make_parcours(plie, D(2017, 1, 1))
    make_parcours(plie, D(2017, 1, 31))
    make_parcours(plie, D(2017, 1, 10), D(2017, 1, 31), C.QUALIFIANTE)
    # Counted nowhere: an entry of February, a candidate never admitted, another PLIE
    make_parcours(plie, D(2017, 2, 1))
    ParcoursFactory(participant__plie=plie)
    make_parcours(PlieFactory(code="autre"), D(2017, 1, 5), D(2017, 1, 6), C.ABANDON)
    return plie


def test_january_figures_by_hand(janvier, django_assert_num_queries):
    with django_assert_num_queries(2):  # the flow counts; the exits by type
        rapport = reporting_mensuel(perimetre(janvier), 2017, 1, codes=["plie-mois"])
    # by hand: stock 7, entries 3 → 10 accompanied; exits CDI 1/1, CDI unvalidated 15/1,
    # déménagement 20/1, no Sortie row 25/1, qualifiante 31/1 = 5; at the end 10 − 5 = 5
    assert rapport["plie"] == ["plie-mois"]
    assert (rapport["mois"], rapport["debut"], rapport["fin"]) == ("2017-01", "2017-01-01", "2017-01-31")
    assert rapport["statut"] == "definitif"
    assert rapport["en_parcours_debut"] == 7
    assert rapport["entrees"] == 3
    assert rapport["accompagnes"] == 10
    assert rapport["sorties"] == 5
    assert rapport["en_parcours_fin"] == 5
    assert (
        rapport["en_parcours_debut"] + rapport["entrees"] - rapport["sorties"] == rapport["en_parcours_fin"]
    )
    assert rapport["sorties_positives"] == {"total": 2, "emploi_durable": 1, "qualifiante": 1, "autres": 0}
    # the unvalidated CDI is « en cours de validation »: neither positive nor sans suite
    assert rapport["sorties_en_cours_validation"] == 1
    assert rapport["en_cours_validation"] == 1
    assert rapport["sorties_sans_suite"] == {"total": 2, "abandons": 0, "neutralisees": 1, "autres": 1}
    assert rapport["sorties_par_categorie"] == {
        "emploi_durable": 1,
        "creation_entreprise": 0,
        "qualifiante": 1,
        "positive_autre": 0,
        "en_cours_validation": 1,  # the unvalidated CDI
        "abandon": 0,
        "neutralisee": 1,
        "autre": 1,  # the exit without its Sortie row
    }
    assert sum(rapport["sorties_par_categorie"].values()) == rapport["sorties"]
    par_type = [
        {k: v for k, v in t.items() if k != "categorie_departement"} for t in rapport["sorties_par_type"]
    ]
    assert par_type == [
        {
            "code": "TEST_CDI",
            "libelle": "CDI",
            "categorie": "emploi_durable",
            "sorties": 2,
            "validees": 1,
            "en_cours_validation": 1,
            "positives": 1,
        },
        {
            "code": "TEST_FORMATION",
            "libelle": "Formation qualifiante",
            "categorie": "qualifiante",
            "sorties": 1,
            "validees": 1,
            "en_cours_validation": 0,
            "positives": 1,
        },
        {
            "code": "TEST_DEMENAGEMENT",
            "libelle": "Déménagement",
            "categorie": "neutralisee",
            "sorties": 1,
            "validees": 1,
            "en_cours_validation": 0,
            "positives": 0,
        },
        {
            "code": "",
            "libelle": mensuel.SANS_TYPE,
            "categorie": "",
            "sorties": 1,
            "validees": 0,
            "en_cours_validation": 0,
            "positives": 0,
        },
    ]
    assert rapport["taux"] == {
        "sorties_positives_sur_sorties": 2 / 5,
        "sorties_positives_hors_neutralisees": 2 / 4,
        "sorties_positives_hors_neutralisees_plie": 2 / 4,
        "sorties_positives_sur_entrees": 2 / 3,
        "abandons_sur_sorties": 0 / 5,
    }


def test_exits_in_the_departement_nomenclature(janvier):
    """Each exit type's class (set on the referential); a recorded job not validated yet counts
    in its class as soon as it is recorded, flagged « en cours de validation »."""
    TypeSortie.objects.filter(code="TEST_CDI").update(categorie_departement="emploi_durable")
    TypeSortie.objects.filter(code="TEST_FORMATION").update(categorie_departement="positive")
    rapport = reporting_mensuel(perimetre(janvier), 2017, 1)
    # by hand: CDI validated and CDI recorded (en cours de validation) → durable; déménagement,
    # no Sortie row → autre; formation qualifiante validated → positive
    assert rapport["sorties_departement"] == {
        "emploi_durable": 2,
        "emploi_transition": 0,
        "positive": 1,
        "dynamique": 3,
        "autre": 2,
    }
    assert rapport["en_cours_validation"] == 1
    assert sum(v for k, v in rapport["sorties_departement"].items() if k != "dynamique") == rapport["sorties"]
    tableau = next(t for t in mensuel.tableaux(rapport) if t.titre == "Sorties — nomenclature du Département")
    assert tableau.lignes[3] == ["Sorties dynamiques (durable + transition + positive)", 3]
    assert tableau.lignes[-1] == ["dont en cours de validation", 1]


def test_december_and_february_chain_with_january(janvier):
    """The end of one month is the start of the next."""
    decembre = reporting_mensuel(perimetre(janvier), 2016, 12)
    janvier_ = reporting_mensuel(perimetre(janvier), 2017, 1)
    fevrier = reporting_mensuel(perimetre(janvier), 2017, 2)
    assert decembre["en_parcours_fin"] == janvier_["en_parcours_debut"] == 7
    assert janvier_["en_parcours_fin"] == fevrier["en_parcours_debut"] == 5
    # December: the entry on 31/12 and the abandon on 31/12
    assert (decembre["entrees"], decembre["sorties"], decembre["sorties_sans_suite"]["abandons"]) == (1, 1, 1)
    # February so far: the entry on 1/2 and the abandon on 1/2
    assert (fevrier["entrees"], fevrier["sorties"], fevrier["en_parcours_fin"]) == (1, 1, 5)


def test_the_current_month_is_provisional_and_a_future_month_is_refused(janvier):
    assert reporting_mensuel(perimetre(janvier), 2017, 2)["statut"] == "provisoire"
    with pytest.raises(MoisInvalide, match="mars 2017 n'a pas commencé"):
        reporting_mensuel(perimetre(janvier), 2017, 3)
    # On the 1st of March, February is over: ready on the 1st
    assert mensuel.statut_du_mois(2017, 2, D(2017, 3, 1)) == "definitif"
    assert mensuel.statut_du_mois(2017, 2, D(2017, 2, 28)) == "provisoire"


@pytest.mark.parametrize(
    "aujourd_hui, attendu",
    [
        (D(2017, 2, 15), (2017, 1)),
        (D(2017, 3, 1), (2017, 2)),
        (D(2017, 1, 1), (2016, 12)),
        (D(2017, 1, 31), (2016, 12)),
    ],
)
def test_the_default_month_is_the_previous_one(aujourd_hui, attendu):
    assert mensuel.mois_par_defaut(aujourd_hui) == attendu


@pytest.mark.parametrize(
    "texte, message",
    [
        ("2017-13", "entre 01 et 12"),
        ("2017-00", "entre 01 et 12"),
        ("17-01", "AAAA-MM"),
        ("janvier", "AAAA-MM"),
        ("", "AAAA-MM"),
        ("1999-12", "entre 2000 et 2100"),
    ],
)
def test_a_malformed_month_is_refused_with_a_french_message(texte, message):
    with pytest.raises(MoisInvalide, match=message):
        mensuel.lire_mois(texte)


def test_lire_mois_reads_a_month():
    assert mensuel.lire_mois(" 2017-01 ") == (2017, 1)


def test_an_empty_month_has_null_rates(db):
    plie = PlieFactory()
    rapport = reporting_mensuel(perimetre(plie), 2017, 1)
    assert (rapport["accompagnes"], rapport["sorties"], rapport["sorties_par_type"]) == (0, 0, [])
    assert set(rapport["taux"].values()) == {None}


def test_csv_and_xlsx_hold_the_figures(janvier):
    rapport = reporting_mensuel(perimetre(janvier), 2017, 1, codes=["plie-mois"])
    texte = mensuel.export_csv(rapport).decode("utf-8-sig")
    assert texte.startswith("Reporting mensuel — plie-mois — janvier 2017\r\n")
    # the counting rule on the file's face, its second line
    assert texte.splitlines()[1].startswith('"Règle de comptage : Une sortie est datée du jour où')
    assert "compte une sortie dès qu'elle est enregistrée" in texte.splitlines()[1]
    assert "En parcours au 31/12/2016;7\r\n" in texte
    assert "Participants accompagnés dans le mois;10\r\n" in texte
    assert "En parcours au 31/01/2017;5\r\n" in texte
    assert "CDI;TEST_CDI;Positive — emploi durable;2;1;1\r\n" in texte
    assert "dont sorties positives en cours de validation;1\r\n" in texte
    assert "Taux de sorties positives;0,4;" in texte
    assert "Taux d'abandons;0,0;" in texte

    workbook = load_workbook(io.BytesIO(mensuel.export_xlsx(rapport)))
    assert workbook.sheetnames == [
        "Règle de comptage",
        "Flux du mois",
        "Sorties par catégorie",
        "Sorties — nomenclature du Dépar",
        "Sorties par type",
        "Taux",
    ]
    assert workbook["Règle de comptage"]["A2"].value.startswith("Règle de comptage : Une sortie est datée")
    flux = {row[0]: row[1] for row in workbook["Flux du mois"].iter_rows(min_row=2, values_only=True)}
    assert flux["Entrées dans le mois"] == 3
    assert flux["Sorties dans le mois"] == 5
    taux = workbook["Taux"]
    assert taux["B2"].value == 0.4 and taux["B2"].number_format == "0.0%"
    assert mensuel.nom_fichier(rapport, "xlsx") == "reporting-mensuel-plie-mois-2017-01.xlsx"


def test_a_provisional_report_says_so_in_its_files(janvier):
    rapport = reporting_mensuel(perimetre(janvier), 2017, 2, codes=["plie-mois"])
    assert (
        mensuel.export_csv(rapport)
        .decode("utf-8-sig")
        .startswith("Reporting mensuel — plie-mois — février 2017 (provisoire)")
    )


def test_libelle_mois():
    assert mensuel.libelle_mois(2017, 8) == "août 2017"
    assert isinstance(mensuel.mois_par_defaut(), tuple)
    assert datetime.date(*mensuel.mois_par_defaut(), 1) < datetime.date.today()
