"""The FSE completeness rules of an enrolment: the entry questionnaire (Python rule and its SQL
twin agree) and the 4-week exit window."""

import datetime

import pytest

from operations.completude import (
    EtatSortie,
    date_limite_sortie,
    delai_saisie_expression,
    entree_complete,
    entree_incomplete_expression,
    fenetre_sortie,
    manques_entree,
    q_sortie_a_renseigner,
    q_sortie_hors_delai,
    q_sortie_renseignee_dans_delai,
    q_sortie_renseignee_tard,
)
from operations.models import Inscription
from tests.factories import ParticipantFactory
from tests.operations.factories import InscriptionFactory, OperationFactory

D = datetime.date

PARTICIPANT_COMPLET = {
    "code_commune_naissance": "69123",
    "adresse": "3 rue des Lilas",
    "code_postal": "69003",
    "commune": "Lyon",
    "telephone": "0601020304",
}

# (name, participant changes, enrolment changes, fields expected in the faults)
CAS = [
    ("complete", {}, {}, set()),
    ("nom", {"nom": ""}, {}, {"nom"}),
    ("prenom", {"prenom": ""}, {}, {"prenom"}),
    ("sexe", {"sexe": ""}, {}, {"sexe"}),
    ("commune de naissance", {"code_commune_naissance": ""}, {}, {"code_commune_naissance"}),
    ("adresse", {"adresse": ""}, {}, {"adresse"}),
    ("code postal", {"code_postal": ""}, {}, {"code_postal"}),
    ("commune", {"commune": ""}, {}, {"commune"}),
    ("aucune coordonnée", {"telephone": ""}, {}, {"telephone"}),
    ("courriel seul", {"telephone": "", "email": "a@exemple.fr"}, {}, set()),
    ("fixe seul", {"telephone": "", "telephone_fixe": "0478000000"}, {}, set()),
    (
        "sans domicile : contact tiers",
        {"adresse": "", "code_postal": "", "telephone": "", "contact_tiers": "CHRS Le Relais"},
        {"sans_domicile": "oui"},
        set(),
    ),
    (
        "sans domicile sans contact tiers",
        {"adresse": "", "code_postal": ""},
        {"sans_domicile": "oui"},
        {"adresse"},
    ),
    ("contact tiers sans être sans domicile", {"adresse": "", "contact_tiers": "CHRS"}, {}, {"adresse"}),
    ("Q1", {}, {"statut_emploi": ""}, {"statut_emploi"}),
    ("Q2", {}, {"niveau_formation": ""}, {"niveau_formation"}),
    ("Q3", {}, {"handicap_reconnu": None}, {"handicap_reconnu"}),
    ("Q4", {}, {"minima_sociaux": None, "beneficiaire_rsa": None}, {"minima_sociaux"}),
    ("Q5", {}, {"sans_domicile": ""}, {"sans_domicile"}),
    ("Q6", {}, {"parent_ne_etranger": ""}, {"parent_ne_etranger"}),
    ("ménage sans emploi", {}, {"menage_sans_emploi": None}, {"menage_sans_emploi"}),
    ("ménage enfants", {}, {"menage_enfants": None}, {"menage_enfants"}),
    ("ménage monoparental", {}, {"menage_monoparental": None}, {"menage_monoparental"}),
    ("1e sans emploi", {}, {"en_formation": None}, {"en_formation"}),
    ("1f sans emploi", {}, {"recherche_emploi": None, "duree_recherche_mois": None}, {"recherche_emploi"}),
    ("1g sans emploi en recherche", {}, {"duree_recherche_mois": None}, {"duree_recherche_mois"}),
    ("1g inutile sans recherche", {}, {"recherche_emploi": False, "duree_recherche_mois": None}, set()),
    (
        "en emploi : 1e-1g non demandées",
        {},
        {"statut_emploi": "1c", "en_formation": None, "recherche_emploi": None, "duree_recherche_mois": None},
        set(),
    ),
    (
        "en emploi et en recherche : incohérent",
        {},
        {"statut_emploi": "1b", "recherche_emploi": True},
        {"recherche_emploi"},
    ),
    (
        "en emploi avec une durée de recherche : incohérent",
        {},
        {"statut_emploi": "1a", "recherche_emploi": None, "duree_recherche_mois": 3},
        {"recherche_emploi"},
    ),
    (
        "en emploi avec une durée nulle",
        {},
        {"statut_emploi": "1d", "recherche_emploi": False, "duree_recherche_mois": 0},
        set(),
    ),
    (
        "RSA sans minima sociaux",
        {},
        {"minima_sociaux": False, "beneficiaire_rsa": True},
        {"beneficiaire_rsa"},
    ),
    (
        "monoparental sans enfant",
        {},
        {"menage_monoparental": True, "menage_enfants": False},
        {"menage_monoparental"},
    ),
    ("entrée après le questionnaire", {}, {"date_questionnaire": D(2026, 2, 1)}, {"date_entree"}),
    ("sans date de questionnaire", {}, {"date_questionnaire": None}, {"date_questionnaire"}),
    ("nationalité", {"nationalite": ""}, {}, {"nationalite"}),
    # present answers Ma Démarche FSE would reject: the same definition for the board and the file
    ("commune de naissance invalide", {"code_commune_naissance": "20123"}, {}, {"code_commune_naissance"}),
    ("né en Corse", {"code_commune_naissance": "2A004"}, {}, set()),
    ("né à l'étranger", {"code_commune_naissance": "99999"}, {}, set()),
    ("code postal hors département", {"code_postal": "00100"}, {}, {"code_postal"}),
    ("code postal Corse", {"code_postal": "20200"}, {}, set()),
    ("code postal outre-mer", {"code_postal": "97400"}, {}, set()),
    ("téléphone étranger", {"telephone": "+32 470 12 34 56"}, {}, {"telephone"}),
    ("téléphone national", {"telephone": "06 01 02 03 04"}, {}, set()),
    ("courriel invalide", {"email": "a@exemple"}, {}, {"email"}),
    ("moins de 16 ans", {"date_naissance": D(2010, 2, 3)}, {}, {"date_naissance"}),
    ("16 ans la veille", {"date_naissance": D(2010, 2, 2)}, {}, set()),
    ("plus de 80 ans", {"date_naissance": D(1945, 2, 1)}, {}, {"date_naissance"}),
    ("durée de recherche absurde", {}, {"duree_recherche_mois": 601}, {"duree_recherche_mois"}),
    (
        "entrée hors opération",
        {},
        {"date_entree": D(2025, 12, 31)},
        {"date_entree"},
    ),
    (
        "plusieurs manques",
        {"commune": ""},
        {"niveau_formation": "", "handicap_reconnu": None},
        {"commune", "niveau_formation", "handicap_reconnu"},
    ),
]


