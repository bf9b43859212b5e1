"""The validator lists every line Ma Démarche FSE would reject, with line, column and French reason.

Each fault has its own test: a clean line of the expected file, one or two cells changed."""

import datetime
from pathlib import Path

import pytest

from operations import mdfse
from operations.mdfse_validation import (
    AVERTISSEMENT,
    departement_du_code_postal,
    resume,
    valider_fichier,
    valider_lignes,
    valider_operation,
)
from plie.core.scoping import scope_for
from tests.factories import ParticipantFactory
from tests.operations.factories import InscriptionFactory, OperationFactory

ATTENDU = Path(__file__).parent / "data" / "mdfse_attendu.csv"
LIGNES = ATTENDU.read_text(encoding="utf-8").splitlines()
PROPRE = LIGNES[4].split(";")  # MARTIN Julie: complete, left with exit data
SANS_DOMICILE = LIGNES[3].split(";")  # LEGRAND Paul: homeless, reachable through a contact


def _operation():
    return OperationFactory.build(date_debut=datetime.date(2026, 1, 1), date_fin=datetime.date(2026, 12, 31))


def _anomalies(base=PROPRE, **cellules):
    cells = dict(zip(mdfse.ENTETES, base, strict=True))
    for colonne, valeur in cellules.items():
        colonne = colonne.replace("__", " ").replace("_", " ")
        assert colonne in cells, colonne
        cells[colonne] = valeur
    return valider_lignes([(7, list(cells.values()))], _operation())


def _codes(**cellules):
    return {(a.code, a.colonne) for a in _anomalies(**cellules)}


def test_the_lines_of_the_expected_file_are_clean():
    lignes = [(None, ligne.split(";")) for ligne in LIGNES[1:]]
    assert valider_lignes(lignes, _operation()) == []


def test_a_fault_names_the_line_as_in_the_file_the_column_and_the_reason():
    (anomalie,) = _anomalies(Sexe="")
    assert (anomalie.ligne, anomalie.colonne, anomalie.inscription_id) == (2, "Sexe", 7)
    assert anomalie.message == "Sexe : réponse manquante."
    assert anomalie.bloquante


