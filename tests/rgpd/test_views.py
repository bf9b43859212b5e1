"""The rgpd pages: the journal (search, CSV), the access-request export, the notice, the
retention report, an objection. PLIE B sees nothing of PLIE A."""

import csv
import datetime
import io
import json

import pytest
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from plie.core.enums import JournalAction, Role
from plie.core.models import AccessLog
from rgpd.models import Opposition
from tests.factories import (
    DocumentFactory,
    FreinFactory,
    MembershipFactory,
    ParticipantFactory,
    SituationEntreeFactory,
    UserFactory,
)
from tests.operations.factories import InscriptionFactory
from tests.parcours.factories import EntretienFactory, ParcoursFactory


@pytest.fixture
def dpo_a(world):
    user = UserFactory(email="dpo.a@exemple.fr")
    MembershipFactory(user=user, structure=world.plie_a, role=Role.DPO)
    return user


def _log(
    plie, participant_id=None, *, acteur="referent.a@exemple.fr", action=JournalAction.CONSULTATION, at=None
):
    return AccessLog.objects.create(
        plie=plie, participant_id=participant_id, acteur=acteur, action=action, at=at or timezone.now()
    )


def pdf_text(content):
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


class TestJournal:
    def test_the_dpo_searches_by_person_user_and_period(
        self, client, world, dpo_a, django_assert_num_queries
    ):
        _log(world.plie_a, 11)
        _log(world.plie_a, 12, acteur="gestion.a@exemple.fr")
        _log(world.plie_a, 11, at=timezone.now() - datetime.timedelta(days=40))
        _log(world.plie_b, 11)
        client.force_login(dpo_a)
        url = reverse("rgpd:journal_list")
        # session, user, memberships (scope), the PLIE of the journal, count, the page with its PLIE
        with django_assert_num_queries(6):
            response = client.get(url)
        assert response.status_code == 200
        assert response["Cache-Control"] == "private, no-store"
        assert response.context["page"].paginator.count == 3  # not PLIE B's entry
        assert client.get(url, {"participant": 11}).context["page"].paginator.count == 2
        assert client.get(url, {"utilisateur": "Gestion.A@exemple.fr"}).context["page"].paginator.count == 1
        du = (timezone.localdate() - datetime.timedelta(days=7)).strftime("%d/%m/%Y")
        assert client.get(url, {"du": du}).context["page"].paginator.count == 2
        response = client.get(url, {"participant": 11})
        assert reverse("rgpd:acces_pdf", args=[11]) in response.content.decode()

    @pytest.mark.parametrize(
        "persona", ["referent_a", "gestionnaire_a", "direction_a", "financeur", "oi_user"]
    )
    def test_other_roles_are_refused(self, client, world, persona):
        client.force_login(getattr(world, persona))
        assert client.get(reverse("rgpd:journal_list")).status_code == 403

    def test_plie_b_administrateur_sees_nothing_of_plie_a(self, client, world):
        admin_b = UserFactory()
        MembershipFactory(user=admin_b, structure=world.plie_b, role=Role.ADMINISTRATEUR)
        _log(world.plie_a, 11)
        client.force_login(admin_b)
        response = client.get(reverse("rgpd:journal_list"))
        assert response.context["page"].paginator.count == 0
        response = client.get(reverse("rgpd:journal_export"))
        assert (
            len(list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))) == 1
        )

    def test_the_export_is_a_neutralised_csv(self, client, world, dpo_a):
        _log(world.plie_a, 11, acteur='=HYPERLINK("http://x")')
        client.force_login(dpo_a)
        response = client.get(reverse("rgpd:journal_export"), {"participant": 11})
        assert response["Content-Type"] == "text/csv; charset=utf-8"
        rows = list(
            csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig")), delimiter=";")
        )
        assert rows[0][:4] == ["Date et heure", "PLIE", "Acteur", "Action"]
        assert rows[1][1:5] == ["plie-a", '\'=HYPERLINK("http://x")', "Consultation du dossier", "11"]