@pytest.fixture
def operation(db):
    return OperationFactory()


def _inscription(operation, participant_changes, changes):
    inscription = InscriptionFactory.build(operation=operation, complete=True, participant=None)
    participant = ParticipantFactory(plie=operation.plie, **{**PARTICIPANT_COMPLET, **participant_changes})
    inscription.participant = participant
    for field, value in changes.items():
        setattr(inscription, field, value)
    inscription.save()
    return inscription


@pytest.mark.parametrize(("cas", "participant_changes", "changes", "attendu"), CAS, ids=[c[0] for c in CAS])
def test_python_rule_lists_each_missing_answer(operation, cas, participant_changes, changes, attendu):
    inscription = _inscription(operation, participant_changes, changes)
    assert {m.champ for m in manques_entree(inscription)} == attendu
    assert entree_complete(inscription) is (not attendu)


def test_sql_rule_agrees_with_python_rule_on_every_case(operation, django_assert_num_queries):
    inscriptions = {cas: _inscription(operation, pc, ch) for cas, pc, ch, _attendu in CAS}
    with django_assert_num_queries(1):
        incompletes = dict(
            Inscription.objects.filter(operation=operation)
            .annotate(incomplete=entree_incomplete_expression())
            .values_list("pk", "incomplete")
        )
    for cas, _pc, _ch, attendu in CAS:
        inscription = Inscription.objects.select_related("participant").get(pk=inscriptions[cas].pk)
        python = bool(manques_entree(inscription))
        assert python is bool(attendu), cas
        assert incompletes[inscription.pk] is python, cas
    # Filtering on the annotation (never ``~Q``) splits the enrolments exactly.
    annotated = Inscription.objects.filter(operation=operation).annotate(
        incomplete=entree_incomplete_expression()
    )
    complets = set(annotated.filter(incomplete=False).values_list("pk", flat=True))
    assert complets == {inscriptions[c].pk for c, _pc, _ch, attendu in CAS if not attendu}
    assert annotated.filter(incomplete=True).count() == sum(1 for c in CAS if c[3])


