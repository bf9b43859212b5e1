"""/api/v1/ resources: scope (404 outside it), roles (403), sensitive fields, services reused
(sorties and their version: 409), filters, modifie_depuis, tombstones, cursor pages."""

import datetime

import pytest
from django.utils import timezone

from parcours.enums import ObjetPassage, StatutParcours
from parcours.models import Decision
from participants.models import Participant
from tests.factories import ParticipantFactory, SituationEntreeFactory
from tests.operations.factories import InscriptionFactory, OperationFactory
from tests.parcours.factories import (
    CommissionFactory,
    EntretienFactory,
    EtapeFactory,
    ParcoursFactory,
    TypeSortieFactory,
)


def results(response):
    assert response.status_code == 200, response.content
    return response.json()["resultats"]


@pytest.fixture
def dossiers(world):
    a = ParticipantFactory(plie=world.plie_a, nom="Alpha")
    b = ParticipantFactory(plie=world.plie_b, nom="Bravo")
    SituationEntreeFactory(participant=a, handicap_reconnu=True)
    return a, b


def test_participants_list_is_scoped(api, world, dossiers):
    a, b = dossiers
    rows = results(api(world.referent_a).get("/api/v1/participants/"))
    assert [row["id"] for row in rows] == [a.pk]
    assert rows[0]["plie"] == "plie-a"


def test_participant_outside_scope_is_404_with_the_error_body(api, world, dossiers):
    _, b = dossiers
    response = api(world.referent_a).get(f"/api/v1/participants/{b.pk}/")
    assert response.status_code == 404
    assert response.json() == {"code": "introuvable", "message": "Ressource introuvable.", "champs": {}}


def test_financeur_sees_no_participant(api, world, dossiers):
    assert results(api(world.financeur).get("/api/v1/participants/")) == []


@pytest.mark.parametrize(
    ("persona", "sees"), [("referent_a", True), ("animateur_a", True), ("gestionnaire_a", False)]
)
def test_sensitive_answer_only_for_roles_that_see_it(api, world, dossiers, persona, sees):
    a, _ = dossiers
    data = api(getattr(world, persona)).get(f"/api/v1/participants/{a.pk}/").json()
    assert ("handicap_reconnu" in data["situation_entree"]) is sees
    if sees:
        assert data["situation_entree"]["handicap_reconnu"] is True


NEW = {"plie": "plie-a", "nom": "Martin", "prenom": "Léa", "sexe": "F", "date_naissance": "1990-04-12"}


def test_create_participant_through_the_service(api, world):
    response = api(world.referent_a, ecriture=True).post(
        "/api/v1/participants/", NEW, content_type="application/json"
    )
    assert response.status_code == 201, response.content
    created = Participant.objects.get(pk=response.json()["id"])
    assert created.created_by == world.referent_a and created.plie == world.plie_a


@pytest.mark.parametrize(
    ("persona", "ecriture", "status"),
    [("gestionnaire_a", True, 403), ("referent_a", False, 403), ("referent_b", True, 403)],
)
def test_create_participant_refused(api, world, persona, ecriture, status):
    response = api(getattr(world, persona), ecriture=ecriture).post(
        "/api/v1/participants/", NEW, content_type="application/json"
    )
    assert response.status_code == status
    assert response.json()["code"] == "interdit"
    assert not Participant.objects.exists()


def test_create_participant_bad_input_names_the_fields(api, world):
    response = api(world.referent_a, ecriture=True).post(
        "/api/v1/participants/",
        {**NEW, "date_naissance": "31/02/1990", "sexe": "X"},
        content_type="application/json",
    )
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "donnees_invalides"
    assert set(body["champs"]) == {"date_naissance", "sexe"}


def test_duplicate_is_409_then_accepted_when_discarded(api, world):
    ParticipantFactory(
        plie=world.plie_a, nom="Martin", prenom="Léa", date_naissance=datetime.date(1990, 4, 12)
    )
    client = api(world.referent_a, ecriture=True)
    response = client.post("/api/v1/participants/", NEW, content_type="application/json")
    assert response.status_code == 409
    assert response.json()["code"] == "conflit"
    again = client.post(
        "/api/v1/participants/", {**NEW, "doublons_ecartes": True}, content_type="application/json"
    )
    assert again.status_code == 201


