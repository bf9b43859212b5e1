"""The home page's panels (plie.core.home and each app's ``home.py``): real figures on
hand-built data, scoped to what the user may see, true empty states, pinned queries per role."""

import datetime
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from pytest_django.asserts import assertContains, assertNotContains

from entreprises import suivi_sortie
from operations import home as operations_home
from parcours import home as parcours_home
from parcours.alertes import alertes_refresh
from parcours.enums import ObjetPassage, StatutCommission, StatutParcours, TypeAlerte
from parcours.models import Alerte, Decision, ParametresPlie
from plie.core.enums import Role, StructureKind
from plie.core.home import home_panels, panels_for
from plie.core.models import Structure
from plie.core.scoping import scope_for
from reporting import home as reporting_home
from reporting.tasks import consolidate_plie
from tests.factories import ParticipantFactory, StructureFactory, user_with_role
from tests.operations.factories import InscriptionFactory, OperationFactory
from tests.parcours.factories import CommissionFactory, ParcoursFactory, SortieFactory

D = datetime.date
PARIS = ZoneInfo("Europe/Paris")
TODAY = D(2026, 6, 15)


@pytest.fixture(autouse=True)
def frozen_today(time_machine):
    time_machine.move_to(datetime.datetime(2026, 6, 15, 10, 0, tzinfo=PARIS), tick=False)


def home(client, user):
    client.force_login(user)
    return client.get(reverse("home"))


def suivi(referent, status=StatutParcours.EN_PARCOURS, plie=None, nom=None, **fields):
    """A parcours entered on 2 February 2026 followed by ``referent``."""
    participant = ParticipantFactory(plie=plie, **({"nom": nom} if nom else {}))
    fields.setdefault("date_entree", D(2026, 2, 2))
    return ParcoursFactory(participant=participant, status=status, referent=referent, **fields)


def alerte(parcours, kind=TypeAlerte.SANS_CONTACT, echeance=None):
    return Alerte.objects.create(
        plie=parcours.plie, parcours=parcours, type=kind, echeance=echeance, computed_on=TODAY
    )


# --- The extension point ------------------------------------------------------------------------


def test_panels_are_collected_in_app_order():
    assert home_panels(Role.REFERENT) == [
        parcours_home.file_active,
        parcours_home.prochains_rdv,
        parcours_home.a_traiter,
        suivi_sortie.panel_relances,
    ]
    assert home_panels(Role.GESTIONNAIRE) == [
        suivi_sortie.panel_relances,
        operations_home.operations_fse,
        operations_home.completude_fse,
        reporting_home.bilan_annuel,
    ]
    assert home_panels(Role.ADMINISTRATEUR) == []


def test_no_role_gets_no_panel(world):
    assert panels_for(scope_for(world.no_role), None, TODAY) == []


# --- Référent -----------------------------------------------------------------------------------