# One test per fault: (cells changed, expected (code, column)).
FAUTES = [
    pytest.param({"Sexe": ""}, ("sexe_manquant", "Sexe"), id="sexe-manquant"),
    pytest.param({"Sexe": "X"}, ("sexe_invalide", "Sexe"), id="sexe-invalide"),
    pytest.param({"Nom": ""}, ("nom_manquant", "Nom"), id="nom-manquant"),
    pytest.param({"Prenom": ""}, ("prenom_manquant", "Prenom"), id="prenom-manquant"),
    pytest.param({"Date de naissance": ""}, ("naissance_manquante", "Date de naissance"), id="naissance"),
    pytest.param(
        {"Date de naissance": "31/02/1990"}, ("date_invalide", "Date de naissance"), id="date-impossible"
    ),
    pytest.param(
        {"Date de naissance": "1990-06-21"}, ("date_invalide", "Date de naissance"), id="date-format"
    ),
    pytest.param({"Date de naissance": "21/6/96"}, ("date_invalide", "Date de naissance"), id="date-excel"),
    pytest.param(
        {"Date de naissance": "01/03/2011"}, ("age_trop_jeune", "Date de naissance"), id="moins-16-ans"
    ),
    pytest.param({"Date de naissance": "01/03/1926"}, ("age_absurde", "Date de naissance"), id="age-absurde"),
    pytest.param(
        {"Code commune de naissance": ""},
        ("commune_naissance_manquante", "Code commune de naissance"),
        id="commune-naissance-manquante",
    ),
    pytest.param(
        {"Code commune de naissance": "99100"},
        ("commune_naissance_invalide", "Code commune de naissance"),
        id="etranger-pas-99999",
    ),
    pytest.param(
        {"Code commune de naissance": "20004"},
        ("commune_naissance_invalide", "Code commune de naissance"),
        id="corse-sans-2a-2b",
    ),
    pytest.param(
        {"Code commune de naissance": "3818"},
        ("commune_naissance_invalide", "Code commune de naissance"),
        id="commune-naissance-4-caracteres",
    ),
    pytest.param({"Adresse": ""}, ("adresse_manquante", "Adresse"), id="adresse-manquante"),
    pytest.param({"Code postal": ""}, ("code_postal_manquant", "Code postal"), id="cp-manquant"),
    pytest.param({"Code postal": "8000"}, ("code_postal_format", "Code postal"), id="cp-zero-perdu"),
    pytest.param({"Code postal": "38 000"}, ("code_postal_format", "Code postal"), id="cp-espace"),
    pytest.param({"Code postal": "96100"}, ("code_postal_departement", "Code postal"), id="cp-departement"),
    pytest.param({"Code postal": "69003"}, ("code_postal_commune", "Code postal"), id="cp-commune"),
    pytest.param(
        {"Code postal": "20200", "Commune": "Ajaccio"}, ("code_postal_commune", "Code postal"), id="cp-corse"
    ),
    pytest.param(
        {"Code postal": "97200", "Commune": "Saint-Denis"},
        ("code_postal_commune", "Code postal"),
        id="cp-dom",
    ),
    pytest.param({"Commune": ""}, ("commune_manquante", "Commune"), id="commune-manquante"),
    pytest.param(
        {"Telephone portable": "711223344"}, ("telephone_format", "Telephone portable"), id="tel-9-chiffres"
    ),
    pytest.param(
        {"Telephone fixe": "04 78 12 34 56"}, ("telephone_format", "Telephone fixe"), id="tel-espaces"
    ),
    pytest.param(
        {"Telephone portable": "", "Courriel": ""},
        ("coordonnees_manquantes", "Telephone portable"),
        id="aucune-coordonnee",
    ),
    pytest.param({"Courriel": "julie.martin@exemple"}, ("courriel_format", "Courriel"), id="courriel"),
    pytest.param(
        {"Date entree operation": ""},
        ("date_entree_manquante", "Date entree operation"),
        id="entree-manquante",
    ),
    pytest.param(
        {"Date entree operation": "15/12/2025", "Date questionnaire": "15/12/2025"},
        ("entree_hors_operation", "Date entree operation"),
        id="entree-hors-operation",
    ),
    pytest.param(
        {"Date questionnaire": "01/02/2026"},
        ("entree_apres_questionnaire", "Date entree operation"),
        id="entree-apres-questionnaire",
    ),
    pytest.param(
        {"Date questionnaire": ""},
        ("date_questionnaire_manquante", "Date questionnaire"),
        id="questionnaire-sans-date",
    ),
    pytest.param({"Q1 Emploi": ""}, ("q1_manquante", "Q1 Emploi"), id="q1-manquante"),
    pytest.param({"Q1 Emploi": "1e"}, ("q1_invalide", "Q1 Emploi"), id="q1-invalide"),
    pytest.param({"Q1e Formation": ""}, ("q1e_manquante", "Q1e Formation"), id="1e-manquante"),
    pytest.param(
        {"Q1f Recherche emploi": "", "Q1g Duree recherche mois": ""},
        ("q1f_manquante", "Q1f Recherche emploi"),
        id="1f-manquante",
    ),
    pytest.param(
        {"Q1g Duree recherche mois": ""}, ("q1g_manquante", "Q1g Duree recherche mois"), id="1g-manquante"
    ),
    pytest.param(
        {"Q1g Duree recherche mois": "12,5"}, ("q1g_invalide", "Q1g Duree recherche mois"), id="1g-invalide"
    ),
    pytest.param(
        {"Q1 Emploi": "1b", "Q1e Formation": "", "Q1f Recherche emploi": ""},
        ("emploi_et_recherche", "Q1g Duree recherche mois"),
        id="en-emploi-recherche-depuis-14-mois",
    ),
    pytest.param(
        {"Q1f Recherche emploi": "N"},
        ("duree_sans_recherche", "Q1g Duree recherche mois"),
        id="duree-sans-recherche",
    ),
    pytest.param({"Q2 Niveau formation": ""}, ("q2_manquante", "Q2 Niveau formation"), id="q2-manquante"),
    pytest.param({"Q2 Niveau formation": "3"}, ("q2_invalide", "Q2 Niveau formation"), id="q2-invalide"),
    pytest.param({"Q3 Handicap": ""}, ("q3_manquante", "Q3 Handicap"), id="q3-manquante"),
    pytest.param({"Q4 Minima sociaux": ""}, ("q4_manquante", "Q4 Minima sociaux"), id="q4-manquante"),
    pytest.param({"Q5 Sans domicile": ""}, ("q5_manquante", "Q5 Sans domicile"), id="q5-manquante"),
    pytest.param(
        {"Q6 Parent ne a l'etranger": ""}, ("q6_manquante", "Q6 Parent ne a l'etranger"), id="q6-manquante"
    ),
    pytest.param({"Q3 Handicap": "oui"}, ("reponse_invalide", "Q3 Handicap"), id="oui-non-invalide"),
    pytest.param(
        {"Menage avec enfants": ""}, ("menage_manquant", "Menage avec enfants"), id="menage-manquant"
    ),
    pytest.param(
        {"Q4 Minima sociaux": "N", "Q4 dont RSA": "O"},
        ("rsa_sans_minima", "Q4 dont RSA"),
        id="rsa-sans-minima",
    ),
    pytest.param(
        {"Menage monoparental": "O"}, ("monoparental_sans_enfant", "Menage monoparental"), id="monoparental"
    ),
    pytest.param(
        {"Date sortie operation": ""}, ("sortie_sans_date", "Sortie anticipee"), id="donnees-sortie-sans-date"
    ),
    pytest.param(
        {"Date sortie operation": "01/02/2026", "Date donnees sortie": "05/02/2026"},
        ("sortie_avant_entree", "Date sortie operation"),
        id="sortie-avant-entree",
    ),
    pytest.param(
        {"Date sortie operation": "15/01/2027", "Date donnees sortie": "20/01/2027"},
        ("sortie_hors_operation", "Date sortie operation"),
        id="sortie-apres-operation",
    ),
    pytest.param({"Sortie emploi": ""}, ("sortie_incomplete", "Sortie emploi"), id="sortie-incomplete"),
    pytest.param({"Sortie emploi": "oui"}, ("reponse_invalide", "Sortie emploi"), id="sortie-code"),
]


