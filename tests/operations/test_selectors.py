"""The operations' follow-up figures, computed in the database: completeness counts, occupancy on
month ends (per référent through the affectation history), results against targets."""

import datetime

import pytest

from operations import selectors
from operations.nomenclatures import classe_departement, classe_plie, resultats
from parcours.enums import CategorieSortie
from parcours.models import AffectationReferent
from tests.factories import ParticipantFactory, UserFactory
from tests.operations.factories import InscriptionFactory, OperationFactory
from tests.parcours.factories import ParcoursFactory, SortieFactory, TypeSortieFactory

D = datetime.date
SORTIE = D(2026, 9, 30)
COMPLET = {
    "code_commune_naissance": "69123",
    "adresse": "1 rue Neuve",
    "code_postal": "69001",
    "commune": "Lyon",
    "telephone": "0601020304",
}


@pytest.fixture
def operation(world):
    return OperationFactory(plie=world.plie_a, places=4)


def _inscrit(operation, **kwargs):
    participant = ParticipantFactory(plie=operation.plie, **COMPLET)
    return InscriptionFactory(operation=operation, participant=participant, **kwargs)


def test_completeness_counts_of_an_operation(operation, django_assert_num_queries):
    today = D(2026, 11, 10)
    _inscrit(operation, complete=True)  # complete, still enrolled
    _inscrit(operation, complete=True, niveau_formation="")  # Q2 missing
    _inscrit(operation)  # nothing answered
    _inscrit(operation, complete=True, date_sortie=D(2026, 10, 13))  # day 28 today: to record, 0 left
    _inscrit(operation, complete=True, date_sortie=D(2026, 10, 12))  # day 29: past
    _inscrit(operation, complete=True, sortie=True)  # recorded on day 15
    _inscrit(operation, complete=True, sortie=True, sortie_renseignee_le=D(2026, 10, 29))  # day 29: late
    with django_assert_num_queries(1):
        compteurs = selectors.completude_operation(operation, today)
    assert compteurs == {
        "inscriptions": 7,
        "entrees_incompletes": 2,
        "sorties": 4,
        "sorties_a_renseigner": 1,
        "sorties_hors_delai": 1,
        "sorties_renseignees": 1,
        "sorties_renseignees_tard": 1,
    }
    with django_assert_num_queries(2):
        a_renseigner, hors_delai = selectors.sorties_sans_donnees(operation, today)
        noms = [str(i.participant) for i in a_renseigner]
    assert [i.fenetre.jours_restants for i in a_renseigner] == [0]
    assert len(noms) == 1 and len(hors_delai) == 1
    with django_assert_num_queries(1):
        incompletes = selectors.avec_manques(list(selectors.inscriptions_incompletes(operation)))
    assert sorted(len(i.manques) for i in incompletes)[0] == 1
    assert any(m.champ == "niveau_formation" for i in incompletes for m in i.manques)


def test_counts_across_operations(world, operation, django_assert_num_queries):
    autre = OperationFactory(plie=world.plie_b)
    vide = OperationFactory(plie=world.plie_a)
    _inscrit(operation)
    _inscrit(operation, complete=True)
    _inscrit(autre)
    with django_assert_num_queries(2):
        lignes, total = selectors.completude_par_operation(
            type(operation).objects.filter(pk__in=[operation.pk, autre.pk, vide.pk]), D(2026, 6, 1)
        )
    par_pk = {o.pk: o.compteurs for o in lignes}
    assert par_pk[operation.pk]["inscriptions"] == 2
    assert par_pk[operation.pk]["entrees_incompletes"] == 1
    assert par_pk[autre.pk]["entrees_incompletes"] == 1
    assert par_pk[vide.pk]["inscriptions"] == 0
    assert total["inscriptions"] == 3 and total["entrees_incompletes"] == 2


def test_month_ends_of_a_period():
    assert selectors.fins_de_mois(D(2028, 1, 1), D(2028, 3, 31)) == [
        D(2028, 1, 31),
        D(2028, 2, 29),
        D(2028, 3, 31),
    ]
    assert selectors.fins_de_mois(D(2026, 1, 15), D(2026, 3, 10)) == [
        D(2026, 1, 31),
        D(2026, 2, 28),
        D(2026, 3, 10),
    ]
    assert selectors.fins_de_mois(D(2026, 1, 1), D(2026, 12, 31), D(2026, 3, 30)) == [
        D(2026, 1, 31),
        D(2026, 2, 28),
    ]


