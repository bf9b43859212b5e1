"""The follow-up six months after exit, the proof extractions, the link of parcours' contracts
to their employer, and the demo step."""

import datetime
import io
from decimal import Decimal

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.urls import reverse
from openpyxl import load_workbook

from entreprises import services, suivi_sortie
from entreprises.enums import SituationSixMois
from entreprises.models import ContratEmployeur, SuiviSixMois
from plie.core.enums import Role
from plie.core.scoping import Scope, scope_for
from tests.entreprises.factories import (
    EmployeurFactory,
    HeuresMoisFactory,
    MarcheFactory,
    MiseEnRelationFactory,
    OffreFactory,
)
from tests.factories import MembershipFactory, UserFactory
from tests.parcours.factories import ContratFactory, ParcoursFactory

D = datetime.date
TODAY = D(2027, 4, 15)


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(datetime.datetime(2027, 4, 15, 10, 0), tick=False):
        yield


def sorti(world, plie, date_sortie, referent):
    return ParcoursFactory(
        plie=plie, participant__plie=plie, sorti=True, date_sortie=date_sortie, referent=referent
    )


@pytest.fixture
def sorties(world):
    """Exits of PLIE A: due (15/09/2026 +6 = 15/03/2027; reminder since 15/04/2027), due
    (31/08/2026 → 28/02/2027, reminder 31/03/2027), not yet due (30/11/2026 → 30/05/2027), one of a
    colleague; one exit of PLIE B."""
    return {
        "relance": sorti(world, world.plie_a, D(2026, 9, 15), world.referent_a),
        "fin_de_mois": sorti(world, world.plie_a, D(2026, 8, 31), world.referent_a),
        "a_faire": sorti(world, world.plie_a, D(2026, 10, 1), world.referent_a),
        "a_venir": sorti(world, world.plie_a, D(2026, 11, 30), world.referent_a),
        "collegue": sorti(world, world.plie_a, D(2026, 9, 1), world.animateur_a),
        "plie_b": sorti(world, world.plie_b, D(2026, 9, 1), world.referent_b),
    }


class TestSuiviSixMois:
    def test_a_referent_sees_their_due_follow_ups(self, world, sorties):
        rows = suivi_sortie.suivis(scope_for(world.referent_a), TODAY)
        etats = {r.pk: r.etat for r in rows}
        assert etats == {
            sorties["relance"].pk: "relance",
            sorties["fin_de_mois"].pk: "relance",
            sorties["a_faire"].pk: "a_faire",
        }
        assert {r.pk: r.echeance for r in rows}[sorties["fin_de_mois"].pk] == D(2027, 2, 28)

    def test_the_gestionnaire_sees_the_plies(self, world, sorties):
        rows = suivi_sortie.suivis(scope_for(world.gestionnaire_a), TODAY)
        assert sorties["collegue"].pk in {r.pk for r in rows}
        assert sorties["plie_b"].pk not in {r.pk for r in rows}

    def test_recording_the_situation(self, world, sorties):
        parcours = sorties["a_faire"]
        services.suivi_six_mois_record(
            scope=scope_for(world.referent_a),
            parcours=parcours,
            situation=SituationSixMois.EMPLOI,
            date_releve=TODAY,
        )
        rows = suivi_sortie.suivis(scope_for(world.referent_a), TODAY, etat="fait")
        assert [r.pk for r in rows] == [parcours.pk]

    def test_not_before_it_is_due(self, world, sorties):
        with pytest.raises(ValidationError) as error:
            services.suivi_six_mois_record(
                scope=scope_for(world.referent_a),
                parcours=sorties["a_venir"],
                situation=SituationSixMois.EMPLOI,
                date_releve=TODAY,
            )
        assert "30/05/2027" in str(error.value)
        assert not SuiviSixMois.objects.exists()

    def test_the_page_and_plie_b(self, client, world, sorties, django_assert_num_queries):
        client.force_login(world.referent_a)
        # session, user, scope (memberships), the exits with their participant and follow-up
        with django_assert_num_queries(4):
            response = client.get(reverse("entreprises:suivi_list"))
        assert len(response.context["page"]) == 3
        client.force_login(world.referent_b)
        assert sorties["relance"].pk not in {
            r.pk for r in client.get(reverse("entreprises:suivi_list")).context["page"]
        }
        assert (
            client.get(reverse("entreprises:suivi_record", args=[sorties["relance"].pk])).status_code == 404
        )

    def test_record_through_the_page(self, client, world, sorties):
        client.force_login(world.referent_a)
        response = client.post(
            reverse("entreprises:suivi_record", args=[sorties["relance"].pk]),
            {"situation": "formation", "date_releve": "15/04/2027"},
        )
        assert response.status_code == 302
        assert sorties["relance"].suivi_six_mois.situation == "formation"

    def test_the_home_panel_counts_reminders(self, world, sorties):
        panel = suivi_sortie.panel_relances(scope_for(world.referent_a), TODAY)
        assert (panel["a_faire"], panel["relances"]) == (1, 2)

    @pytest.mark.parametrize("persona", ["referent_a", "gestionnaire_a", "referent_b"])
    def test_the_home_panel_counts_the_rows_of_the_list(self, world, sorties, persona):
        SuiviSixMois.objects.create(parcours=sorties["collegue"], situation="emploi", date_releve=TODAY)
        scope = scope_for(getattr(world, persona))
        assert sorted(suivi_sortie.etats_suivis(scope, TODAY)) == sorted(
            row.etat for row in suivi_sortie.suivis(scope, TODAY)
        )

    def test_the_chargee_sees_no_follow_up(self, client, world):
        client.force_login(world.charge_a)
        assert client.get(reverse("entreprises:suivi_list")).status_code == 404


