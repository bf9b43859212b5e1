"""The tableau d'impact: totals cross-checked against the per-participant rows, scoping across
two PLIE, the page and its XLSX, query counts."""

import datetime
import io
from decimal import Decimal

import pytest
import time_machine
from django.urls import reverse
from openpyxl import load_workbook

from entreprises import impact
from plie.core.enums import Role
from plie.core.scoping import scope_for
from tests.entreprises.factories import HeuresMoisFactory, MarcheFactory, PlacementFactory
from tests.factories import MembershipFactory, ParticipantFactory, SituationEntreeFactory, UserFactory
from tests.parcours.factories import ContratFactory, ParcoursFactory

D = datetime.date


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(datetime.datetime(2027, 4, 15, 10, 0), tick=False):
        yield


@pytest.fixture
def clauses(world):
    """Two donneurs d'ordre in PLIE A (three markets), one market in PLIE B.

    - Léa (BRSA, DELD, in the PLIE) on market 1: 140 h in 03/2026, 150 h in 04/2026, then a CDI
      from 01/09/2026 after her placement ended 31/07/2026;
    - Marc (a senior, born 1970, not in the PLIE) on markets 1 and 2: 100 h + 60 h in 2026,
      80 h in 01/2027;
    - nobody yet on market 3; PLIE B: 500 h on its market."""
    m1 = MarcheFactory(
        plie=world.plie_a, donneur_ordre="Agglomération", reference="VRD-1", heures_requises=1000
    )
    m2 = MarcheFactory(
        plie=world.plie_a,
        donneur_ordre="Agglomération",
        reference="VRD-2",
        heures_requises=400,
        date_fin=D(2027, 6, 30),
    )
    MarcheFactory(plie=world.plie_a, donneur_ordre="Département", reference="COL-1", heures_requises=600)
    lea = ParticipantFactory(plie=world.plie_a, nom="Léa", date_naissance=D(1990, 1, 1))
    SituationEntreeFactory(participant=lea, complete=True)  # BRSA, DELD (14 months)
    parcours = ParcoursFactory(participant=lea, en_parcours=True)
    p1 = PlacementFactory(marche=m1, participant=lea, date_debut=D(2026, 3, 1), date_fin=D(2026, 7, 31))
    HeuresMoisFactory(placement=p1, mois=D(2026, 3, 1), heures=Decimal(140))
    HeuresMoisFactory(placement=p1, mois=D(2026, 4, 1), heures=Decimal(150))
    ContratFactory(etape__parcours=parcours, date_debut=D(2026, 9, 1), etape__date_debut=D(2026, 9, 1))
    marc = ParticipantFactory(plie=world.plie_a, nom="Marc", date_naissance=D(1970, 5, 5))
    SituationEntreeFactory(participant=marc, date_entree=D(2026, 1, 5))
    p2 = PlacementFactory(marche=m1, participant=marc, date_debut=D(2026, 5, 1))
    HeuresMoisFactory(placement=p2, mois=D(2026, 5, 1), heures=Decimal(100))
    p3 = PlacementFactory(marche=m2, participant=marc, date_debut=D(2026, 6, 1))
    HeuresMoisFactory(placement=p3, mois=D(2026, 6, 1), heures=Decimal(60))
    HeuresMoisFactory(placement=p3, mois=D(2027, 1, 1), heures=Decimal(80))
    mb = MarcheFactory(plie=world.plie_b)
    HeuresMoisFactory(placement=PlacementFactory(marche=mb), heures=Decimal(500))
    return {"m1": m1, "m2": m2, "lea": lea, "marc": marc}


def charge(world, plie):
    user = UserFactory()
    MembershipFactory(user=user, structure=plie, role=Role.RELATIONS_ENTREPRISES)
    return user


def test_totals_match_the_rows(world, clauses):
    table = impact.tableau(scope_for(world.charge_a))
    rows = table["lignes"]
    total = table["total"]
    # hours: the grand total is the sum of the rows, and of each grouping
    assert total.heures == sum(r.heures for r in rows) == Decimal(530)
    for grouping in ("par_marche", "par_donneur", "par_annee"):
        assert sum(t.heures for t in table[grouping]) == total.heures
        assert sum(t.contrats_apres for t in table[grouping]) == total.contrats_apres == 1
    # participants: distinct people of the rows, per category
    assert total.nb_participants == len({r.participant_id for r in rows}) == 2
    for key in impact.CATEGORIES:
        assert total.nb(key) == len({r.participant_id for r in rows if key in r.categories})
    by_market = {t.libelle.split(" ")[0]: t for t in table["par_marche"]}
    assert (by_market["VRD-1"].heures, by_market["VRD-1"].heures_requises) == (Decimal(390), 1000)
    assert (by_market["VRD-2"].heures, by_market["COL-1"].heures, by_market["COL-1"].nb_participants) == (
        Decimal(140),
        Decimal(0),
        0,
    )
    by_donneur = {t.libelle: t for t in table["par_donneur"]}
    assert by_donneur["Agglomération"].heures_requises == 1400
    assert by_donneur["Agglomération"].nb_participants == 2
    by_year = {t.cle: t for t in table["par_annee"]}
    assert (by_year[2026].heures, by_year[2027].heures) == (Decimal(450), Decimal(80))
    assert total.counts == [1, 1, 1, 0, 0, 1]  # PLIE, DELD, BRSA, TH, jeunes, seniors
    assert total.etp == Decimal("0.33")  # 530 / 1607