class TestReferent:
    def test_file_active_counts_and_sans_contact_threshold(self, world):
        ref = world.referent_a
        plie = world.plie_a
        suivi(ref, plie=plie, dernier_contact=TODAY - datetime.timedelta(days=30))  # 30 days: not yet
        suivi(ref, plie=plie, dernier_contact=TODAY - datetime.timedelta(days=31))  # 31 days: sans contact
        suivi(ref, StatutParcours.SUSPENDU, plie=plie, dernier_contact=D(2026, 2, 10))  # suspended: no alert
        suivi(ref, StatutParcours.EN_SUIVI_EMPLOI, plie=plie)  # never met: since the entry (2 Feb)
        suivi(ref, StatutParcours.SORTI, plie=plie, date_sortie=D(2026, 5, 1))  # out: not counted
        suivi(ref, StatutParcours.CANDIDAT, plie=plie, date_entree=None)  # not admitted yet
        suivi(world.animateur_a, plie=plie)  # another référent's
        suivi(world.referent_b, plie=world.plie_b)  # PLIE B

        # the figure is the open « sans contact » alerts (one source with « À traiter »)
        alertes_refresh(plie_id=plie.pk, today=TODAY)
        panel = parcours_home.file_active(scope_for(ref), TODAY)
        assert {
            k: panel[k] for k in ("en_parcours", "suspendus", "suivi_emploi", "total", "sans_contact")
        } == {
            "en_parcours": 2,
            "suspendus": 1,
            "suivi_emploi": 1,
            "total": 4,
            "sans_contact": 2,
        }

        # the PLIE's own threshold: 60 days leaves only the parcours never met since February
        ParametresPlie.objects.create(plie=plie, jours_sans_contact=60)
        alertes_refresh(plie_id=plie.pk, today=TODAY)
        assert parcours_home.file_active(scope_for(ref), TODAY)["sans_contact"] == 1

    def test_file_active_panel_renders_the_figures(self, client, world):
        suivi(
            world.referent_a, plie=world.plie_a, dernier_contact=D(2026, 1, 1) + datetime.timedelta(days=90)
        )
        alertes_refresh(plie_id=world.plie_a.pk, today=TODAY)
        response = home(client, world.referent_a)
        assertContains(response, "<strong>1</strong> participant dans votre file active", html=False)
        assertContains(response, "<strong>1</strong> sans contact depuis plus longtemps", html=False)
        assertContains(response, reverse("parcours:workspace"))
        assertNotContains(response, "Aucun participant ne vous est confié")

    def test_next_appointments_from_now_in_order(self, client, world):
        ref = world.referent_a
        plie = world.plie_a
        at = lambda day, hour, minute=0: datetime.datetime(2026, 6, day, hour, minute, tzinfo=PARIS)  # noqa: E731
        later = suivi(ref, plie=plie, nom="Durand", prochain_rdv=at(18, 14))
        soon = suivi(ref, plie=plie, nom="Martin", prochain_rdv=at(15, 11, 30))
        suivi(ref, plie=plie, nom="Passe", prochain_rdv=at(15, 9))  # this morning, already past
        for day in range(20, 25):
            suivi(ref, plie=plie, prochain_rdv=at(day, 10))
        suivi(
            ref,
            StatutParcours.SORTI,
            plie=plie,
            nom="Sorti",
            date_sortie=D(2026, 5, 1),
            prochain_rdv=at(16, 9),
        )
        suivi(world.animateur_a, plie=plie, nom="Autre", prochain_rdv=at(16, 9))
        suivi(world.referent_b, plie=world.plie_b, nom="Bravo", prochain_rdv=at(16, 9))

        rdvs = parcours_home.prochains_rdv(scope_for(ref), TODAY)["rdvs"]
        assert len(rdvs) == 5
        assert rdvs[:2] == [soon, later]

        response = home(client, ref)
        assertContains(response, "15/06/2026 à 11h30")
        assertContains(response, reverse("parcours:parcours_detail", args=[soon.pk]))
        for absent in ("PASSE", "SORTI", "AUTRE", "BRAVO", "Aucun rendez-vous planifié"):
            assertNotContains(response, absent)

    def test_no_appointment_is_said_only_when_there_is_none(self, client, world):
        parcours = suivi(world.referent_a, plie=world.plie_a)
        assertContains(home(client, world.referent_a), "Aucun rendez-vous planifié.")
        parcours.prochain_rdv = datetime.datetime(2026, 7, 1, 9, 0, tzinfo=PARIS)
        parcours.save()
        response = home(client, world.referent_a)
        assertNotContains(response, "Aucun rendez-vous planifié.")
        assertContains(response, "01/07/2026 à 09h00")

    def test_alerts_counted_by_type(self, client, world):
        ref = world.referent_a
        mine = [suivi(ref, plie=world.plie_a) for _ in range(3)]
        alerte(mine[0])
        alerte(mine[1])
        alerte(mine[2], TypeAlerte.RDV_PASSE)
        alerte(suivi(world.animateur_a, plie=world.plie_a))  # another référent's
        alerte(suivi(world.referent_b, plie=world.plie_b))  # PLIE B

        panel = parcours_home.a_traiter(scope_for(ref), TODAY)
        assert panel["alertes"] == [
            {"type": "rdv_passe", "label": "Rendez-vous passé sans entretien", "nombre": 1},
            {"type": "sans_contact", "label": "Pas de contact depuis trop longtemps", "nombre": 2},
        ]
        assert panel["total"] == 3
        response = home(client, ref)
        assertContains(response, f"{reverse('parcours:workspace')}?alerte=sans_contact")
        assertNotContains(response, "Aucune alerte.")

    def test_empty_referent_home(self, client, world):
        response = home(client, world.referent_a)
        assertContains(response, "Aucun participant ne vous est confié.")
        assertContains(response, "Aucun rendez-vous planifié.")
        assertContains(response, "Aucune alerte.")

    def test_plie_b_sees_nothing_of_plie_a(self, client, world):
        suivi(
            world.referent_a,
            plie=world.plie_a,
            nom="Alpha",
            prochain_rdv=datetime.datetime(2026, 7, 1, tzinfo=PARIS),
        )
        response = home(client, world.referent_b)
        assertNotContains(response, "ALPHA")
        assert parcours_home.file_active(scope_for(world.referent_b), TODAY)["total"] == 0

    def test_referent_without_plie_in_scope_gets_zeros(self, world):
        lonely = StructureFactory(kind=StructureKind.OPERATEUR, nom="Sans partenaire")
        user = user_with_role(Role.REFERENT, lonely)
        parcours = suivi(user, plie=world.plie_a, prochain_rdv=datetime.datetime(2026, 7, 1, tzinfo=PARIS))
        alerte(parcours)  # followed, but in no PLIE the user may see
        assert parcours_home.file_active(scope_for(user), TODAY)["total"] == 0
        assert parcours_home.prochains_rdv(scope_for(user), TODAY)["rdvs"] == []
        assert parcours_home.a_traiter(scope_for(user), TODAY)["alertes"] == []

    def test_queries_are_pinned(self, client, world, django_assert_num_queries):
        for _ in range(6):
            parcours = suivi(
                world.referent_a, plie=world.plie_a, prochain_rdv=datetime.datetime(2026, 7, 1, tzinfo=PARIS)
            )
            alerte(parcours)
        client.force_login(world.referent_a)
        # session, user, memberships, PLIE; file active (counts, its alerts included), appointments,
        # alerts; follow-ups six months after exit
        with django_assert_num_queries(8):
            client.get(reverse("home"))


