"""Partner access (issue 16): a prescripteur orients people and reads the status of those its
structure oriented; an opérateur reads the étapes it carries and records presence and
outcome; a référent employed by an opérateur reads the parcours assigned to them. Each role
across two PLIE (404 outside), in the partner space and through the API, with the same rules."""

import datetime
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from parcours import selectors, services
from parcours.enums import (
    CategorieSortie,
    ObjetPassage,
    StatutOrientation,
    StatutParcours,
    TypeDecision,
)
from parcours.models import Decision, Etape, Parcours, PresenceEtape
from parcours.orientations import statut_orientation
from participants.models import Participant
from participants.services import DoublonsProbables
from plie.core.enums import Role, StructureKind
from plie.core.scoping import scope_for
from tests.factories import FreinFactory, ParticipantFactory, StructureFactory, user_with_role
from tests.parcours.factories import (
    CommissionFactory,
    EntretienFactory,
    EtapeFactory,
    ParcoursFactory,
    SortieFactory,
    TypeSortieFactory,
)

D = datetime.date
TODAY = D(2026, 6, 15)
PARIS = ZoneInfo("Europe/Paris")


@pytest.fixture(autouse=True)
def frozen_today(time_machine):
    time_machine.move_to(datetime.datetime(2026, 6, 15, 10, 0, tzinfo=PARIS), tick=False)


@pytest.fixture
def ft_a(world):
    """France Travail's agency, partner of PLIE A, and one of its conseillers."""
    agence = StructureFactory(kind=StructureKind.PRESCRIPTEUR, nom="France Travail Lyon Est")
    agence.plies.add(world.plie_a)
    return agence


@pytest.fixture
def conseiller(ft_a):
    return user_with_role(Role.REFERENT, ft_a, email="conseiller@francetravail.exemple.fr")


@pytest.fixture
def mission_locale_b(world):
    """Another prescripteur, partner of PLIE B only, and its conseiller."""
    structure = StructureFactory(kind=StructureKind.PRESCRIPTEUR, nom="Mission Locale B")
    structure.plies.add(world.plie_b)
    return user_with_role(Role.REFERENT, structure, email="conseiller@mission-locale.exemple.fr")


def identite(**fields):
    return {
        "nom": "Durand",
        "prenom": "Amina",
        "sexe": "F",
        "date_naissance": D(1988, 4, 12),
        "telephone": "06 12 34 56 78",
        **fields,
    }


def orient(user, plie, prescripteur, **fields):
    return services.orientation_create(
        scope=scope_for(user),
        plie=plie,
        prescripteur=prescripteur,
        motif_orientation="Demandeuse d'emploi depuis 18 mois",
        **identite(**fields),
    )


# --- the scope --------------------------------------------------------------------------------


def test_a_prescripteur_s_scope_holds_no_role_in_the_plie(world, ft_a, conseiller, django_assert_num_queries):
    with django_assert_num_queries(2):  # memberships with their structure kind; the partner links
        scope = scope_for(conseiller)
    assert scope.plie_ids == scope.personal_plie_ids == frozenset()
    assert scope.primary_role is None
    assert scope.prescripteur_structure_ids == {ft_a.pk}
    assert scope.partner_plie_ids(scope.prescripteur_structure_ids) == {world.plie_a.pk}
    assert scope.is_partner and not scope.assigned_only_plie_ids


def test_an_operateur_s_referent_follows_only_their_plie_s_assigned_parcours(world):
    scope = scope_for(world.referent_operateur)
    assert scope.operateur_structure_ids == {world.operateur.pk}
    assert scope.assigned_only_plie_ids == {world.plie_b.pk}
    assert scope.personal_plie_ids == frozenset()


def test_a_prescripteur_s_staff_is_never_a_referent_of_the_plie(world, conseiller):
    assert conseiller not in services.referents_of(world.plie_a.pk)
    assert conseiller not in selectors.referents_for(scope_for(world.animateur_a))
    assert world.referent_operateur in services.referents_of(world.plie_b.pk)


# --- the status a prescripteur reads (a pure rule) --------------------------------------------