def test_update_participant(api, world, dossiers):
    a, _ = dossiers
    client = api(world.referent_a, ecriture=True)
    response = client.patch(
        f"/api/v1/participants/{a.pk}/", {"commune": "Lyon"}, content_type="application/json"
    )
    assert response.status_code == 200, response.content
    a.refresh_from_db()
    assert a.commune == "Lyon"
    refused = api(world.gestionnaire_a, ecriture=True).patch(
        f"/api/v1/participants/{a.pk}/", {"commune": "Nice"}, content_type="application/json"
    )
    assert refused.status_code == 403


def test_filters_and_modifie_depuis(api, world):
    old = ParticipantFactory(plie=world.plie_a, nom="Ancien", commune="Lyon")
    Participant.history.filter(id=old.pk).update(history_date=timezone.now() - datetime.timedelta(days=3))
    new = ParticipantFactory(plie=world.plie_a, nom="Nouveau", commune="Nice")
    client = api(world.referent_a)
    since = (timezone.now() - datetime.timedelta(days=1)).isoformat()
    assert [r["id"] for r in results(client.get("/api/v1/participants/", {"modifie_depuis": since}))] == [
        new.pk
    ]
    assert [r["id"] for r in results(client.get("/api/v1/participants/", {"commune": "lyon"}))] == [old.pk]
    assert [r["id"] for r in results(client.get("/api/v1/participants/", {"q": "ancien"}))] == [old.pk]
    bad = client.get("/api/v1/participants/", {"modifie_depuis": "hier"})
    assert bad.status_code == 400 and "modifie_depuis" in bad.json()["champs"]


def test_deletions_are_listed_as_tombstones(api, world, dossiers):
    a, b = dossiers
    a_id = a.pk
    a.delete()
    b.delete()
    rows = results(api(world.referent_a).get("/api/v1/participants/supprimes/"))
    assert [(r["id"], r["supprime"]) for r in rows] == [(a_id, True)]  # not PLIE B's


def test_cursor_pagination(api, world):
    for _ in range(3):
        ParticipantFactory(plie=world.plie_a)
    client = api(world.referent_a)
    first = client.get("/api/v1/participants/", {"taille": 2}).json()
    assert len(first["resultats"]) == 2 and first["suivant"]
    second = client.get(first["suivant"]).json()
    assert len(second["resultats"]) == 1 and second["suivant"] is None
    seen = {r["id"] for r in first["resultats"]} | {r["id"] for r in second["resultats"]}
    assert len(seen) == 3


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        # token, user's memberships, count-free cursor page, + one prefetch where nested
        ("/api/v1/participants/", 5),  # + the access journal's insert (the page's people)
        ("/api/v1/parcours/", 3),
        ("/api/v1/entretiens/", 3),
        ("/api/v1/etapes/", 3),
        ("/api/v1/inscriptions/", 3),
        ("/api/v1/operations/", 3),
        ("/api/v1/sorties/", 3),
        ("/api/v1/commissions/", 4),
    ],
)
def test_list_query_count_does_not_grow_with_the_page(api, world, django_assert_num_queries, url, expected):
    def add(n):
        for _ in range(n):
            parcours = ParcoursFactory(plie=world.plie_a, participant__plie=world.plie_a, en_parcours=True)
            SituationEntreeFactory(participant=parcours.participant)
            EntretienFactory(parcours=parcours)
            EtapeFactory(parcours=parcours)
            InscriptionFactory(
                participant=parcours.participant, parcours=parcours, operation__plie=world.plie_a
            )
            Decision.objects.create(
                commission=CommissionFactory(plie=world.plie_a),
                parcours=parcours,
                objet=ObjetPassage.CANDIDATURE,
            )

    client = api(world.referent_a)
    client.get(url)  # the token's last use is written once a minute: not in the count below
    add(1)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as one:
        assert client.get(url).status_code == 200
    assert len(one.captured_queries) == expected
    add(3)
    with django_assert_num_queries(len(one.captured_queries)):
        assert client.get(url).status_code == 200