# --- Animation ----------------------------------------------------------------------------------


class TestAnimation:
    def test_commissions_and_waiting_candidates(self, client, world):
        plie = world.plie_a
        next_one = CommissionFactory(plie=plie, date=D(2026, 6, 20), lieu="Mairie annexe")
        CommissionFactory(plie=plie, date=D(2026, 7, 2))
        CommissionFactory(plie=plie, date=D(2026, 6, 1), status=StatutCommission.TENUE)
        CommissionFactory(plie=world.plie_b, date=D(2026, 6, 18), lieu="Salle B")
        candidats = [ParcoursFactory(participant=ParticipantFactory(plie=plie)) for _ in range(3)]
        Decision.objects.create(commission=next_one, parcours=candidats[0], objet=ObjetPassage.CANDIDATURE)
        ParcoursFactory(participant=ParticipantFactory(plie=world.plie_b))  # PLIE B's candidate

        panel = parcours_home.commissions(scope_for(world.animateur_a), TODAY)
        assert [(c.date, c.nb_dossiers) for c in panel["commissions"]] == [
            (D(2026, 6, 20), 1),
            (D(2026, 7, 2), 0),
        ]
        assert panel["candidats"] == 2

        response = home(client, world.animateur_a)
        assertContains(response, "20/06/2026</a> — Mairie annexe : 1 dossier à l'ordre du jour", html=False)
        assertContains(response, "<strong>2</strong> candidats en attente d'une commission", html=False)
        assertNotContains(response, "Salle B")
        assertNotContains(response, "Aucune commission programmée.")
        assertContains(response, "Tableau de bord")

    def test_no_commission_is_said_only_when_there_is_none(self, client, world):
        CommissionFactory(plie=world.plie_a, date=D(2026, 6, 1), status=StatutCommission.TENUE)
        response = home(client, world.animateur_a)
        assertContains(response, "Aucune commission programmée.")
        assertContains(response, "Aucun candidat en attente d'une commission.")
        assertContains(response, "Aucun dossier sans contact.")

    def test_dossiers_sans_contact_oldest_first(self, client, world):
        rows = []
        for day in range(1, 8):
            parcours = suivi(world.referent_a, plie=world.plie_a, nom=f"Nom{day}")
            rows.append(alerte(parcours, echeance=D(2026, 5, 10 - day)))
        alerte(suivi(world.referent_a, plie=world.plie_a), TypeAlerte.RDV_PASSE)  # another type
        alerte(suivi(world.referent_b, plie=world.plie_b, nom="Bravo"))

        panel = parcours_home.dossiers_sans_contact(scope_for(world.animateur_a), TODAY)
        assert panel["total"] == 7
        assert [a.pk for a in panel["alertes"]] == [a.pk for a in reversed(rows)][:5]
        response = home(client, world.animateur_a)
        assertContains(response, "<strong>7</strong> dossiers sans contact", html=False)
        assertContains(response, "NOM7")
        assertNotContains(response, "NOM1 ")
        assertNotContains(response, "BRAVO")

    def test_queries_are_pinned(self, client, world, django_assert_num_queries):
        CommissionFactory(plie=world.plie_a, date=D(2026, 6, 20))
        alerte(suivi(world.referent_a, plie=world.plie_a))
        client.force_login(world.animateur_a)
        # session, user, memberships, PLIE; commissions, candidates; alerts count, the oldest
        with django_assert_num_queries(8):
            client.get(reverse("home"))