@pytest.mark.parametrize(
    ("status", "derniere", "ordre_du_jour", "expected"),
    [
        (StatutParcours.CANDIDAT, "", False, StatutOrientation.RECUE),
        (StatutParcours.CANDIDAT, "", True, StatutOrientation.EN_COMMISSION),
        (StatutParcours.CANDIDAT, TypeDecision.AJOURNE, False, StatutOrientation.AJOURNE),
        (StatutParcours.CANDIDAT, TypeDecision.AJOURNE, True, StatutOrientation.EN_COMMISSION),
        (StatutParcours.EN_PARCOURS, TypeDecision.ADMIS, False, StatutOrientation.ADMIS),
        (StatutParcours.SUSPENDU, TypeDecision.ADMIS, False, StatutOrientation.ADMIS),
        (StatutParcours.EN_SUIVI_EMPLOI, TypeDecision.ADMIS, False, StatutOrientation.ADMIS),
        (StatutParcours.NON_ADMIS, TypeDecision.REFUSE, False, StatutOrientation.REFUSE),
        (StatutParcours.NON_ADMIS, TypeDecision.REORIENTE, False, StatutOrientation.REORIENTE),
        (StatutParcours.SORTI, TypeDecision.ADMIS, False, StatutOrientation.SORTI),
    ],
)
def test_statut_orientation(status, derniere, ordre_du_jour, expected):
    assert statut_orientation(status, derniere_decision=derniere, a_l_ordre_du_jour=ordre_du_jour) == expected


# --- orienting --------------------------------------------------------------------------------


class TestOrientation:
    def test_it_creates_the_dossier_and_a_candidature_on_the_plie_s_list(self, world, ft_a, conseiller):
        parcours = orient(conseiller, world.plie_a, ft_a, email="amina@exemple.fr")
        assert parcours.status == StatutParcours.CANDIDAT
        assert (parcours.plie, parcours.prescripteur, parcours.date_orientation) == (
            world.plie_a,
            ft_a,
            TODAY,
        )
        assert parcours.participant.email == "amina@exemple.fr"
        assert parcours.participant.created_by == conseiller
        assert parcours in services.candidatures_a_presenter(world.plie_a.pk)

    def test_only_into_a_plie_its_structure_partners(self, world, ft_a, conseiller, mission_locale_b):
        with pytest.raises(PermissionDenied):
            orient(conseiller, world.plie_b, ft_a)
        with pytest.raises(PermissionDenied):
            orient(mission_locale_b, world.plie_a, ft_a)
        for persona in ("referent_a", "animateur_a", "referent_operateur", "financeur", "oi_user"):
            with pytest.raises(PermissionDenied):
                orient(getattr(world, persona), world.plie_a, ft_a)
        assert not Participant.objects.exists()

    def test_only_in_the_name_of_its_own_structure(self, world, ft_a, conseiller):
        other = StructureFactory(kind=StructureKind.PRESCRIPTEUR, nom="CCAS")
        other.plies.add(world.plie_a)
        with pytest.raises(ValidationError) as raised:
            orient(conseiller, world.plie_a, other)
        assert "prescripteur" in raised.value.message_dict
        assert not Participant.objects.exists()

    def test_errors_per_field_and_nothing_half_saved(self, world, ft_a, conseiller):
        with pytest.raises(ValidationError) as raised:
            services.orientation_create(
                scope=scope_for(conseiller),
                plie=world.plie_a,
                prescripteur=ft_a,
                motif_orientation="  ",
                **identite(nom="", telephone="0012"),
            )
        assert {"motif_orientation", "nom", "telephone"} <= set(raised.value.message_dict)
        assert not Participant.objects.exists() and not Parcours.objects.exists()

    def test_the_duplicate_check_runs_and_names_nobody(self, world, ft_a, conseiller):
        ParticipantFactory(plie=world.plie_a, nom="Durand", prenom="Amina", date_naissance=D(1988, 4, 12))
        with pytest.raises(DoublonsProbables) as raised:
            orient(conseiller, world.plie_a, ft_a)
        assert raised.value.doublons == []
        assert Participant.objects.count() == 1
        parcours = orient(conseiller, world.plie_a, ft_a, doublons_ecartes=True)
        assert Participant.objects.count() == 2 and parcours.pk


# --- following one's orientations -------------------------------------------------------------


def decide(world, parcours, type_decision, **values):
    commission = CommissionFactory(plie=parcours.plie, date=TODAY)
    decision = Decision.objects.create(
        commission=commission, parcours=parcours, objet=ObjetPassage.CANDIDATURE
    )
    animateur = world.animateur_a if parcours.plie_id == world.plie_a.pk else None
    return services.decision_record(
        scope=scope_for(animateur),
        decision=decision,
        version=parcours.version,
        type_decision=type_decision,
        **values,
    )