@pytest.fixture
def dossier(world):
    participant = ParticipantFactory(plie=world.plie_a, nom="Lefèvre", prenom="Hélène")
    SituationEntreeFactory(participant=participant, handicap_reconnu=True)
    FreinFactory(participant=participant, type="sante", precision="suivi médical")
    DocumentFactory(participant=participant, nom_original="cni.pdf")
    parcours = ParcoursFactory(plie=world.plie_a, participant=participant, projet="Devenir cariste")
    EntretienFactory(parcours=parcours, notes="Point sur le permis")
    InscriptionFactory(
        operation__plie=world.plie_a, participant=participant, parcours=parcours, complete=True
    )
    return participant


class TestDroitAcces:
    def test_the_json_holds_everything(self, client, world, dpo_a, dossier, django_assert_num_queries):
        _log(world.plie_a, dossier.pk, acteur="referent.a@exemple.fr")
        client.force_login(dpo_a)
        # session, user, memberships (scope), the participant, the journal's row; the dossier: one
        # query per kind of object (participant, parcours and their 5 relations, situations,
        # freins, documents, enrolments), one per history table (11; the contracts' one is
        # skipped without étapes), the journal: a fixed number whatever the size of the dossier
        with django_assert_num_queries(28):
            response = client.get(reverse("rgpd:acces_json", args=[dossier.pk]))
        assert response.status_code == 200
        data = json.loads(response.content)
        assert set(data) >= {
            "identite",
            "situations",
            "freins",
            "documents",
            "parcours",
            "inscriptions",
            "historique",
            "journal",
        }
        identite = {row["champ"]: row["valeur"] for row in data["identite"]}
        assert (identite["nom"], identite["prenom"]) == ("Lefèvre", "Hélène")
        assert any(r["valeur"] == "suivi médical" for r in data["freins"][0])  # sensitive, for the person
        assert any(r["valeur"] == "cni.pdf" for r in data["documents"][0])
        assert any(r["valeur"] == "Devenir cariste" for r in data["parcours"][0]["parcours"])
        assert any(r["valeur"] == "Point sur le permis" for r in data["parcours"][0]["entretiens"][0])
        assert any(r["champ"] == "handicap_reconnu" and r["valeur"] is True for r in data["situations"][0])
        assert any(r["champ"] == "beneficiaire_rsa" and r["valeur"] is True for r in data["inscriptions"][0])
        assert {h["objet"] for h in data["historique"]} >= {"participant", "frein", "parcours", "entretien"}
        # the earlier read, then this export itself
        assert [j["action"] for j in data["journal"]] == [
            "Consultation du dossier",
            "Export du droit d'accès",
        ]

    def test_the_pdf_reads_back(self, client, world, admin_a_client, dossier):
        response = admin_a_client.get(reverse("rgpd:acces_pdf", args=[dossier.pk]))
        assert response["Content-Type"] == "application/pdf"
        text = pdf_text(response.content)
        for expected in ("Lefèvre", "Devenir cariste", "Point sur le permis", "Journal des accès"):
            assert expected in text

    @pytest.mark.parametrize("persona", ["referent_b", "financeur"])
    def test_outsiders_get_a_404(self, client, world, dossier, persona):
        client.force_login(getattr(world, persona))
        assert client.get(reverse("rgpd:acces_json", args=[dossier.pk])).status_code == 404

    def test_the_referent_is_not_the_dpo(self, client, world, dossier):
        client.force_login(world.referent_a)
        assert client.get(reverse("rgpd:acces_json", args=[dossier.pk])).status_code == 404


@pytest.fixture
def admin_a_client(client, world):
    client.force_login(world.admin_a)
    return client


