"""The bilan's JSON contract (issue 7), its query count, and its scoping through the API."""

import json

import pytest
from django.db import connection

from parcours.enums import CategorieSortie as C
from plie.core.scoping import scope_for
from reporting.bilan import PlieInconnu, bilan_annuel
from reporting.flux import Periode
from tests.parcours.factories import EntretienFactory, EtapeFactory
from tests.reporting.conftest import D, make_parcours

CONTRACT_KEYS = {
    "plie",
    "annee",
    "flux",
    "taux",
    "repartitions",
    "duree_moyenne_parcours_mois",
    "etapes",
    "operations",
    "fse",
    "regle",  # the counting rule (reporting.regles_comptage), printed on the bilan's face
}
DIMENSIONS = {
    "sexe",
    "tranche_age",
    "th",
    "deld",
    "brsa",
    "qpv",
    "niveau_formation",
    "referent",
    "prescripteur",
}


@pytest.fixture
def data_a(world):
    """A little life in PLIE A for 2016; nothing in PLIE B."""
    plie = world.plie_a
    situation = {"statut_emploi": "non", "recherche_emploi": True, "duree_recherche_mois": 20}
    stock = make_parcours(plie, D(2015, 5, 4), referent=world.referent_a, situation=situation)
    make_parcours(plie, D(2015, 5, 4), D(2016, 7, 1), C.EMPLOI_DURABLE, referent=world.referent_a)
    entree = make_parcours(plie, D(2016, 2, 1), D(2016, 10, 3), C.ABANDON, referent=world.referent_a)
    make_parcours(plie, D(2016, 4, 1), D(2016, 11, 3), C.NEUTRALISEE)
    make_parcours(plie, D(2016, 9, 1), referent=world.referent_a, situation=situation)
    EtapeFactory(parcours=stock, date_debut=D(2016, 3, 1))
    # a planned étape cancelled: it never ran, no étape counts it
    EtapeFactory(parcours=stock, date_debut=D(2016, 5, 2), annulee=True, date_annulation=D(2016, 4, 20))
    EntretienFactory(parcours=entree, date=D(2016, 3, 8))
    return plie


def test_the_json_contract(data_a):
    bilan = bilan_annuel("plie-a", 2016)
    assert set(bilan) == CONTRACT_KEYS
    assert (bilan["plie"], bilan["annee"]) == ("plie-a", 2016)
    assert bilan["flux"] == {
        "en_parcours_debut": 2,
        "entrees": 3,
        "en_parcours_annee": 5,
        "sorties_positives": {"total": 1, "emploi_durable": 1, "qualifiante": 0, "autres": 0},
        "sorties_sans_suite": {"total": 2, "abandons": 1, "neutralisees": 1, "autres": 0},
        "en_parcours_fin": 2,
        "sorties_par_categorie": {
            "emploi_durable": 1,
            "creation_entreprise": 0,
            "qualifiante": 0,
            "positive_autre": 0,
            "neutralisee": 1,
            "abandon": 1,
            "autre": 0,
            "non_validee": 0,
        },
    }
    assert bilan["taux"] == {
        "sorties_positives_sur_sorties": 1 / 3,
        "sorties_positives_hors_neutralisees": 1 / 2,
        "sorties_positives_hors_neutralisees_plie": 1 / 2,  # the PLIE neutralises the same move
        "sorties_positives_sur_entrees": 1 / 3,
        "abandons_sur_sorties": 1 / 3,
    }
    assert set(bilan["repartitions"]) == DIMENSIONS
    for valeurs in bilan["repartitions"].values():
        for figures in valeurs.values():
            assert set(figures) == {
                "entrees",
                "sorties",
                "sorties_positives",
                "abandons",
                "taux_sorties_positives",
                "taux_abandons",
            }
    assert isinstance(bilan["duree_moyenne_parcours_mois"], float)
    assert bilan["etapes"]["etapes"] == 1
    assert bilan["etapes"]["accompagnement"]["total"]["entretiens"] == 1
    assert bilan["operations"] == []
    assert bilan["fse"] == {}
    assert json.loads(json.dumps(bilan)) == bilan  # plain JSON: no dates, no Decimals


def test_the_whole_bilan_in_a_fixed_number_of_queries(data_a, django_assert_num_queries):
    # 1 the PLIE by its code
    # 2 the flow table, the durations, and per (référent, prescripteur) the breakdown counts and
    #   the participants in parcours month by month (one grouped conditional aggregate)
    # 3 the public-category cube (sexe × âge × TH × DELD × BRSA × QPV × niveau)
    # 4 étapes per step category and participants per main step category (one query on
    #   PostgreSQL since issue 17's second pass, was two)
    # 5 entretiens per (référent, month), with their modes
    # 6 the FSE operations overlapping the year (none here: no operations/FSE queries follow)
    with django_assert_num_queries(6 if connection.vendor == "postgresql" else 7):
        bilan_annuel("plie-a", 2016)
    for _ in range(5):  # more data, same number of queries
        make_parcours(data_a, D(2016, 5, 2), D(2016, 8, 1), C.QUALIFIANTE)
    # given the PLIE itself: no lookup
    with django_assert_num_queries(5 if connection.vendor == "postgresql" else 6):
        bilan_annuel(data_a, 2016)