class TestSuiviDesOrientations:
    def test_a_prescripteur_reads_its_orientations_status_only(self, world, ft_a, conseiller, client):
        parcours = orient(conseiller, world.plie_a, ft_a)
        FreinFactory(participant=parcours.participant, precision="Frein très confidentiel")
        client.force_login(conseiller)
        url = reverse("parcours:orientation_detail", args=[parcours.pk])
        assert "Reçue" in client.get(url).content.decode()
        Decision.objects.create(
            commission=CommissionFactory(plie=world.plie_a, date=D(2026, 6, 30)),
            parcours=parcours,
            objet=ObjetPassage.CANDIDATURE,
        )
        assert "En commission" in client.get(url).content.decode()

    def test_admis_with_the_shared_motif_never_the_minutes(self, world, ft_a, conseiller, client):
        parcours = orient(conseiller, world.plie_a, ft_a)
        decide(
            world,
            parcours,
            TypeDecision.ADMIS,
            motif="Motif interne du procès-verbal",
            motif_partage="Bienvenue au PLIE",
            date_entree=TODAY,
            date_signature_contrat=TODAY,
            referent=world.referent_a,
        )
        EntretienFactory(parcours=Parcours.objects.get(pk=parcours.pk), notes="Note d'entretien secrète")
        client.force_login(conseiller)
        body = client.get(reverse("parcours:orientation_detail", args=[parcours.pk])).content.decode()
        assert "Admis" in body and "Bienvenue au PLIE" in body
        assert "procès-verbal" not in body.replace("Le dossier d'accompagnement", "")
        assert "Motif interne" not in body and "secrète" not in body

    def test_refuse_and_sorti_with_its_category(self, world, ft_a, conseiller):
        refused = orient(conseiller, world.plie_a, ft_a)
        decide(world, refused, TypeDecision.REFUSE, motif="Hors critères", motif_partage="Hors du territoire")
        out = ParcoursFactory(
            plie=world.plie_a, participant__plie=world.plie_a, sorti=True, prescripteur=ft_a
        )
        SortieFactory(
            parcours=out,
            type=TypeSortieFactory(
                plie=world.plie_a, code="CDI", libelle="CDI", categorie=CategorieSortie.EMPLOI_DURABLE
            ),
            date_sortie=out.date_sortie,
            valide=True,
        )
        from parcours.orientations import suivi_orientation

        rows = {
            row.parcours_id: row
            for row in map(suivi_orientation, selectors.orientations_for(scope_for(conseiller)))
        }
        assert (rows[refused.pk].statut, rows[refused.pk].motif_partage) == ("refuse", "Hors du territoire")
        assert (rows[out.pk].statut, rows[out.pk].categorie_sortie) == (
            "sorti",
            CategorieSortie.EMPLOI_DURABLE.label,
        )

    def test_each_sees_its_own_structure_s_orientations_only(
        self, world, ft_a, conseiller, mission_locale_b, client
    ):
        mine = orient(conseiller, world.plie_a, ft_a)
        other = StructureFactory(kind=StructureKind.PRESCRIPTEUR, nom="CCAS de Lyon")
        other.plies.add(world.plie_a)
        not_mine = ParcoursFactory(plie=world.plie_a, participant__plie=world.plie_a, prescripteur=other)
        in_b = ParcoursFactory(
            plie=world.plie_b,
            participant__plie=world.plie_b,
            prescripteur=mission_locale_b.memberships.get().structure,
        )
        assert list(selectors.orientations_for(scope_for(conseiller))) == [mine]
        assert list(selectors.orientations_for(scope_for(mission_locale_b))) == [in_b]
        client.force_login(conseiller)
        for parcours in (not_mine, in_b):
            assert client.get(reverse("parcours:orientation_detail", args=[parcours.pk])).status_code == 404
        # and nothing of the ordinary pages
        for url in (
            reverse("participants:participant_detail", args=[mine.participant_id]),
            reverse("parcours:parcours_detail", args=[mine.pk]),
        ):
            assert client.get(url).status_code == 404

    def test_the_partner_space_in_constant_queries(
        self, world, ft_a, conseiller, client, django_assert_num_queries
    ):
        for nom in ("Alpha", "Beta", "Gamma"):
            orient(conseiller, world.plie_a, ft_a, nom=nom)
        client.force_login(conseiller)
        url = reverse("parcours:partenaire")
        # session, user, memberships, partner links; the orientations, their decisions
        with django_assert_num_queries(6):
            body = client.get(url).content.decode()
        assert "ALPHA" in body and "GAMMA" in body
        for nom in ("Delta", "Epsilon"):
            orient(conseiller, world.plie_a, ft_a, nom=nom)
        with django_assert_num_queries(6):
            client.get(url)

    def test_the_home_page_sends_a_partner_to_its_space(self, conseiller, client):
        client.force_login(conseiller)
        assert client.get("/").url == reverse("parcours:partenaire")

    def test_the_orientation_form(self, world, ft_a, conseiller, client):
        client.force_login(conseiller)
        url = reverse("parcours:orientation_create")
        assert client.get(url).status_code == 200
        data = {
            "nom": "Benali",
            "prenom": "Sarah",
            "sexe": "F",
            "date_naissance": "03/02/1992",
            "telephone": "06 98 76 54 32",
            "motif_orientation": "Projet dans l'aide à la personne",
            "plie": world.plie_a.pk,
            "prescripteur": ft_a.pk,
        }
        response = client.post(url, data)
        parcours = Parcours.objects.get(participant__nom="Benali")
        assert response.url == reverse("parcours:orientation_detail", args=[parcours.pk])
        response = client.post(url, data)  # the same person again: asked to confirm
        assert "peut-être déjà connue" in response.content.decode()
        assert Parcours.objects.count() == 1


