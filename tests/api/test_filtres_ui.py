"""One FilterSet per list, for the page and the API (netbox's pattern): the participants page
filters with participants.filters.ParticipantFilter, as GET /api/v1/participants/ does."""

from django.urls import reverse

from participants.filters import ParticipantFilter
from participants.models import Participant
from plie.core.filters import INVALID_ISO
from tests.factories import ParticipantFactory


def test_page_and_api_filter_alike(client, api, world):
    lyon = ParticipantFactory(plie=world.plie_a, nom="Lyonnais", commune="Lyon")
    ParticipantFactory(plie=world.plie_a, nom="Niçois", commune="Nice")
    client.force_login(world.referent_a)
    page = client.get(reverse("participants:participant_list"), {"commune": "LYON"})
    assert list(page.context["page"]) == [lyon]
    client.logout()
    rows = api(world.referent_a).get("/api/v1/participants/", {"commune": "LYON"}).json()["resultats"]
    assert [row["id"] for row in rows] == [lyon.pk]


def test_invalid_filter_is_ignored_by_the_page_and_a_400_in_the_api(client, api, world):
    ParticipantFactory(plie=world.plie_a)
    filterset = ParticipantFilter({"modifie_depuis": "hier"}, queryset=Participant.objects.all())
    assert not filterset.is_valid()
    assert filterset.errors["modifie_depuis"] == [
        "Date invalide : format ISO 8601 attendu (2026-01-31T00:00:00Z)."
    ]
    client.force_login(world.referent_a)
    assert (
        len(client.get(reverse("participants:participant_list"), {"modifie_depuis": "hier"}).context["page"])
        == 1
    )
    client.logout()
    response = api(world.referent_a).get("/api/v1/participants/", {"modifie_depuis": "hier"})
    assert response.status_code == 400
    assert response.json()["champs"] == {"modifie_depuis": [INVALID_ISO]}


def test_the_operations_page_and_api_filter_alike(client, api, world):
    from datetime import date

    from tests.operations.factories import OperationFactory

    a_2025 = OperationFactory(
        plie=world.plie_a,
        code="A-2025",
        date_debut=date(2025, 1, 1),
        date_fin=date(2025, 12, 31),
    )
    OperationFactory(
        plie=world.plie_a,
        code="A-2026",
        date_debut=date(2026, 1, 1),
        date_fin=date(2026, 12, 31),
    )
    query = {"annee": 2025, "plie": "plie-a"}
    client.force_login(world.gestionnaire_a)
    page = client.get(reverse("operations:operation_list"), query)
    assert list(page.context["page"]) == [a_2025]
    invalid = client.get(reverse("operations:operation_list"), {**query, "annee": "deux-mille"})
    assert sorted(op.code for op in invalid.context["page"]) == ["A-2025", "A-2026"]  # ignored by the page
    client.logout()
    client = api(world.gestionnaire_a)
    rows = client.get("/api/v1/operations/", query).json()["resultats"]
    assert [row["id"] for row in rows] == [a_2025.pk]
    assert client.get("/api/v1/operations/", {**query, "annee": "deux-mille"}).status_code == 400


def test_the_file_active_and_the_api_filter_alike(client, api, world):
    from parcours.enums import TypeAlerte
    from parcours.models import Alerte
    from tests.parcours.factories import ParcoursFactory

    def parcours(nom):
        return ParcoursFactory(
            plie=world.plie_a,
            participant__plie=world.plie_a,
            participant__nom=nom,
            en_parcours=True,
            referent=world.referent_a,
        )

    martin, durand = parcours("Martin"), parcours("Durand")
    Alerte.objects.create(
        plie=world.plie_a, parcours=durand, type=TypeAlerte.SANS_CONTACT, computed_on=durand.date_entree
    )
    client.force_login(world.referent_a)
    for query, expected in (({"q": "martin"}, [martin]), ({"alerte": TypeAlerte.SANS_CONTACT}, [durand])):
        page = client.get(reverse("parcours:workspace"), query)
        assert page.context["rows"] == expected
        rows = api(world.referent_a).get("/api/v1/parcours/", {**query, "actif": "true"}).json()["resultats"]
        assert [row["id"] for row in rows] == [p.pk for p in expected]


def test_the_commissions_page_and_the_api_filter_alike(client, api, world):
    import datetime

    from tests.parcours.factories import CommissionFactory

    CommissionFactory(plie=world.plie_a, date=datetime.date(2026, 1, 8))
    recent = CommissionFactory(plie=world.plie_a, date=datetime.date(2026, 6, 11))
    client.force_login(world.animateur_a)
    page = client.get(reverse("parcours:commission_list"), {"depuis": "2026-03-01"})
    assert page.context["a_venir"] == [recent]
    client.logout()
    rows = api(world.animateur_a).get("/api/v1/commissions/", {"depuis": "2026-03-01"}).json()["resultats"]
    assert [row["id"] for row in rows] == [recent.pk]


def test_an_operation_s_enrolments_and_the_api_filter_alike(client, api, world):
    from tests.operations.factories import InscriptionFactory, OperationFactory

    operation = OperationFactory(plie=world.plie_a)
    ouverte = InscriptionFactory(operation=operation)
    InscriptionFactory(operation=operation, sortie=True)
    client.force_login(world.gestionnaire_a)
    page = client.get(reverse("operations:operation_detail", args=[operation.pk]), {"ouverte": "true"})
    assert list(page.context["page"]) == [ouverte]
    client.logout()
    query = {"operation": operation.pk, "ouverte": "true"}
    rows = api(world.gestionnaire_a).get("/api/v1/inscriptions/", query).json()["resultats"]
    assert [row["id"] for row in rows] == [ouverte.pk]