def test_plie_b_sees_nothing_of_plie_a(world, data_a):
    bilan = bilan_annuel(world.plie_b, 2016)
    assert bilan["flux"]["en_parcours_annee"] == 0
    assert bilan["repartitions"]["referent"] == {}
    assert bilan["etapes"]["etapes"] == 0
    assert bilan["etapes"]["accompagnement"]["total"]["entretiens"] == 0


def test_an_unknown_plie(db):
    with pytest.raises(PlieInconnu, match="PLIE inconnu : nulle-part"):
        bilan_annuel("nulle-part", 2016)


URL = "/api/v1/plie/{}/bilan/2016/"


@pytest.mark.parametrize(
    ("persona", "code", "status"),
    [
        ("gestionnaire_a", "plie-a", 200),
        ("referent_a", "plie-a", 200),
        ("financeur", "plie-a", 200),  # aggregates only
        ("oi_user", "plie-a", 200),
        ("oi_user", "plie-b", 200),
        ("referent_b", "plie-a", 404),  # PLIE B sees nothing of A
        ("financeur", "plie-b", 404),
        ("oi_user", "plie-c", 404),
        ("no_role", "plie-a", 404),
        ("gestionnaire_a", "inconnu", 404),
    ],
)
def test_api_is_scoped(client, world, data_a, persona, code, status):
    client.force_login(getattr(world, persona))
    response = client.get(URL.format(code))
    assert response.status_code == status
    if status == 200:
        assert response.json()["plie"] == code
        expected_entries = 3 if code == "plie-a" else 0
        if persona in ("financeur", "oi_user") and code == "plie-a":  # 3 people: small-cell suppression
            expected_entries = "< 5"
        assert response.json()["flux"]["entrees"] == expected_entries


def test_api_financeur_gets_the_same_figures_suppressed(client, world, data_a):
    from reporting.confidentialite import anonymiser_referents, masquer

    client.force_login(world.financeur)
    response = client.get(URL.format("plie-a"))
    expected = masquer(anonymiser_referents(bilan_annuel("plie-a", 2016)))
    assert response.json() == json.loads(json.dumps(expected))
    assert world.referent_a.last_name not in response.content.decode()


def test_api_needs_a_login(client, data_a):
    # no session, no token: 401 (the API's uniform error body, issue 16)
    assert client.get(URL.format("plie-a")).status_code == 401


def test_api_refuses_an_absurd_year(client, world):
    client.force_login(world.gestionnaire_a)
    assert client.get("/api/v1/plie/plie-a/bilan/1850/").status_code == 404


def test_api_query_count(client, world, data_a, django_assert_num_queries):
    client.force_login(world.financeur)
    # session, user, memberships, partner links (scope_for), the PLIE, the closed version (none),
    # then the 5 of the bilan (the two étapes queries are one on PostgreSQL since issue 17)
    with django_assert_num_queries(11 if connection.vendor == "postgresql" else 12):
        assert client.get(URL.format("plie-a")).status_code == 200


def test_perimetre_for_narrows_never_widens(world, data_a):
    from reporting.selectors import perimetre_for

    assert perimetre_for(scope_for(world.financeur)).plie_ids == {world.plie_a.pk}
    assert perimetre_for(scope_for(world.oi_user)).plie_ids == {world.plie_a.pk, world.plie_b.pk}
    assert perimetre_for(scope_for(world.oi_user), [world.plie_b.pk, world.plie_c.pk]).plie_ids == {
        world.plie_b.pk
    }
    assert perimetre_for(scope_for(world.referent_b), [world.plie_a.pk]).plie_ids == frozenset()
    assert perimetre_for(scope_for(world.no_role)).plie_ids == frozenset()
    referent = perimetre_for(scope_for(world.direction_a), referent_id=world.referent_a.pk)
    assert referent.parcours().count() == 4  # the parcours of PLIE A followed by referent_a


@pytest.mark.parametrize(
    "periode", [Periode.annee(2016), Periode.mois(2016, 6), Periode(D(2015, 12, 15), D(2016, 2, 3))]
)
def test_one_query_gives_the_flow_table_and_the_referent_and_prescripteur_rows(data_a, periode):
    """compter_et_repartir (one grouped query) gives exactly what compter, lignes_referents and
    lignes_prescripteurs give (three queries)."""
    from reporting import flux
    from reporting.selectors import Perimetre

    for perimetre in (Perimetre(frozenset([data_a.pk])), Perimetre(frozenset())):
        compteurs, referents, prescripteurs = flux.compter_et_repartir(perimetre, periode)
        assert compteurs == flux.compter(perimetre, periode)

        def key(row):
            return tuple((k, v if v is not None else -1) for k, v in sorted(row.items()))

        assert sorted(referents, key=key) == sorted(flux.lignes_referents(perimetre, periode), key=key)
        attendus = flux.lignes_prescripteurs(perimetre, periode)
        assert sorted(prescripteurs, key=key) == sorted(attendus, key=key)