def test_an_enrolment_without_any_answer_is_incomplete(operation):
    inscription = InscriptionFactory(operation=operation)
    champs = {m.champ for m in manques_entree(inscription)}
    assert {"statut_emploi", "niveau_formation", "adresse", "telephone"} <= champs
    assert Inscription.objects.annotate(i=entree_incomplete_expression()).get(pk=inscription.pk).i is True


# --- The 4-week window --------------------------------------------------------------------------

SORTIE = D(2026, 9, 30)


@pytest.mark.parametrize(
    ("aujourd_hui", "etat", "jours"),
    [
        (SORTIE, EtatSortie.A_RENSEIGNER, 28),  # exit day
        (D(2026, 10, 1), EtatSortie.A_RENSEIGNER, 27),
        (D(2026, 10, 28), EtatSortie.A_RENSEIGNER, 0),  # day 28: still in time, no day left
        (D(2026, 10, 29), EtatSortie.HORS_DELAI, None),  # day 29: past
    ],
)
def test_exit_window_days_left(aujourd_hui, etat, jours):
    fenetre = fenetre_sortie(SORTIE, None, aujourd_hui)
    assert fenetre.etat == etat
    assert fenetre.jours_restants == jours
    assert fenetre.date_limite == D(2026, 10, 28)


@pytest.mark.parametrize(
    ("sortie", "limite", "jour_29"),
    [
        (D(2026, 1, 31), D(2026, 2, 28), D(2026, 3, 1)),  # across the end of a short February
        (D(2028, 1, 31), D(2028, 2, 28), D(2028, 2, 29)),  # leap year: 29 February is day 29
        (D(2026, 12, 15), D(2027, 1, 12), D(2027, 1, 13)),  # across the year end
    ],
)
def test_exit_window_across_month_ends(sortie, limite, jour_29):
    assert date_limite_sortie(sortie) == limite
    assert fenetre_sortie(sortie, None, limite).jours_restants == 0
    assert fenetre_sortie(sortie, None, jour_29).etat == EtatSortie.HORS_DELAI


def test_exit_data_recorded_on_day_28_counts_on_day_29_does_not():
    dans_delai = fenetre_sortie(SORTIE, D(2026, 10, 28), D(2027, 1, 1))
    tard = fenetre_sortie(SORTIE, D(2026, 10, 29), D(2027, 1, 1))
    assert (dans_delai.etat, dans_delai.compte_dans_indicateurs) == (EtatSortie.RENSEIGNEE, True)
    assert (tard.etat, tard.compte_dans_indicateurs) == (EtatSortie.RENSEIGNEE_TARD, False)
    assert fenetre_sortie(None, None, SORTIE).etat == EtatSortie.PAS_SORTI