def test_occupancy_counts_participants_enrolled_on_the_last_day_of_each_month(
    operation, django_assert_num_queries
):
    operation.date_debut, operation.date_fin = D(2026, 1, 1), D(2026, 4, 30)
    operation.save()
    _inscrit(operation, date_entree=D(2026, 1, 31))  # enters on a month end: counts that day
    _inscrit(operation, date_entree=D(2026, 1, 5), date_sortie=D(2026, 2, 28))  # leaves on a month end
    _inscrit(operation, date_entree=D(2026, 2, 1), date_sortie=D(2026, 2, 27))  # never on a month end
    _inscrit(operation, date_entree=D(2026, 3, 2))
    with django_assert_num_queries(1):
        occ = selectors.occupation(operation, D(2026, 5, 15), par_referent=False)
    assert [(m["jour"], m["presents"]) for m in occ.mois] == [
        (D(2026, 1, 31), 2),
        (D(2026, 2, 28), 2),
        (D(2026, 3, 31), 2),
        (D(2026, 4, 30), 2),
    ]
    assert [m["taux"] for m in occ.mois] == [0.5, 0.5, 0.5, 0.5]
    assert occ.taux_moyen == 0.5
    operation.places = None
    assert selectors.occupation(operation, D(2026, 5, 15), par_referent=False).taux_moyen is None


def test_occupancy_per_referent_follows_the_affectation_history(operation, django_assert_num_queries):
    operation.date_debut, operation.date_fin = D(2026, 1, 1), D(2026, 3, 31)
    operation.save()
    alice = UserFactory(first_name="Alice", last_name="Martin")
    bruno = UserFactory(first_name="Bruno", last_name="Petit")
    participant = ParticipantFactory(plie=operation.plie)
    parcours = ParcoursFactory(participant=participant, en_parcours=True, referent=bruno)
    # Alice until 15 February, Bruno from 16 February.
    AffectationReferent.objects.create(
        parcours=parcours, referent=alice, date_debut=D(2026, 1, 2), date_fin=D(2026, 2, 15)
    )
    AffectationReferent.objects.create(parcours=parcours, referent=bruno, date_debut=D(2026, 2, 16))
    InscriptionFactory(
        operation=operation, participant=participant, parcours=parcours, date_entree=D(2026, 1, 2)
    )
    _inscrit(operation, date_entree=D(2026, 1, 10))  # no parcours: « Sans référent »
    with django_assert_num_queries(2):
        occ = selectors.occupation(operation, D(2026, 6, 1))
    assert [m["presents"] for m in occ.mois] == [2, 2, 2]
    assert occ.referents == [
        {"nom": "Alice Martin", "presents": [1, 0, 0]},
        {"nom": "Bruno Petit", "presents": [0, 1, 1]},
        {"nom": "Sans référent", "presents": [1, 1, 1]},
    ]


# --- Results against targets --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("categorie", "validee", "plie"),
    [
        (CategorieSortie.EMPLOI_DURABLE, True, "emploi_durable"),
        (CategorieSortie.EMPLOI_DURABLE, False, "autre"),
        (CategorieSortie.QUALIFIANTE, True, "qualifiante"),
        (CategorieSortie.POSITIVE_AUTRE, True, "positive_autre"),
        (CategorieSortie.POSITIVE_AUTRE, False, "autre"),
        (CategorieSortie.NEUTRALISEE, False, "neutralisee"),
        (CategorieSortie.ABANDON, False, "abandon"),
        (None, False, "autre"),
    ],
)
def test_plie_nomenclature_classes(categorie, validee, plie):
    assert classe_plie(categorie, validee) == plie


@pytest.mark.parametrize(
    ("categorie_departement", "validee", "departement"),
    [
        ("emploi_durable", True, "emploi_durable"),
        ("emploi_durable", False, "autre"),  # an unvalidated lasting job does not count yet
        ("positive", True, "positive"),
        ("positive", False, "autre"),
        ("emploi_transition", False, "emploi_transition"),
        ("emploi_transition", True, "emploi_transition"),
        ("", True, "autre"),
        (None, False, "autre"),
    ],
)
def test_departement_nomenclature_classes_follow_the_exit_type_setting(
    categorie_departement, validee, departement
):
    assert classe_departement(categorie_departement, validee) == departement


