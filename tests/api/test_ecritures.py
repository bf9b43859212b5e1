"""API writes through the UI's services (issue 16): étapes, suspensions, commissions and their
decisions — the same rules (403), the scope (404 / 400 outside it), the parcours' optimistic
lock (409) and the uniform error body."""

import datetime
from zoneinfo import ZoneInfo

import pytest

from parcours.enums import ObjetPassage, StatutParcours
from parcours.models import Commission, Decision, Etape, Parcours, Suspension
from tests.parcours.factories import CommissionFactory, ParcoursFactory, TypeEtapeFactory

PARIS = ZoneInfo("Europe/Paris")
JSON = "application/json"


@pytest.fixture(autouse=True)
def frozen_today(time_machine):
    time_machine.move_to(datetime.datetime(2026, 6, 15, 10, 0, tzinfo=PARIS), tick=False)


@pytest.fixture
def parcours_a(world):
    return ParcoursFactory(
        plie=world.plie_a, participant__plie=world.plie_a, en_parcours=True, referent=world.referent_a
    )


def test_an_etape_through_the_service(api, world, parcours_a):
    TypeEtapeFactory(plie=world.plie_a, code="formation")
    client = api(world.referent_a, ecriture=True)
    payload = {"parcours": parcours_a.pk, "type": "formation", "date_debut": "2026-03-02"}
    response = client.post("/api/v1/etapes/", payload, content_type=JSON)
    assert response.status_code == 201, response.json()
    assert response.json()["type"] == "formation"
    assert Etape.objects.get().parcours == parcours_a
    before = client.post("/api/v1/etapes/", {**payload, "date_debut": "2026-01-01"}, content_type=JSON)
    assert before.status_code == 400 and "date_debut" in before.json()["champs"]
    unknown = client.post("/api/v1/etapes/", {**payload, "type": "inconnu"}, content_type=JSON)
    assert unknown.json()["champs"] == {
        "type": ["Ce type d'étape ne fait pas partie du référentiel du PLIE."]
    }
    assert Etape.objects.count() == 1


def test_an_etape_outside_the_scope_or_the_role(api, world, parcours_a):
    TypeEtapeFactory(plie=world.plie_a, code="formation")
    payload = {"parcours": parcours_a.pk, "type": "formation", "date_debut": "2026-03-02"}
    outside = api(world.referent_b, ecriture=True).post("/api/v1/etapes/", payload, content_type=JSON)
    assert outside.status_code == 400 and "parcours" in outside.json()["champs"]
    reader = api(world.gestionnaire_a, ecriture=True).post("/api/v1/etapes/", payload, content_type=JSON)
    assert reader.status_code == 403 and reader.json()["code"] == "interdit"
    read_only = api(world.referent_a).post("/api/v1/etapes/", payload, content_type=JSON)
    assert read_only.status_code == 403
    assert not Etape.objects.exists()


def test_a_suspension_with_the_parcours_version(api, world, parcours_a):
    client = api(world.referent_a, ecriture=True)
    payload = {"parcours": parcours_a.pk, "version": 0, "motif": "sante", "date_debut": "2026-06-01"}
    stale = client.post("/api/v1/suspensions/", payload, content_type=JSON)
    assert stale.status_code == 409 and stale.json()["code"] == "conflit"
    response = client.post(
        "/api/v1/suspensions/", {**payload, "version": parcours_a.version}, content_type=JSON
    )
    assert response.status_code == 201, response.json()
    parcours = Parcours.objects.get(pk=parcours_a.pk)
    assert parcours.status == StatutParcours.SUSPENDU
    suspension = Suspension.objects.get()
    url = f"/api/v1/suspensions/{suspension.pk}/terminer/"
    assert client.post(url, {"version": 0, "date_fin": "2026-06-10"}, content_type=JSON).status_code == 409
    ended = client.post(url, {"version": parcours.version, "date_fin": "2026-06-10"}, content_type=JSON)
    assert ended.status_code == 200 and ended.json()["date_fin"] == "2026-06-10"
    assert Parcours.objects.get(pk=parcours_a.pk).status == StatutParcours.EN_PARCOURS
    other = api(world.referent_b, ecriture=True)
    assert other.post(url, {"version": 1, "date_fin": "2026-06-10"}, content_type=JSON).status_code == 404


def test_a_session_and_its_decision(api, world):
    candidat = ParcoursFactory(plie=world.plie_a, participant__plie=world.plie_a)
    client = api(world.animateur_a, ecriture=True)
    created = client.post("/api/v1/commissions/", {"plie": "plie-a", "date": "2026-06-12"}, content_type=JSON)
    assert created.status_code == 201, created.json()
    commission = Commission.objects.get()
    decision = Decision.objects.create(
        commission=commission, parcours=candidat, objet=ObjetPassage.CANDIDATURE
    )
    url = f"/api/v1/commissions/{commission.pk}/decider/"
    payload = {
        "dossier": decision.pk,
        "version": candidat.version,
        "decision": "admis",
        "date_entree": "2026-06-12",
        "referent": world.referent_a.pk,
        "date_signature_contrat": "2026-06-12",
        "motif_partage": "Bienvenue",
    }
    assert client.post(url, {**payload, "version": 0}, content_type=JSON).status_code == 409
    missing = client.post(url, {**payload, "date_entree": None}, content_type=JSON)
    assert missing.status_code == 400 and "date_entree" in missing.json()["champs"]
    response = client.post(url, payload, content_type=JSON)
    assert response.status_code == 200, response.json()
    assert response.json()["decisions"][0]["motif_partage"] == "Bienvenue"
    assert Parcours.objects.get(pk=candidat.pk).status == StatutParcours.EN_PARCOURS


def test_sessions_are_the_animation_s(api, world):
    assert (
        api(world.referent_a, ecriture=True)
        .post("/api/v1/commissions/", {"plie": "plie-a", "date": "2026-06-12"}, content_type=JSON)
        .status_code
        == 403
    )
    outside = api(world.referent_b, ecriture=True).post(
        "/api/v1/commissions/", {"plie": "plie-a", "date": "2026-06-12"}, content_type=JSON
    )
    assert outside.status_code == 400 and outside.json()["champs"]["plie"]
    commission = CommissionFactory(plie=world.plie_a, date=datetime.date(2026, 6, 12))
    response = api(world.referent_b, ecriture=True).post(
        f"/api/v1/commissions/{commission.pk}/decider/", {}, content_type=JSON
    )
    assert response.status_code == 404
    response = api(world.referent_a, ecriture=True).post(
        f"/api/v1/commissions/{commission.pk}/decider/", {}, content_type=JSON
    )
    assert response.status_code == 403
    assert Commission.objects.count() == 1