@pytest.fixture
def preuves_data(world):
    offre = OffreFactory(plie=world.plie_a, employeur__plie=world.plie_a, employeur__nom="=Bati Sud")
    OffreFactory(employeur=offre.employeur, plie=world.plie_a, intitule="Coffreur")
    OffreFactory(plie=world.plie_a, employeur__plie=world.plie_a, employeur__nom="Propreté Plus")
    EmployeurFactory(plie=world.plie_a, nom="Sans offre")
    MiseEnRelationFactory(offre=offre, parcours__participant__nom="Martin")
    HeuresMoisFactory(placement__marche=MarcheFactory(plie=world.plie_a), heures=Decimal(120))
    # PLIE B
    ob = OffreFactory(plie=world.plie_b, employeur__plie=world.plie_b, employeur__nom="Entreprise de B")
    MiseEnRelationFactory(offre=ob, parcours__participant__nom="Bernard")
    HeuresMoisFactory(placement__marche=MarcheFactory(plie=world.plie_b), heures=Decimal(999))


def sheet_rows(response, name):
    return list(load_workbook(io.BytesIO(response.content))[name].iter_rows(values_only=True))


class TestPreuves:
    @pytest.mark.parametrize(
        ("kind", "queries"),
        # session, user, scope (memberships), then one query: the offers with their employers and
        # their mises counted / the mises with participant, offer, employer / the hours with market
        [("employeurs-offres", 4), ("mises-en-relation", 4), ("heures-clauses", 4)],
    )
    def test_query_counts(self, client, world, preuves_data, kind, queries, django_assert_num_queries):
        client.force_login(world.charge_a)
        with django_assert_num_queries(queries):
            response = client.get(reverse("entreprises:preuve_xlsx", args=[kind]))
        assert response.status_code == 200

    def test_employers_with_an_offer_and_their_offers(self, client, world, preuves_data):
        client.force_login(world.gestionnaire_a)
        response = client.get(reverse("entreprises:preuve_xlsx", args=["employeurs-offres"]))
        employeurs = sheet_rows(response, "Employeurs")
        assert [r[1] for r in employeurs[1:-1]] == [
            "=Bati Sud",
            "Propreté Plus",
        ]  # neutralised, not a formula
        assert employeurs[-1][:2] == ("Employeurs différents ayant déposé au moins une offre", 2)
        assert len(sheet_rows(response, "Offres")) == 1 + 3

    def test_mises_and_hours(self, client, world, preuves_data):
        client.force_login(world.charge_a)
        mises = sheet_rows(
            client.get(reverse("entreprises:preuve_xlsx", args=["mises-en-relation"])), "Mises en relation"
        )
        assert [r[0] for r in mises[1:-1]] == ["Martin"]
        heures = sheet_rows(
            client.get(reverse("entreprises:preuve_xlsx", args=["heures-clauses"])), "Heures par marché"
        )
        assert heures[-1][-1] == 120

    def test_plie_b_sees_only_its_own(self, client, world, preuves_data):
        user = UserFactory()
        MembershipFactory(user=user, structure=world.plie_b, role=Role.RELATIONS_ENTREPRISES)
        client.force_login(user)
        mises = sheet_rows(
            client.get(reverse("entreprises:preuve_xlsx", args=["mises-en-relation"])), "Mises en relation"
        )
        assert [r[0] for r in mises[1:-1]] == ["Bernard"]
        heures = sheet_rows(
            client.get(reverse("entreprises:preuve_xlsx", args=["heures-clauses"])), "Heures par marché"
        )
        assert heures[-1][-1] == 999

    @pytest.mark.parametrize("persona", ["referent_a", "referent_b", "financeur", "no_role"])
    def test_without_the_right_a_404(self, client, world, preuves_data, persona):
        client.force_login(getattr(world, persona))
        assert client.get(reverse("entreprises:preuve_xlsx", args=["mises-en-relation"])).status_code == 404
        assert client.get(reverse("entreprises:preuves")).status_code == 404