# --- opérateurs -------------------------------------------------------------------------------


@pytest.fixture
def etape_b(world):
    """An étape of PLIE B carried by world.operateur, begun on 1 March 2026."""
    parcours = ParcoursFactory(plie=world.plie_b, participant__plie=world.plie_b, en_parcours=True)
    return EtapeFactory(parcours=parcours, operateur=world.operateur)


class TestOperateur:
    def test_it_sees_the_etapes_it_carries_only(self, world, etape_b, client):
        elsewhere = EtapeFactory(
            parcours=ParcoursFactory(plie=world.plie_b, participant__plie=world.plie_b, en_parcours=True)
        )
        in_a = EtapeFactory(
            parcours=ParcoursFactory(plie=world.plie_a, participant__plie=world.plie_a, en_parcours=True),
            operateur=world.operateur,  # the opérateur is no partner of PLIE A
        )
        scope = scope_for(world.referent_operateur)
        assert list(selectors.partner_etapes_for(scope)) == [etape_b]
        client.force_login(world.referent_operateur)
        assert client.get(reverse("parcours:partenaire_etape", args=[etape_b.pk])).status_code == 200
        for etape in (elsewhere, in_a):
            assert client.get(reverse("parcours:partenaire_etape", args=[etape.pk])).status_code == 404
            response = client.post(
                reverse("parcours:partenaire_presence", args=[etape.pk]),
                {"date": "02/03/2026", "present": "1"},
            )
            assert response.status_code == 404
        assert not PresenceEtape.objects.exists()

    def test_it_records_presence_and_outcome(self, world, etape_b, client):
        client.force_login(world.referent_operateur)
        response = client.post(
            reverse("parcours:partenaire_presence", args=[etape_b.pk]), {"date": "02/03/2026", "present": "0"}
        )
        assert response.status_code == 302
        client.post(
            reverse("parcours:partenaire_presence", args=[etape_b.pk]), {"date": "02/03/2026", "present": "1"}
        )
        assert list(PresenceEtape.objects.values_list("date", "present")) == [(D(2026, 3, 2), True)]
        response = client.post(
            reverse("parcours:partenaire_resultat", args=[etape_b.pk]),
            {"date_fin": "12/06/2026", "resultat": "Formation validée"},
        )
        assert response.status_code == 302
        etape_b.refresh_from_db()
        assert (etape_b.date_fin, etape_b.resultat) == (D(2026, 6, 12), "Formation validée")

    def test_bad_input_names_the_field(self, world, etape_b):
        scope = scope_for(world.referent_operateur)
        with pytest.raises(ValidationError) as raised:
            services.presence_record(scope=scope, etape=etape_b, date=D(2026, 2, 1), present=True)
        assert "date" in raised.value.message_dict
        with pytest.raises(ValidationError) as raised:
            services.etape_outcome_record(scope=scope, etape=etape_b, date_fin=D(2026, 7, 1), resultat="")
        assert {"date_fin", "resultat"} <= set(raised.value.message_dict)
        assert Etape.objects.get(pk=etape_b.pk).resultat == ""

    def test_the_plie_s_people_record_nothing_through_it(self, world, etape_b):
        for persona in ("referent_b", "referent_a", "financeur"):
            with pytest.raises(PermissionDenied):
                services.presence_record(
                    scope=scope_for(getattr(world, persona)), etape=etape_b, date=D(2026, 3, 2), present=True
                )