def test_a_year_keeps_that_years_hours(world, clauses):
    table = impact.tableau(scope_for(world.charge_a), annee=2027)
    assert table["total"].heures == Decimal(80)
    assert [t.libelle.split(" ")[0] for t in table["par_marche"]] == ["VRD-2"]  # the only one running in 2027


def test_plie_b_sees_only_its_own(world, clauses):
    table = impact.tableau(scope_for(charge(world, world.plie_b)))
    assert table["total"].heures == Decimal(500)
    assert {r.nom for r in table["lignes"]}.isdisjoint({"Léa", "Marc"})


def test_the_query_count_does_not_grow(world, clauses, django_assert_num_queries):
    scope = scope_for(world.charge_a)
    # markets, placements, hours per placement and year, situations, parcours, contracts
    with django_assert_num_queries(6):
        impact.tableau(scope)


class TestPages:
    def test_page_and_xlsx(self, client, world, clauses):
        client.force_login(world.charge_a)
        response = client.get(reverse("entreprises:impact"))
        assert response.context["total"].heures == Decimal(530)
        response = client.get(reverse("entreprises:impact_xlsx"))
        workbook = load_workbook(io.BytesIO(response.content))
        assert workbook.sheetnames == ["Par marché", "Par donneur d'ordre", "Par année", "Par participant"]
        marche_rows = list(workbook["Par marché"].iter_rows(values_only=True))
        assert marche_rows[-1][0] == "Total" and marche_rows[-1][2] == 530
        participant_rows = list(workbook["Par participant"].iter_rows(values_only=True))[1:]
        assert sum(r[6] for r in participant_rows) == 530

    def test_pdf(self, client, world, clauses):
        from pypdf import PdfReader

        client.force_login(world.charge_a)
        response = client.get(reverse("entreprises:impact_pdf"), {"annee": "2026"})
        text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)
        assert "Tableau d'impact des clauses sociales" in text
        assert "Année 2026" in text and "450,00" in text and "Agglomération" in text

    @pytest.mark.parametrize("persona", ["referent_b", "financeur", "referent_a"])
    def test_those_without_proofs_get_a_404(self, client, world, clauses, persona):
        client.force_login(getattr(world, persona))
        assert client.get(reverse("entreprises:impact")).status_code == 404
        assert client.get(reverse("entreprises:impact_xlsx")).status_code == 404
        assert client.get(reverse("entreprises:impact_pdf")).status_code == 404

    def test_market_pages_of_plie_a_are_404_for_plie_b(self, client, world, clauses):
        client.force_login(charge(world, world.plie_b))
        m1 = clauses["m1"]
        assert client.get(reverse("entreprises:marche_detail", args=[m1.pk])).status_code == 404
        assert client.get(reverse("entreprises:placement_create", args=[m1.pk])).status_code == 404
        placement = m1.placements.first()
        assert client.get(reverse("entreprises:heures_create", args=[placement.pk])).status_code == 404
        assert [m.pk for m in client.get(reverse("entreprises:marche_list")).context["marches"]] != [m1.pk]
        assert m1 not in client.get(reverse("entreprises:marche_list")).context["marches"]

    def test_market_list_query_count(self, client, world, clauses, django_assert_num_queries):
        client.force_login(world.charge_a)
        # session, user, scope (memberships), markets with their hours and placements
        with django_assert_num_queries(4):
            response = client.get(reverse("entreprises:marche_list"))
        rows = {m.reference: m.heures_realisees for m in response.context["marches"]}
        assert rows == {"VRD-1": Decimal(390), "VRD-2": Decimal(140), "COL-1": None}

    def test_declaring_hours_over_48_a_week_shows_a_message(self, client, world, clauses):
        client.force_login(world.charge_a)
        placement = clauses["m1"].placements.get(participant=clauses["marc"])
        response = client.post(
            reverse("entreprises:heures_create", args=[placement.pk]), {"mois": "01/06/2026", "heures": "300"}
        )
        assert "dépasse 48 h par semaine" in response.content.decode()
        assert not placement.heures.filter(mois=D(2026, 6, 1)).exists()

    def test_the_chargee_creates_a_market_and_places_someone(self, client, world, clauses):
        client.force_login(world.charge_a)
        response = client.post(
            reverse("entreprises:marche_create"),
            {
                "plie": world.plie_a.pk,
                "donneur_ordre": "Ville d'Agen",
                "reference": "ECOLE-3",
                "attributaire": clauses["m1"].attributaire_id,
                "heures_requises": "350",
                "date_debut": "01/01/2027",
                "date_fin": "31/12/2027",
            },
        )
        assert response.status_code == 302
        marche = world.plie_a.marches.get(reference="ECOLE-3")
        lea = clauses["lea"]
        client.post(
            reverse("entreprises:placement_create", args=[marche.pk]),
            {"participant": lea.pk, "modalite": "geiq", "date_debut": "01/02/2027"},
        )
        assert marche.placements.get().participant == lea