@pytest.fixture
def parcours_a(world):
    return ParcoursFactory(
        plie=world.plie_a, participant__plie=world.plie_a, en_parcours=True, referent=world.referent_a
    )


def test_parcours_filters(api, world, parcours_a):
    candidat = ParcoursFactory(plie=world.plie_a, participant__plie=world.plie_a)
    ParcoursFactory(plie=world.plie_b, participant__plie=world.plie_b, en_parcours=True)
    client = api(world.referent_a)
    assert [r["id"] for r in results(client.get("/api/v1/parcours/", {"actif": "true"}))] == [parcours_a.pk]
    assert [r["id"] for r in results(client.get("/api/v1/parcours/", {"statut": "candidat"}))] == [
        candidat.pk
    ]
    assert results(client.get("/api/v1/parcours/", {"referent": world.referent_a.pk}))[0]["version"] == 1


def test_sortie_through_the_service_with_version(api, world, parcours_a):
    TypeSortieFactory(plie=world.plie_a)  # ABANDON: validated at once
    TypeSortieFactory(plie=world.plie_b)  # same code in another PLIE
    client = api(world.referent_a, ecriture=True)
    payload = {"parcours": parcours_a.pk, "version": 1, "type": "ABANDON", "date_sortie": "2026-03-02"}
    stale = client.post("/api/v1/sorties/", {**payload, "version": 0}, content_type="application/json")
    assert stale.status_code == 409
    assert stale.json()["code"] == "conflit"
    response = client.post("/api/v1/sorties/", payload, content_type="application/json")
    assert response.status_code == 201, response.content
    assert response.json()["validee"] is True
    parcours_a.refresh_from_db()
    assert parcours_a.status == StatutParcours.SORTI
    again = client.post(
        "/api/v1/sorties/", {**payload, "version": parcours_a.version}, content_type="application/json"
    )
    assert again.status_code == 400
    assert again.json()["message"].startswith("Ce parcours est clos")


def test_sortie_refused_to_a_role_and_outside_scope(api, world, parcours_a):
    TypeSortieFactory(plie=world.plie_a)
    payload = {"parcours": parcours_a.pk, "version": 1, "type": "ABANDON", "date_sortie": "2026-03-02"}
    forbidden = api(world.gestionnaire_a, ecriture=True).post(
        "/api/v1/sorties/", payload, content_type="application/json"
    )
    assert forbidden.status_code == 403
    outside = api(world.referent_b, ecriture=True).post(
        "/api/v1/sorties/", payload, content_type="application/json"
    )
    assert outside.status_code == 400  # the parcours is not among the choices: named in champs
    assert "parcours" in outside.json()["champs"]


def test_sortie_validation_through_the_service(api, world, parcours_a):
    from tests.parcours.factories import SortieFactory

    sortie = SortieFactory(
        parcours=parcours_a,
        type=TypeSortieFactory(plie=world.plie_a, positive=True),
        date_sortie=datetime.date(2026, 3, 2),
    )
    client = api(world.referent_a, ecriture=True)
    stale = client.post(
        f"/api/v1/sorties/{sortie.pk}/valider/",
        {"version": 99, "date_validation": "2026-03-10"},
        content_type="application/json",
    )
    assert stale.status_code == 409
    early = client.post(
        f"/api/v1/sorties/{sortie.pk}/valider/",
        {"version": parcours_a.version, "date_validation": "2026-03-10"},
        content_type="application/json",
    )
    assert early.status_code == 400  # the six months of job are not met: the service says why
    assert early.json()["champs"]["date_validation"]