@pytest.mark.parametrize(("cellules", "attendu"), FAUTES)
def test_each_fault_is_caught(cellules, attendu):
    codes = _codes(**cellules)
    assert attendu in codes, codes
    assert len(codes) == 1, codes  # the fault and nothing else


def test_at_least_15_distinct_faults_are_tested():
    assert len({param.values[1][0] for param in FAUTES}) >= 15


def test_a_homeless_person_with_a_contact_needs_no_address_nor_postal_code():
    assert _anomalies(SANS_DOMICILE) == []
    codes = {a.code for a in _anomalies(SANS_DOMICILE, Contact="")}
    assert codes == {"adresse_manquante", "coordonnees_manquantes"}
    codes = {a.code for a in _anomalies(SANS_DOMICILE, **{"Q5 Sans domicile": "N"})}
    assert codes == {"adresse_manquante", "code_postal_manquant"}


def test_exit_data_recorded_after_4_weeks_is_a_warning():
    # Left on 30/09/2026: day 28 is 28/10/2026.
    assert _anomalies(**{"Date donnees sortie": "28/10/2026"}) == []
    (anomalie,) = _anomalies(**{"Date donnees sortie": "29/10/2026"})
    assert (anomalie.code, anomalie.gravite) == ("sortie_renseignee_tard", AVERTISSEMENT)
    assert "ne compteront pas dans les résultats immédiats" in anomalie.message
    assert resume([anomalie]) == {"lignes": 0, "erreurs": 0, "avertissements": 1}


def test_an_absent_exit_block_is_one_warning_until_the_deadline_then_past_it():
    cells = dict(zip(mdfse.ENTETES, PROPRE, strict=True))
    cells.update(dict.fromkeys(mdfse.BLOC_SORTIE, ""))
    operation = _operation()

    (anomalie,) = valider_lignes([(1, list(cells.values()))], operation, datetime.date(2026, 10, 28))
    assert (anomalie.code, anomalie.colonne, anomalie.gravite) == (
        "sortie_non_renseignee",
        "Date sortie operation",
        AVERTISSEMENT,
    )
    assert anomalie.message == "Données de sortie à recueillir au plus tard le 28/10/2026."
    (anomalie,) = valider_lignes([(1, list(cells.values()))], operation, datetime.date(2026, 10, 29))
    assert anomalie.gravite == AVERTISSEMENT
    assert anomalie.message.startswith(
        "Données de sortie non recueillies dans les 4 semaines (échéance 28/10/2026)"
    )


