"""Every /api/v1/ route, walked: without a token a 401 in the error shape; with the token of a
user who sees no participant (a financeur, a user without role) an empty list, never a row of
a PLIE they do not see."""

import pytest

from plie.api import router
from tests.factories import ParticipantFactory
from tests.operations.factories import InscriptionFactory
from tests.parcours.factories import EntretienFactory, EtapeFactory, ParcoursFactory

ROUTES = [prefix for prefix, _, _ in router.registry]
# aggregates and the partners' list: a financeur sees its PLIE's operations and structures
FIGURES = {"operations", "structures"}


@pytest.fixture
def rows(world):
    parcours = ParcoursFactory(plie=world.plie_a, participant__plie=world.plie_a, en_parcours=True)
    EntretienFactory(parcours=parcours)
    EtapeFactory(parcours=parcours)
    InscriptionFactory(participant=parcours.participant, parcours=parcours, operation__plie=world.plie_a)
    ParticipantFactory(plie=world.plie_a)
    return parcours


@pytest.mark.parametrize("prefix", ROUTES)
def test_without_token_401(client, db, prefix):
    response = client.get(f"/api/v1/{prefix}/")
    assert response.status_code == 401
    assert response.json()["code"] == "non_authentifie"


@pytest.mark.parametrize("prefix", ROUTES)
@pytest.mark.parametrize("persona", ["no_role", "financeur", "referent_b"])
def test_nothing_of_another_plie(api, world, rows, prefix, persona):
    response = api(getattr(world, persona)).get(f"/api/v1/{prefix}/")
    assert response.status_code == 200
    data = response.json()["resultats"]
    if persona == "financeur" and prefix in FIGURES:
        return
    if prefix == "referents" and persona == "referent_b":
        assert {r["email"] for r in data} == {"referent.b@exemple.fr", "referent.operateur@exemple.fr"}
        return
    if prefix == "structures" and persona == "referent_b":
        assert {r["nom"] for r in data} == {"PLIE B", "Association Tremplin"}
        return
    assert data == []


@pytest.mark.parametrize("prefix", ["participants", "parcours", "entretiens", "etapes", "inscriptions"])
def test_detail_outside_scope_is_404(api, world, rows, prefix):
    client = api(world.referent_a)
    first = client.get(f"/api/v1/{prefix}/").json()["resultats"][0]["id"]
    assert client.get(f"/api/v1/{prefix}/{first}/").status_code == 200
    response = api(world.referent_b).get(f"/api/v1/{prefix}/{first}/")
    assert response.status_code == 404
    assert response.json()["code"] == "introuvable"