# --- a référent employed by an opérateur ------------------------------------------------------


class TestReferentOperateur:
    def test_it_sees_the_parcours_assigned_to_it_not_the_plie(self, world, client):
        mine = ParcoursFactory(
            plie=world.plie_b,
            participant__plie=world.plie_b,
            en_parcours=True,
            referent=world.referent_operateur,
        )
        FreinFactory(participant=mine.participant, precision="Frein très confidentiel")
        colleague_s = ParcoursFactory(
            plie=world.plie_b, participant__plie=world.plie_b, en_parcours=True, referent=world.referent_b
        )
        scope = scope_for(world.referent_operateur)
        assert list(selectors.assigned_parcours_for(scope)) == [mine]
        client.force_login(world.referent_operateur)
        body = client.get(reverse("parcours:partenaire_suivi", args=[mine.pk])).content.decode()
        assert str(mine.participant) in body and "confidentiel" not in body
        from plie.core.models import AccessLog

        assert AccessLog.objects.get().participant_id == mine.participant_id  # the read is journaled
        assert client.get(reverse("parcours:partenaire_suivi", args=[colleague_s.pk])).status_code == 404
        # the PLIE's pages stay closed, even for the parcours assigned to them
        assert (
            client.get(reverse("participants:participant_detail", args=[mine.participant_id])).status_code
            == 404
        )
        assert (
            client.get(
                reverse("participants:participant_detail", args=[colleague_s.participant_id])
            ).status_code
            == 404
        )
        home = client.get(reverse("parcours:partenaire")).content.decode()
        assert str(mine.participant) in home and str(colleague_s.participant) not in home


# --- the API: the same rules ------------------------------------------------------------------


@pytest.fixture
def api(client):
    from plie.core.tokens import token_create

    def make(user, ecriture=False):
        _, secret = token_create(scope=scope_for(user), owner=user, nom="test", ecriture=ecriture)
        client.defaults["HTTP_AUTHORIZATION"] = f"Bearer {secret}"
        return client

    return make