def test_entretien_created_by_the_referent(api, world, parcours_a):
    client = api(world.referent_a, ecriture=True)
    response = client.post(
        "/api/v1/entretiens/",
        {"parcours": parcours_a.pk, "date": "2026-03-02", "mode": "individuel"},
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    assert response.json()["referent"] == world.referent_a.pk
    refused = api(world.gestionnaire_a, ecriture=True).post(
        "/api/v1/entretiens/",
        {"parcours": parcours_a.pk, "date": "2026-03-02", "mode": "individuel"},
        content_type="application/json",
    )
    assert refused.status_code == 403


def test_operations_inscriptions_structures_referents(api, world):
    operation = OperationFactory(plie=world.plie_a)
    OperationFactory(plie=world.plie_b, code="B-1")
    participant = ParticipantFactory(plie=world.plie_a)
    inscription = InscriptionFactory(operation=operation, participant=participant, handicap_reconnu=False)
    client = api(world.gestionnaire_a)
    assert [r["id"] for r in results(client.get("/api/v1/operations/"))] == [operation.pk]
    rows = results(client.get("/api/v1/inscriptions/", {"operation": operation.pk}))
    assert [r["id"] for r in rows] == [inscription.pk]
    assert "handicap_reconnu" not in rows[0]  # a gestionnaire does not see sensitive answers
    assert "handicap_reconnu" in results(api(world.referent_a).get("/api/v1/inscriptions/"))[0]
    structures = {r["nom"] for r in results(client.get("/api/v1/structures/"))}
    assert "PLIE A" in structures and "PLIE B" not in structures
    referents = {r["email"] for r in results(client.get("/api/v1/referents/"))}
    assert referents == {"referent.a@exemple.fr"}
    assert (
        client.post("/api/v1/structures/", {}, content_type="application/json").status_code == 403
    )  # read token


def test_unknown_address_under_the_api_is_a_json_404(api, world):
    response = api(world.referent_a).get("/api/v1/plie/a\nb/bilan/2026/")
    assert response.status_code == 404
    assert response.json()["code"] == "introuvable"


@pytest.mark.parametrize(
    ("value", "valid"),
    [
        ("2026-01-31T00:00:00Z", True),
        ("2026-01-31T10:00:00+02:00", True),
        ("2026-01-31", True),
        ("2026-01-31T10:00:00", True),
        ("0729-05-08T21:48:23-21:34", False),  # no time zone is 21 h 34 from UTC
        ("1850-01-01", False),
        ("31/01/2026", False),
        ("hier", False),
    ],
)
def test_parse_iso_datetime(value, valid):
    from plie.core.drf import parse_iso_datetime

    assert (parse_iso_datetime(value) is not None) is valid


def test_dossiers_read_through_the_api_are_journaled(world, api):
    """The access journal records the API's reads like the pages' (issue 14: « API detail »)."""
    from plie.core.enums import JournalAction
    from plie.core.models import AccessLog

    parcours = ParcoursFactory(plie=world.plie_a, participant__plie=world.plie_a, en_parcours=True)
    client = api(world.referent_a)
    assert client.get(f"/api/v1/participants/{parcours.participant_id}/").status_code == 200
    assert client.get("/api/v1/participants/").status_code == 200
    rows = AccessLog.objects.filter(participant_id=parcours.participant_id, action=JournalAction.CONSULTATION)
    assert sorted(rows.values_list("objet", flat=True)) == ["API", "API (liste)"]
    assert set(rows.values_list("user_id", flat=True)) == {world.referent_a.pk}


@pytest.mark.parametrize(
    "persona", ["referent_a", "gestionnaire_a", "referent_b", "deux_plie", "oi_user", "financeur"]
)
@pytest.mark.parametrize(
    ("url", "model"), [("/api/v1/entretiens/", "Entretien"), ("/api/v1/etapes/", "Etape")]
)
def test_children_pages_hold_exactly_the_rows_of_the_visible_parcours(api, world, persona, url, model):
    """Scoped on the rows' own PLIE, ids read first, PLIE by PLIE (``PliePagination``): page
    after page, the rows of the parcours the caller sees (the rule of before:
    ``parcours__in=visible_to``), newest first, each once; the previous page's link gives it back.
    ``deux_plie``: a référent of PLIE A and of PLIE B."""
    from parcours import models
    from parcours.models import Parcours
    from plie.core.enums import Role
    from plie.core.scoping import scope_for
    from tests.factories import MembershipFactory

    plie_count = 1
    if persona == "deux_plie":
        MembershipFactory(user=world.referent_b, structure=world.plie_a, role=Role.REFERENT)
        persona, plie_count = "referent_b", 2
    for plie in (world.plie_a, world.plie_b, world.plie_c, world.plie_a):
        parcours = ParcoursFactory(plie=plie, participant__plie=plie, en_parcours=True)
        for _ in range(2):
            EntretienFactory(parcours=parcours)
            EtapeFactory(parcours=parcours)
    user = getattr(world, persona)
    scope = scope_for(user)
    if persona.startswith("referent"):
        assert len(scope.personal_plie_ids) == plie_count
    visible = Parcours.objects.visible_to(scope)
    expected = list(
        getattr(models, model)
        .objects.filter(parcours__in=visible)
        .order_by("-id")
        .values_list("id", flat=True)
    )
    client = api(user)
    pages, link = [], f"{url}?taille=2"
    while link:
        body = client.get(link).json()
        pages.append(body)
        link = body["suivant"]
    assert [r["id"] for page in pages for r in page["resultats"]] == expected
    if len(pages) > 1:
        back = client.get(pages[1]["precedent"]).json()
        assert [r["id"] for r in back["resultats"]] == [r["id"] for r in pages[0]["resultats"]]


def test_children_lists_filter_within_the_scope(api, world):
    mine = ParcoursFactory(plie=world.plie_a, participant__plie=world.plie_a, en_parcours=True)
    other = ParcoursFactory(plie=world.plie_a, participant__plie=world.plie_a, en_parcours=True)
    theirs = ParcoursFactory(plie=world.plie_b, participant__plie=world.plie_b, en_parcours=True)
    entretien = EntretienFactory(parcours=mine, date=datetime.date(2026, 3, 20))
    EntretienFactory(parcours=mine, date=datetime.date(2026, 3, 5))
    EntretienFactory(parcours=other)
    EntretienFactory(parcours=theirs)
    etape = EtapeFactory(parcours=mine)
    EtapeFactory(parcours=mine, date_fin=datetime.date(2026, 3, 31))
    EtapeFactory(parcours=theirs)
    client = api(world.gestionnaire_a)
    filtered = {"parcours": mine.pk, "depuis": "2026-03-15"}
    assert [r["id"] for r in results(client.get("/api/v1/entretiens/", filtered))] == [entretien.pk]
    assert results(client.get("/api/v1/entretiens/", {"parcours": theirs.pk})) == []
    assert [r["id"] for r in results(client.get("/api/v1/etapes/", {"en_cours": "true"}))] == [etape.pk]
    assert client.get(f"/api/v1/etapes/{EtapeFactory(parcours=theirs).pk}/").status_code == 404


@pytest.mark.parametrize("url", ["/api/v1/entretiens/", "/api/v1/etapes/"])
def test_children_page_of_two_plie_is_one_query(api, world, django_assert_num_queries, url):
    from plie.core.enums import Role
    from tests.factories import MembershipFactory

    MembershipFactory(user=world.referent_b, structure=world.plie_a, role=Role.REFERENT)
    for plie in (world.plie_a, world.plie_b, world.plie_c):
        parcours = ParcoursFactory(plie=plie, participant__plie=plie, en_parcours=True)
        EntretienFactory(parcours=parcours)
        EtapeFactory(parcours=parcours)
    client = api(world.referent_b)
    client.get(url)  # the token's last use is written once a minute: not in the count below
    # token, user's memberships, the page (each PLIE's first ids, UNION ALL, then their rows)
    with django_assert_num_queries(3):
        assert len(results(client.get(url))) == 2