def test_the_information_notice(client, world):
    from rgpd.selectors import conservation_of

    settings = conservation_of(world.plie_a.pk)
    settings.dpo_contact = "dpo@plie-a.fr"
    settings.save()
    client.force_login(world.referent_a)
    response = client.get(reverse("rgpd:mention_pdf", args=[world.plie_a.pk]))
    assert response["Content-Type"] == "application/pdf"
    text = pdf_text(response.content)
    for expected in ("PLIE A", "dpo@plie-a.fr", "31/12/2033", "2 ans", "CNIL", "corriger"):
        assert expected in text
    assert "à compléter dans les réglages" in text  # the controller's address is not set
    client.force_login(world.referent_b)
    assert client.get(reverse("rgpd:mention_pdf", args=[world.plie_a.pk])).status_code == 404


class TestConservation:
    def test_the_report_lists_who_is_due_without_changing_anything(self, client, world, dpo_a):
        from tests.parcours.factories import ParcoursFactory as P

        ancien = P(
            plie=world.plie_a,
            participant__plie=world.plie_a,
            status="sorti",
            date_entree=datetime.date(2015, 1, 5),
            date_sortie=datetime.date(2016, 1, 5),
        ).participant
        P(plie=world.plie_a, participant__plie=world.plie_a, en_parcours=True)
        client.force_login(dpo_a)
        response = client.get(reverse("rgpd:conservation_report", args=[world.plie_a.pk]))
        assert response.status_code == 200
        assert [row["participant_id"] for row in response.context["rows"]] == [ancien.pk]
        assert f"n° {ancien.pk}" in response.content.decode()  # the DPO sees no name
        ancien.refresh_from_db()
        assert ancien.nom != "ANONYME"

    def test_the_administrateur_sees_the_names_and_the_read_is_journaled(self, client, world):
        anciens = [
            ParcoursFactory(
                plie=world.plie_a,
                participant__plie=world.plie_a,
                status="sorti",
                date_entree=datetime.date(2015, 1, 5),
                date_sortie=datetime.date(2016, 1, 5),
            ).participant
            for _ in range(3)
        ]
        client.force_login(world.admin_a)
        response = client.get(reverse("rgpd:conservation_report", args=[world.plie_a.pk]))
        assert str(anciens[0]) in response.content.decode()
        entries = AccessLog.objects.filter(objet="rapport de conservation")
        assert sorted(entries.values_list("participant_id", flat=True)) == sorted(p.pk for p in anciens)

    def test_plie_b_gets_a_404(self, client, world):
        client.force_login(world.referent_b)
        assert client.get(reverse("rgpd:conservation_report", args=[world.plie_a.pk])).status_code == 404


class TestOpposition:
    def test_a_referent_keeps_a_dossier(self, client, world):
        participant = ParticipantFactory(plie=world.plie_a)
        client.force_login(world.referent_a)
        url = reverse("rgpd:opposition_create", args=[participant.pk])
        assert client.get(url).status_code == 200
        jusqu_au = timezone.localdate() + datetime.timedelta(days=90)
        response = client.post(
            url, {"motif": "Reprise de contact", "jusqu_au": jusqu_au.strftime("%d/%m/%Y")}
        )
        assert response.status_code == 302
        assert Opposition.objects.get().jusqu_au == jusqu_au

    def test_more_than_a_year_is_refused_with_a_french_message(self, client, world):
        participant = ParticipantFactory(plie=world.plie_a)
        client.force_login(world.referent_a)
        jusqu_au = timezone.localdate() + datetime.timedelta(days=400)
        response = client.post(
            reverse("rgpd:opposition_create", args=[participant.pk]),
            {"motif": "Reprise", "jusqu_au": jusqu_au.strftime("%d/%m/%Y")},
        )
        assert response.status_code == 200
        assert "au plus un an" in response.content.decode()
        assert not Opposition.objects.exists()

    @pytest.mark.parametrize(("persona", "status"), [("gestionnaire_a", 403), ("referent_b", 404)])
    def test_others_are_refused(self, client, world, persona, status):
        participant = ParticipantFactory(plie=world.plie_a)
        client.force_login(getattr(world, persona))
        assert client.get(reverse("rgpd:opposition_create", args=[participant.pk])).status_code == status