# --- Gestionnaire -------------------------------------------------------------------------------


COMPLET = {
    "code_commune_naissance": "69123",
    "adresse": "1 rue de la République",
    "code_postal": "69001",
    "commune": "Lyon",
    "telephone": "0601020304",
}


@pytest.fixture
def operations(world):
    operation = OperationFactory(plie=world.plie_a, code="ACC-2026-A", intitule="Accompagnement A")

    def inscrire(**fields):
        participant = ParticipantFactory(plie=world.plie_a, **COMPLET)
        return InscriptionFactory(operation=operation, participant=participant, **fields)

    inscrire(complete=True)
    inscrire()  # nothing answered: incomplete
    inscrire(complete=True, date_sortie=D(2026, 6, 1))  # exit data to record (window open)
    inscrire(complete=True, date_sortie=D(2026, 4, 1))  # past the 4 weeks without data
    inscrire(complete=True, sortie=True)
    old = OperationFactory(
        plie=world.plie_a, code="ACC-2025", date_debut=D(2025, 1, 1), date_fin=D(2025, 12, 31)
    )
    InscriptionFactory(operation=old)
    InscriptionFactory(operation=OperationFactory(plie=world.plie_b, code="ACC-2026-B"))
    return operation


class TestGestionnaire:
    def test_operations_of_the_year(self, client, world, operations):
        panel = operations_home.operations_fse(scope_for(world.gestionnaire_a), TODAY)
        assert [
            (o.code, o.compteurs["inscriptions"], o.compteurs["entrees_incompletes"])
            for o in panel["operations"]
        ] == [("ACC-2026-A", 5, 1)]
        response = home(client, world.gestionnaire_a)
        assertContains(response, reverse("operations:operation_detail", args=[operations.pk]))
        assertContains(response, reverse("operations:completude", args=[operations.pk]))
        assertContains(response, "5 inscrits")
        assertContains(response, "1 questionnaire d'entrée incomplet<")
        for absent in ("ACC-2025", "ACC-2026-B", "Aucune opération"):
            assertNotContains(response, absent)

    def test_completude_counts(self, client, world, operations):
        panel = operations_home.completude_fse(scope_for(world.gestionnaire_a), TODAY)
        assert {
            k: panel[k]
            for k in ("inscriptions", "entrees_incompletes", "sorties_a_renseigner", "sorties_hors_delai")
        } == {
            "inscriptions": 5,
            "entrees_incompletes": 1,
            "sorties_a_renseigner": 1,
            "sorties_hors_delai": 1,
        }
        response = home(client, world.gestionnaire_a)
        assertContains(response, reverse("operations:completude_globale"))
        assertContains(response, "Sorties hors délai sans données : <strong>1</strong>", html=False)

    def test_empty_states(self, client, world):
        response = home(client, world.gestionnaire_a)
        assertContains(response, "Aucune opération en 2026.")
        assertContains(response, "Aucune inscription aux opérations de 2026.")

    def test_bilan_of_last_year(self, client, world):
        plie = world.plie_a

        def parcours(entree, sortie=None, plie=plie):
            return ParcoursFactory(
                participant=ParticipantFactory(plie=plie),
                status=StatutParcours.SORTI if sortie else StatutParcours.EN_PARCOURS,
                referent=world.referent_a,
                date_entree=entree,
                date_sortie=sortie,
            )

        SortieFactory(parcours=parcours(D(2025, 3, 1), D(2025, 10, 1)), positive=True, valide=True)
        SortieFactory(parcours=parcours(D(2025, 2, 1), D(2025, 11, 1)))  # abandon
        parcours(D(2025, 5, 1))
        parcours(D(2024, 5, 1))  # in parcours since 2024: not an entry of 2025
        parcours(D(2026, 2, 1))  # this year's
        parcours(D(2025, 5, 1), plie=world.plie_b)

        panel = reporting_home.bilan_annuel(scope_for(world.gestionnaire_a), TODAY)
        assert {
            k: panel[k]
            for k in ("annee", "entrees", "sorties", "sorties_positives", "taux_sorties_positives")
        } == {
            "annee": 2025,
            "entrees": 3,
            "sorties": 2,
            "sorties_positives": 1,
            "taux_sorties_positives": "50,0 %",
        }
        response = home(client, world.gestionnaire_a)
        assertContains(response, "Chiffres clés de 2025")
        assertContains(response, "Taux de sorties positives : <strong>50,0 %</strong>", html=False)
        assertContains(response, "En parcours au 31/12/2025 : <strong>2</strong>", html=False)
        assertContains(response, reverse("rapports:export_create"))
        assertContains(response, reverse("rapports:mensuel"))

    def test_queries_are_pinned(self, client, world, operations, django_assert_num_queries):
        client.force_login(world.gestionnaire_a)
        # session, user, memberships, PLIE; follow-ups six months after exit; operations + their
        # counts (the completeness panel's too); the nightly snapshots (none); flow table
        with django_assert_num_queries(9):
            client.get(reverse("home"))