class TestApi:
    def test_orient_then_read_the_status(self, world, ft_a, conseiller, api):
        client = api(conseiller, ecriture=True)
        payload = {
            "plie": "plie-a",
            "nom": "Martin",
            "prenom": "Léa",
            "sexe": "F",
            "date_naissance": "1990-04-12",
            "motif_orientation": "Projet logistique",
        }
        response = client.post("/api/v1/partenaire/orientations/", payload, content_type="application/json")
        assert response.status_code == 201, response.json()
        body = response.json()
        assert (body["statut"], body["prescripteur"]) == ("recue", ft_a.nom)
        detail = client.get(f"/api/v1/partenaire/orientations/{body['id']}/").json()
        assert set(detail) == {
            "id", "nom", "prenom", "date_naissance", "plie", "prescripteur", "date_orientation",
            "statut", "statut_libelle", "motif_partage", "categorie_sortie", "date_decision", "modifie_le",
        }  # fmt: skip
        again = client.post("/api/v1/partenaire/orientations/", payload, content_type="application/json")
        assert again.status_code == 409 and again.json()["code"] == "conflit"
        bad = client.post(
            "/api/v1/partenaire/orientations/", {**payload, "plie": "plie-b"}, content_type="application/json"
        )
        assert bad.status_code == 403 and bad.json()["code"] == "interdit"

    def test_outside_the_scope_is_a_404(self, world, ft_a, conseiller, mission_locale_b, api):
        mine = orient(conseiller, world.plie_a, ft_a)
        client = api(mission_locale_b)
        assert client.get(f"/api/v1/partenaire/orientations/{mine.pk}/").status_code == 404
        assert client.get("/api/v1/partenaire/orientations/").json()["resultats"] == []
        # and a prescripteur reads nothing of the ordinary resources
        client = api(conseiller)
        assert client.get(f"/api/v1/participants/{mine.participant_id}/").status_code == 404
        assert client.get(f"/api/v1/parcours/{mine.pk}/").status_code == 404
        assert client.get("/api/v1/participants/").json()["resultats"] == []

    def test_a_plie_role_orients_nothing(self, world, api):
        client = api(world.animateur_a, ecriture=True)
        response = client.post("/api/v1/partenaire/orientations/", {}, content_type="application/json")
        assert response.status_code == 403

    def test_list_in_constant_queries(self, world, ft_a, conseiller, api, django_assert_num_queries):
        client = api(conseiller)
        for nom in ("Alpha", "Beta"):
            orient(conseiller, world.plie_a, ft_a, nom=nom)
        client.get("/api/v1/partenaire/orientations/")  # the token's last use, noted once a minute
        # the token with its user, memberships, partner links; the page, its decisions
        with django_assert_num_queries(5):
            assert len(client.get("/api/v1/partenaire/orientations/").json()["resultats"]) == 2
        for nom in ("Gamma", "Delta", "Epsilon"):
            orient(conseiller, world.plie_a, ft_a, nom=nom)
        with django_assert_num_queries(5):
            assert len(client.get("/api/v1/partenaire/orientations/").json()["resultats"]) == 5

    def test_operateur_presence_and_outcome(self, world, etape_b, api):
        client = api(world.referent_operateur, ecriture=True)
        rows = client.get("/api/v1/partenaire/etapes/").json()["resultats"]
        assert [row["id"] for row in rows] == [etape_b.pk]
        assert set(rows[0]["participant"]) == {"id", "nom", "prenom", "telephone", "email"}
        url = f"/api/v1/partenaire/etapes/{etape_b.pk}/"
        response = client.post(
            url + "presence/", {"date": "2026-03-02", "present": True}, content_type="application/json"
        )
        assert response.status_code == 201
        response = client.post(
            url + "resultat/", {"date_fin": "2026-07-01", "resultat": "x"}, content_type="application/json"
        )
        assert response.status_code == 400 and "date_fin" in response.json()["champs"]
        response = client.post(
            url + "resultat/",
            {"date_fin": "2026-06-12", "resultat": "Validée"},
            content_type="application/json",
        )
        assert response.status_code == 200 and response.json()["resultat"] == "Validée"
        other = EtapeFactory(
            parcours=ParcoursFactory(plie=world.plie_b, participant__plie=world.plie_b, en_parcours=True)
        )
        assert client.get(f"/api/v1/partenaire/etapes/{other.pk}/").status_code == 404
        assert (
            client.post(
                f"/api/v1/partenaire/etapes/{other.pk}/presence/", {}, content_type="application/json"
            ).status_code
            == 404
        )

    def test_operateur_list_in_constant_queries(self, world, etape_b, api, django_assert_num_queries):
        client = api(world.referent_operateur)
        client.get("/api/v1/partenaire/etapes/")  # the token's last use, noted once a minute
        # the token with its user, memberships, partner links; the page
        with django_assert_num_queries(4):
            client.get("/api/v1/partenaire/etapes/")
        EtapeFactory.create_batch(3, parcours=etape_b.parcours, operateur=world.operateur)
        with django_assert_num_queries(4):
            assert len(client.get("/api/v1/partenaire/etapes/").json()["resultats"]) == 4

    def test_assigned_parcours(self, world, api, django_assert_num_queries):
        mine = ParcoursFactory(
            plie=world.plie_b,
            participant__plie=world.plie_b,
            en_parcours=True,
            referent=world.referent_operateur,
        )
        colleague_s = ParcoursFactory(plie=world.plie_b, participant__plie=world.plie_b, en_parcours=True)
        client = api(world.referent_operateur)
        # the token with its user, its last use, memberships, partner links; the page
        with django_assert_num_queries(5):
            rows = client.get("/api/v1/partenaire/suivis/").json()["resultats"]
        assert [row["id"] for row in rows] == [mine.pk]
        assert client.get(f"/api/v1/partenaire/suivis/{colleague_s.pk}/").status_code == 404
        assert client.get(f"/api/v1/parcours/{mine.pk}/").status_code == 404