def test_sql_exit_window_agrees_with_python(operation):
    aujourd_hui = D(2028, 2, 29)
    cas = {
        "pas_sorti": (None, None),
        "jour_0": (aujourd_hui, None),
        "jour_28": (D(2028, 2, 1), None),
        "jour_29": (D(2028, 1, 31), None),
        "saisie_jour_28": (D(2028, 1, 31), D(2028, 2, 28)),
        "saisie_jour_29": (D(2028, 1, 31), D(2028, 2, 29)),
        "saisie_le_jour_meme": (D(2027, 6, 30), D(2027, 6, 30)),
    }
    operation.date_debut, operation.date_fin = D(2027, 1, 1), D(2028, 12, 31)
    operation.save()
    pks = {}
    for nom, (sortie, saisie) in cas.items():
        pks[nom] = InscriptionFactory(
            operation=operation, date_entree=D(2027, 1, 4), date_sortie=sortie, sortie_renseignee_le=saisie
        ).pk
    qs = Inscription.objects.filter(operation=operation).annotate(delai_saisie=delai_saisie_expression())

    def noms(condition):
        return {
            nom for nom, pk in pks.items() if pk in set(qs.filter(condition).values_list("pk", flat=True))
        }

    par_etat = {}
    for nom, (sortie, saisie) in cas.items():
        par_etat.setdefault(fenetre_sortie(sortie, saisie, aujourd_hui).etat, set()).add(nom)
    assert (
        noms(q_sortie_a_renseigner(aujourd_hui)) == par_etat[EtatSortie.A_RENSEIGNER] == {"jour_0", "jour_28"}
    )
    assert noms(q_sortie_hors_delai(aujourd_hui)) == par_etat[EtatSortie.HORS_DELAI] == {"jour_29"}
    assert noms(q_sortie_renseignee_dans_delai()) == par_etat[EtatSortie.RENSEIGNEE]
    assert noms(q_sortie_renseignee_tard()) == par_etat[EtatSortie.RENSEIGNEE_TARD] == {"saisie_jour_29"}


def test_sql_rule_agrees_with_python_rule_on_random_answers(operation):
    """200 complete enrolments, each with 0 to 3 answers redrawn at random (blank, « non »,
    incoherent…): the SQL condition classifies each exactly as the Python rule does."""
    import random

    rng = random.Random(6)
    choix = {
        "statut_emploi": ["", "non", "1a", "1b", "1c", "1d"],
        "en_formation": [None, True, False],
        "recherche_emploi": [None, True, False],
        "duree_recherche_mois": [None, 0, 3, 14],
        "niveau_formation": ["", "2a", "2c", "2d"],
        "handicap_reconnu": [None, True],
        "minima_sociaux": [None, False],
        "beneficiaire_rsa": [None, False],
        "sans_domicile": ["", "oui", "nsp"],
        "parent_ne_etranger": ["", "oui", "non"],
        "menage_sans_emploi": [None, False],
        "menage_enfants": [None, True],
        "menage_monoparental": [None, True],
        "date_questionnaire": [None, D(2026, 2, 1), D(2026, 3, 1)],
        "adresse": [""],
        "code_postal": [""],
        "commune": [""],
        "telephone": [""],
        "email": ["x@exemple.fr"],
        "contact_tiers": ["CHRS"],
        "code_commune_naissance": ["", "20123", "99999"],
        "code_postal_bis": ["00100"],
        "nationalite": ["", "hors_ue"],
        "date_naissance": [D(2011, 1, 1), D(1930, 1, 1)],
    }
    participant_fields = set(PARTICIPANT_COMPLET) | {
        "email",
        "contact_tiers",
        "nationalite",
        "date_naissance",
    }
    for _ in range(200):
        changes = {champ: rng.choice(choix[champ]) for champ in rng.sample(sorted(choix), rng.randint(0, 3))}
        if "code_postal_bis" in changes:
            changes["code_postal"] = changes.pop("code_postal_bis")
        _inscription(
            operation,
            {k: v for k, v in changes.items() if k in participant_fields},
            {k: v for k, v in changes.items() if k not in participant_fields},
        )
    rows = Inscription.objects.filter(operation=operation).select_related("participant")
    sql = dict(rows.annotate(incomplete=entree_incomplete_expression()).values_list("pk", "incomplete"))
    python = {i.pk: bool(manques_entree(i)) for i in rows}
    assert sql == python
    assert 30 < sum(python.values()) < 170  # the draw exercises both outcomes