# --- Direction, financeur -----------------------------------------------------------------------


def test_direction_sees_the_rate_of_the_year(client, world, django_assert_num_queries):
    parcours = ParcoursFactory(
        participant=ParticipantFactory(plie=world.plie_a, nom="Zorglub"),
        status=StatutParcours.SORTI,
        date_entree=D(2026, 1, 10),
        date_sortie=D(2026, 5, 1),
    )
    SortieFactory(parcours=parcours, positive=True, valide=True)
    client.force_login(world.direction_a)
    # session, user, memberships, PLIE; the nightly snapshots (none here); the flow table
    with django_assert_num_queries(6):
        response = client.get(reverse("home"))
    assertContains(response, "Taux de sorties positives : <strong>100,0 %</strong>", html=False)
    assertContains(response, "Année 2026, à ce jour")


def test_financeur_sees_aggregates_only(client, world):
    ParcoursFactory(
        participant=ParticipantFactory(plie=world.plie_a, nom="Zorglub"),
        status=StatutParcours.EN_PARCOURS,
        date_entree=D(2026, 3, 1),
    )
    ParcoursFactory(
        participant=ParticipantFactory(plie=world.plie_b, nom="Bravo"),
        status=StatutParcours.EN_PARCOURS,
        date_entree=D(2026, 3, 1),
    )
    response = home(client, world.financeur)
    assertContains(response, "Indicateurs agrégés")
    # PLIE A only (financed), its single entry under the small-cell threshold
    assertContains(response, "Entrées : <strong>&lt; 5</strong>", html=False)
    assertNotContains(response, '<td class="text-end num">1</td>', html=False)
    assertContains(response, "Taux de sorties positives : <strong>—</strong>", html=False)
    assertNotContains(response, "ZORGLUB")
    assertNotContains(response, reverse("parcours:workspace"))


