import datetime
from types import SimpleNamespace

import pytest

from participants.fse import controle_age, est_complet, reponses_manquantes

D = datetime.date


def participant(**fields):
    base = {
        "nom": "Dupont",
        "prenom": "Marie",
        "date_naissance": D(1985, 3, 14),
        "sexe": "F",
        "code_commune_naissance": "69123",
        "adresse": "3 rue des Lilas",
        "code_postal": "69008",
        "commune": "Lyon",
        "telephone": "06 12 34 56 78",
        "telephone_fixe": "",
        "email": "",
        "contact_tiers": "",
        "nationalite": "fr",
    }
    return SimpleNamespace(**{**base, **fields})


def situation(**answers):
    base = {
        "date_entree": D(2026, 1, 5),
        "date_questionnaire": D(2026, 1, 5),
        "statut_emploi": "non",
        "en_formation": False,
        "recherche_emploi": True,
        "duree_recherche_mois": 14,
        "niveau_formation": "2b",
        "handicap_reconnu": False,
        "minima_sociaux": True,
        "beneficiaire_rsa": True,
        "sans_domicile": "non",
        "parent_ne_etranger": "nsp",
        "menage_sans_emploi": True,
        "menage_enfants": False,
        "menage_monoparental": False,
    }
    return SimpleNamespace(**{**base, **answers})


def fields_missing(p, s):
    return [m.champ for m in reponses_manquantes(p, s)]


def test_a_complete_questionnaire():
    assert reponses_manquantes(participant(), situation()) == []
    assert est_complet(participant(), situation())


# Every question missing on its own makes the participant ineligible.
@pytest.mark.parametrize(
    "field",
    [
        "date_entree",
        "statut_emploi",
        "niveau_formation",
        "handicap_reconnu",
        "minima_sociaux",
        "sans_domicile",
        "parent_ne_etranger",
        "menage_sans_emploi",
        "menage_enfants",
        "menage_monoparental",
    ],
)
def test_each_question_missing(field):
    missing = reponses_manquantes(participant(), situation(**{field: None}))
    assert [m.champ for m in missing] == [field]
    assert "réponse manquante" in missing[0].message
    assert not est_complet(participant(), situation(**{field: ""}))


@pytest.mark.parametrize(
    "field", ["nom", "prenom", "date_naissance", "sexe", "code_commune_naissance", "commune"]
)
def test_each_identity_field_missing(field):
    assert fields_missing(participant(**{field: ""}), situation()) == [field]


@pytest.mark.parametrize(
    ("answers", "missing"),
    [
        ({"en_formation": None}, ["en_formation"]),
        ({"recherche_emploi": None, "duree_recherche_mois": None}, ["recherche_emploi"]),
        ({"duree_recherche_mois": None}, ["duree_recherche_mois"]),
        ({"recherche_emploi": False, "duree_recherche_mois": None}, []),
        # in a job: 1e-1g are skipped…
        (
            {
                "statut_emploi": "1b",
                "en_formation": None,
                "recherche_emploi": None,
                "duree_recherche_mois": None,
            },
            [],
        ),
        # …and answering them is incoherent
        ({"statut_emploi": "1c", "recherche_emploi": True, "duree_recherche_mois": 4}, ["recherche_emploi"]),
        ({"minima_sociaux": False, "beneficiaire_rsa": True}, ["beneficiaire_rsa"]),
        ({"menage_enfants": False, "menage_monoparental": True}, ["menage_monoparental"]),
        ({"date_entree": D(2026, 1, 6), "date_questionnaire": D(2026, 1, 5)}, ["date_entree"]),
        ({"date_questionnaire": None}, []),
    ],
)
def test_question_1_branches_and_coherence(answers, missing):
    assert fields_missing(participant(), situation(**answers)) == missing


def test_contact_data():
    assert fields_missing(participant(telephone=""), situation()) == ["telephone"]
    assert fields_missing(participant(telephone="", email="marie@exemple.fr"), situation()) == []
    assert fields_missing(participant(adresse="", code_postal=""), situation()) == ["adresse", "code_postal"]


def test_homeless_person_with_a_contact_needs_no_address():
    p = participant(
        adresse="", code_postal="", telephone="", contact_tiers="CHRS Les Glycines, 04 78 00 00 00"
    )
    assert fields_missing(p, situation(sans_domicile="oui")) == []


def test_questionnaire_not_started():
    assert fields_missing(participant(), None) == ["situation"]


@pytest.mark.parametrize(
    ("naissance", "entree", "warns"),
    [
        (D(2010, 1, 1), D(2026, 1, 1), False),  # 16
        (D(2010, 1, 2), D(2026, 1, 1), True),  # 15
        (D(1945, 1, 1), D(2026, 1, 1), True),  # 81
        (D(1946, 1, 1), D(2026, 1, 1), False),  # 80
    ],
)
def test_age_at_entry_plausibility(naissance, entree, warns):
    message = controle_age(naissance, entree)
    assert (message is not None) == warns
    if warns:
        assert "Âge à l'entrée peu plausible" in message


def test_the_nationality_is_asked():
    """Third-country nationals are an FSE+ common indicator (EECO13): the entry questionnaire
    asks the nationality."""
    (manque,) = reponses_manquantes(participant(nationalite=""), situation())
    assert manque.champ == "nationalite"
    assert manque.message == "Nationalité (française, UE, hors UE) : réponse manquante."