def test_results_table_in_the_departement_nomenclature():
    operation = OperationFactory.build(
        nomenclature="departement",
        objectif_emploi_durable=30,
        objectif_emploi_transition=None,
        objectif_sorties_positives=20,
        objectif_sorties_dynamiques=60,
    )
    lignes = [
        ("emploi_durable", "emploi_durable", True, 3),
        ("positive_autre", "emploi_transition", True, 1),
        ("qualifiante", "positive", True, 2),
        ("abandon", "", False, 4),
    ]
    result = resultats("departement", lignes, operation)
    par_code = {c["code"]: c for c in result["classes"]}
    assert result["sorties"] == 10
    assert par_code["emploi_durable"]["taux"] == 0.3 and par_code["emploi_durable"]["atteint"] is True
    assert par_code["emploi_transition"]["nombre"] == 1 and par_code["emploi_transition"]["objectif"] is None
    assert par_code["positive"]["nombre"] == 2
    assert par_code["dynamique"]["nombre"] == 6
    assert par_code["dynamique"]["ecart"] == pytest.approx(0.0)
    assert par_code["autre"]["nombre"] == 4
    assert resultats("plie", [], operation)["classes"][0]["taux"] is None  # no exit: no rate


def test_results_of_an_operation_count_validated_exits_of_its_participants(
    world, operation, django_assert_num_queries
):
    plie = operation.plie
    cdi = TypeSortieFactory(plie=plie, positive=True)
    abandon = TypeSortieFactory(plie=plie)

    def sorti(type_sortie, *, validee, date_sortie=SORTIE, inscription_sortie=SORTIE):
        participant = ParticipantFactory(plie=plie)
        parcours = ParcoursFactory(participant=participant, sorti=True, date_sortie=date_sortie)
        SortieFactory(parcours=parcours, type=type_sortie, validee=validee)
        return InscriptionFactory(
            operation=operation, participant=participant, parcours=parcours, date_sortie=inscription_sortie
        )

    sorti(cdi, validee=True)
    sorti(cdi, validee=True)
    sorti(cdi, validee=False)  # a job not validated yet: not positive
    sorti(abandon, validee=False)
    # Carried into next year's operation: the parcours exits in 2027, not an exit of this one.
    sorti(cdi, validee=True, date_sortie=D(2027, 3, 1), inscription_sortie=D(2026, 12, 31))
    _inscrit(operation)  # still in parcours
    with django_assert_num_queries(2):
        result = selectors.resultats_operation(operation)
    par_code = {c["code"]: c for c in result["classes"]}
    assert result["sorties"] == 4
    assert result["participants"] == 6
    assert par_code["emploi_durable"]["nombre"] == 2
    assert par_code["sorties_positives"]["taux"] == 0.5
    assert (
        par_code["sorties_positives"]["objectif"] == 0.5 and par_code["sorties_positives"]["atteint"] is True
    )
    assert par_code["abandon"]["nombre"] == 1
    assert par_code["autre"]["nombre"] == 1


def test_departement_results_follow_the_class_set_on_the_exit_types(world, django_assert_num_queries):
    """The Département's classes come from ``TypeSortie.categorie_departement``, set by the PLIE:
    a type it reclassifies as « emploi de transition » moves its exits, whatever its category."""
    operation = OperationFactory(plie=world.plie_a, places=4, nomenclature="departement")
    plie = operation.plie
    types = {t.code: t for t in plie.types_sortie.all()}
    assert types["CDI"].categorie_departement == "emploi_durable"  # the defaults of a new PLIE
    assert types["FORMATION_QUALIFIANTE"].categorie_departement == "positive"
    assert types["ABANDON"].categorie_departement == ""
    court = TypeSortieFactory(
        plie=plie, code="CDD_3M", libelle="CDD de 3 mois", categorie=CategorieSortie.AUTRE
    )

    def sorti(type_sortie, *, validee=True):
        participant = ParticipantFactory(plie=plie)
        parcours = ParcoursFactory(participant=participant, sorti=True, date_sortie=SORTIE)
        SortieFactory(parcours=parcours, type=type_sortie, validee=validee)
        InscriptionFactory(
            operation=operation, participant=participant, parcours=parcours, date_sortie=SORTIE
        )

    sorti(types["CDI"])
    sorti(types["CDI"], validee=False)  # not validated yet: « autre »
    sorti(types["FORMATION_QUALIFIANTE"])
    sorti(court)
    sorti(types["ABANDON"])

    def nombres():
        with django_assert_num_queries(2):
            result = selectors.resultats_operation(operation)
        return {c["code"]: c["nombre"] for c in result["classes"]}

    assert nombres() == {
        "emploi_durable": 1,
        "emploi_transition": 0,
        "positive": 1,
        "dynamique": 2,
        "autre": 3,
    }
    court.categorie_departement = "emploi_transition"
    court.save()
    assert nombres() == {
        "emploi_durable": 1,
        "emploi_transition": 1,
        "positive": 1,
        "dynamique": 3,
        "autre": 2,
    }