# --- Figures from the nightly consolidation (issue 17) -------------------------------------------


def consolider(*plies, jour=TODAY):
    """The nightly consolidation of ``plies`` for ``jour`` (``reporting.tasks.consolidate_plie``)."""
    for plie in plies:
        consolidate_plie(plie.id, jour.isoformat())


def test_direction_reads_the_nights_figures_and_says_from_when(client, world, django_assert_num_queries):
    parcours = ParcoursFactory(
        participant=ParticipantFactory(plie=world.plie_a),
        status=StatutParcours.SORTI,
        date_entree=D(2026, 1, 10),
        date_sortie=D(2026, 5, 1),
    )
    SortieFactory(parcours=parcours, positive=True, valide=True)
    scope = scope_for(world.direction_a)
    live = reporting_home.taux_annee(scope, TODAY)
    consolider(world.plie_a, jour=TODAY - datetime.timedelta(days=1))
    lu = reporting_home.taux_annee(scope, TODAY)
    chiffres = ("entrees", "sorties", "sorties_positives", "en_parcours_fin", "taux_sorties_positives")
    assert {k: lu[k] for k in chiffres} == {k: live[k] for k in chiffres}
    assert (live["au"], lu["au"]) == (None, D(2026, 6, 14))
    client.force_login(world.direction_a)
    # session, user, memberships, PLIE; the nightly snapshots (the flow table is theirs)
    with django_assert_num_queries(5):
        response = client.get(reverse("home"))
    assertContains(response, "Chiffres au 14/06/2026 (comptage de la nuit)")
    assertContains(response, "En parcours au 14/06/2026 : <strong>0</strong>", html=False)

    suivi(world.referent_a, plie=world.plie_a, date_entree=D(2026, 6, 14))  # entered after the night
    assert reporting_home.taux_annee(scope, TODAY)["entrees"] == 1
    consolider(world.plie_a)  # the next night
    lu = reporting_home.taux_annee(scope, TODAY)
    assert (lu["entrees"], lu["au"]) == (2, TODAY)