def test_missing_exit_data_tells_until_when_to_collect_it():
    (anomalie,) = _anomalies(**{"Sortie qualification": ""})
    assert anomalie.message == (
        "Données de sortie : « Sortie qualification » manquante (à recueillir au plus tard le 28/10/2026)."
    )


@pytest.mark.parametrize(
    ("code_postal", "departement"),
    [
        ("69008", "69"),
        ("01000", "01"),
        ("20000", "2A"),
        ("20190", "2A"),
        ("20200", "2B"),
        ("20600", "2B"),
        ("20700", None),
        ("97110", "971"),
        ("97400", "974"),
        ("97600", "976"),
        ("97700", None),
        ("98000", None),
        ("00100", None),
        ("6900", None),
    ],
)
def test_postal_code_departement(code_postal, departement):
    assert departement_du_code_postal(code_postal) == departement


def test_a_file_edited_in_excel_is_checked_as_uploaded():
    """Excel drops the leading zeros of postal codes and phones and rewrites dates."""
    ligne = ";".join(PROPRE).replace(";38000;", ";8000;").replace(";0711223344;", ";711223344;")
    ligne = ligne.replace(";21/06/1996;", ";21/6/1996;")
    texte = "\ufeff" + LIGNES[0] + "\r\n" + LIGNES[1] + "\r\n" + ligne + "\r\n" + "a;b\r\n"

    anomalies = valider_fichier(texte, _operation())

    assert [(a.ligne, a.code) for a in anomalies] == [
        (3, "date_invalide"),
        (3, "code_postal_format"),
        (3, "telephone_format"),
        (4, "colonnes"),
    ]
    assert "zéro initial perdu" in anomalies[1].message


def test_a_file_with_another_header_is_refused_at_line_1():
    (anomalie,) = valider_fichier("Nom;Prenom\r\nA;B\r\n", _operation())
    assert (anomalie.ligne, anomalie.code) == (1, "entete")
    (anomalie,) = valider_fichier("", _operation())
    assert anomalie.code == "fichier_vide"


def test_the_same_person_twice_in_one_operation_is_a_duplicate():
    autre = PROPRE.copy()
    autre[1] = "990099"
    autre[3] = "JULIE"  # the same person, typed differently
    anomalies = valider_lignes([(1, PROPRE), (2, autre)], _operation())
    (anomalie,) = anomalies
    assert (anomalie.ligne, anomalie.colonne, anomalie.code, anomalie.inscription_id) == (
        3,
        "Nom",
        "doublon",
        2,
    )
    assert "Même personne qu'à la ligne 2" in anomalie.message


@pytest.mark.django_db
def test_it_validates_the_operation_export_with_the_enrolment_ids(world, django_assert_num_queries):
    operation = OperationFactory(plie=world.plie_a)
    complete = InscriptionFactory(
        operation=operation,
        complete=True,
        participant=ParticipantFactory(
            plie=world.plie_a,
            nom="Aubert",
            adresse="1 rue A",
            code_postal="69001",
            commune="Lyon",
            telephone="0612345678",
            code_commune_naissance="69381",
        ),
    )
    vide = InscriptionFactory(
        operation=operation, participant=ParticipantFactory(plie=world.plie_a, nom="Zola")
    )
    user = world.gestionnaire_a
    mdfse.inscriptions(operation, scope_for(user)).exists()  # the user's scope, computed once

    with django_assert_num_queries(1):  # the enrolments joined with their participants
        anomalies = valider_operation(operation, scope_for(user))

    assert {a.inscription_id for a in anomalies} == {vide.pk}
    assert complete.pk not in {a.inscription_id for a in anomalies}
    assert {a.ligne for a in anomalies} == {3}
    assert resume(anomalies)["lignes"] == 1
    assert valider_operation(operation, scope_for(world.referent_b)) == []