class TestLiaisonContrats:
    def test_by_siret_then_by_name_the_rest_listed(self, world):
        bati = EmployeurFactory(plie=world.plie_a, nom="Bâtiment Rénov'")
        EmployeurFactory(plie=world.plie_a, nom="Homonyme")
        EmployeurFactory(plie=world.plie_a, nom="homonyme ")
        parcours = ParcoursFactory(plie=world.plie_a, participant__plie=world.plie_a, en_parcours=True)
        by_siret = ContratFactory(etape__parcours=parcours, employeur="Autre nom", siret=bati.siret)
        by_name = ContratFactory(etape__parcours=parcours, employeur="BATIMENT  renov'")
        ambiguous = ContratFactory(etape__parcours=parcours, employeur="Homonyme")
        unknown = ContratFactory(etape__parcours=parcours, employeur="Inconnue SARL")
        scope = Scope.system(world.plie_a.pk, label="test")
        linked, unmatched = services.contrats_lier(scope=scope, plie_id=world.plie_a.pk)
        assert linked == 2
        assert {c.pk for c in unmatched} == {ambiguous.pk, unknown.pk}
        assert ContratEmployeur.objects.get(contrat=by_siret).employeur == bati
        assert ContratEmployeur.objects.get(contrat=by_name).employeur == bati
        assert services.contrats_lier(scope=scope, plie_id=world.plie_a.pk)[0] == 0  # twice: nothing more

    def test_the_command_lists_what_is_left(self, world):
        ContratFactory(
            etape__parcours=ParcoursFactory(
                plie=world.plie_a, participant__plie=world.plie_a, en_parcours=True
            ),
            employeur="Inconnue SARL",
        )
        out = io.StringIO()
        call_command("lier_contrats_employeurs", "--plie", world.plie_a.code, stdout=out)
        assert "0 contrat(s) relié(s), 1 à relier à la main" in out.getvalue()
        assert "« Inconnue SARL »" in out.getvalue()


@pytest.mark.django_db
def test_the_demo_step(settings):
    from entreprises.compteurs import compteurs_periode
    from entreprises.models import Convention, Employeur, HeuresMois, Marche, MiseEnRelation, Offre
    from plie.core import demo

    world = demo.build_world(participants=200, plies=1, seed=7, today=demo.PINNED_DATE, stdout=io.StringIO())
    assert Employeur.objects.count() == 12
    assert Offre.objects.count() == 24
    assert MiseEnRelation.objects.exists()
    assert Marche.objects.count() == 3
    assert HeuresMois.objects.exists()
    assert world.created["employeurs"] == 12
    assert SuiviSixMois.objects.exists()  # some exits' six-month situations
    # the conventions: one per donneur d'ordre, two with employers, one of them still to sign
    assert Convention.objects.count() == world.created["conventions de partenariat"] == 5
    assert Convention.objects.filter(date_signature__isnull=True).count() == 1
    plie = Marche.objects.first().plie
    assert (
        compteurs_periode([plie.pk], datetime.date(2000, 1, 1), datetime.date(2100, 12, 31))["conventions"]
        == 4
    )
    # every hire points at a job étape whose contract is linked to its employer
    for mise in MiseEnRelation.objects.filter(status="retenu").select_related("etape__contrat", "offre"):
        assert mise.etape.contrat.lien_employeur.employeur_id == mise.offre.employeur_id


def test_the_counts_of_a_period(world):
    from entreprises.compteurs import compteurs_periode

    offre = OffreFactory(plie=world.plie_a, employeur__plie=world.plie_a, date_publication=D(2026, 3, 2))
    OffreFactory(plie=world.plie_a, employeur=offre.employeur, date_publication=D(2026, 5, 2))
    OffreFactory(plie=world.plie_a, employeur__plie=world.plie_a, date_publication=D(2025, 5, 2))  # before
    MiseEnRelationFactory(offre=offre, status="retenu")
    MiseEnRelationFactory(offre=offre)
    marche = MarcheFactory(plie=world.plie_a)
    HeuresMoisFactory(placement__marche=marche, mois=D(2026, 3, 1), heures=Decimal(100))
    HeuresMoisFactory(placement__marche=marche, mois=D(2026, 4, 1), heures=Decimal(50))
    HeuresMoisFactory(placement__marche=MarcheFactory(plie=world.plie_b), heures=Decimal(999))
    parcours = sorti(world, world.plie_a, D(2026, 6, 30), world.referent_a)
    SuiviSixMois.objects.create(parcours=parcours, situation="emploi", date_releve=D(2027, 1, 5))
    counts = compteurs_periode([world.plie_a.pk], D(2026, 1, 1), D(2026, 12, 31))
    assert (counts["employeurs"], counts["offres"], counts["mises"], counts["retenus"]) == (1, 2, 2, 1)
    assert (counts["marches"], counts["heures"]) == (1, Decimal(150))
    assert dict(counts["situations"])["En emploi salarié"] == 1