def test_last_years_bilan_from_the_night_equals_the_live_count(client, world, django_assert_num_queries):
    def parcours(entree, sortie=None):
        return ParcoursFactory(
            participant=ParticipantFactory(plie=world.plie_a),
            status=StatutParcours.SORTI if sortie else StatutParcours.EN_PARCOURS,
            date_entree=entree,
            date_sortie=sortie,
        )

    SortieFactory(parcours=parcours(D(2025, 3, 1), D(2025, 10, 1)), positive=True, valide=True)
    SortieFactory(parcours=parcours(D(2025, 2, 1), D(2025, 11, 1)))
    parcours(D(2024, 5, 1))
    scope = scope_for(world.gestionnaire_a)
    live = reporting_home.bilan_annuel(scope, TODAY)
    consolider(world.plie_a)
    lu = reporting_home.bilan_annuel(scope, TODAY)
    chiffres = ("annee", "entrees", "sorties", "sorties_positives", "en_parcours_fin")
    chiffres += ("taux_sorties_positives",)
    assert {k: lu[k] for k in chiffres} == {k: live[k] for k in chiffres}
    assert lu["entrees"] == 2 and lu["fin_libelle"] == "au 31/12/2025" and lu["au"] == TODAY
    client.force_login(world.gestionnaire_a)
    # session, user, memberships, PLIE; follow-ups six months after exit; the operations (none
    # here: no counts); the nightly snapshots (the flow table is theirs)
    with django_assert_num_queries(7):
        response = client.get(reverse("home"))
    assertContains(response, "Chiffres au 15/06/2026 (comptage de la nuit)")

    parcours(D(2025, 12, 1))  # a late entry of last year, recorded today
    assert reporting_home.bilan_annuel(scope, TODAY)["entrees"] == 2
    consolider(world.plie_a)
    assert reporting_home.bilan_annuel(scope, TODAY)["entrees"] == 3


def test_figures_of_several_plie_come_from_the_night_only_when_each_has_its_snapshot(world):
    ParcoursFactory(participant=ParticipantFactory(plie=world.plie_a), date_entree=D(2026, 3, 1))
    ParcoursFactory(participant=ParticipantFactory(plie=world.plie_b), date_entree=D(2026, 3, 1))
    scope = scope_for(world.oi_user)
    assert len(scope.plie_ids) >= 2
    live = reporting_home.chiffres_cles(scope, 2026, TODAY)
    consolider(world.plie_a)
    assert reporting_home.chiffres_cles(scope, 2026, TODAY)["au"] is None  # PLIE B has none
    consolider(*Structure.objects.filter(id__in=scope.plie_ids))
    lu = reporting_home.chiffres_cles(scope, 2026, TODAY)
    assert lu["au"] == TODAY
    assert {k: lu[k] for k in ("entrees", "sorties", "en_parcours_fin")} == {
        k: live[k] for k in ("entrees", "sorties", "en_parcours_fin")
    }


def test_panels_of_one_page_share_an_aggregate_and_nothing_outlives_it(world, operations):
    from plie.core.home import partage

    calculs = []

    def calcul():
        calculs.append(1)
        return len(calculs)

    assert (partage("x", calcul), partage("x", calcul)) == (1, 2)  # outside a page: computed each time
    scope = scope_for(world.gestionnaire_a)
    panels = panels_for(scope, Role.GESTIONNAIRE, TODAY)
    operations_panel = next(p for p in panels if p["template"].endswith("home_operations.html"))
    completude = next(p for p in panels if p["template"].endswith("home_completude.html"))
    # the completeness panel is the total line of the operations panel's counts
    assert operations_panel["nombre"] == 1 and completude["inscriptions"] == 5
    assert completude == operations_home.completude_fse(scope, TODAY)
    InscriptionFactory(operation=operations)  # the next page counts again
    panels = panels_for(scope, Role.GESTIONNAIRE, TODAY)
    assert next(p for p in panels if p["template"].endswith("home_completude.html"))["inscriptions"] == 6


def test_the_plie_participant_counts(client, world):
    ParticipantFactory.create_batch(3, plie=world.plie_a)
    response = home(client, world.oi_user)
    counts = {p.code: p.nb_participants for p in response.context["plies"]}
    assert counts["plie-a"] in (3, "< 5")
    client.force_login(world.gestionnaire_a)
    response = client.get(reverse("home"))
    assert [p.nb_participants for p in response.context["plies"]] == [3]
