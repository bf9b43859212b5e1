"""The monthly reporting page, its CSV/XLSX downloads and its API, scoped: a financeur partner of
PLIE A reads A's aggregates; PLIE B's référent gets a 404 on A; a user with no PLIE a 403.
Time is frozen on 15/02/2017 (tests/reporting/conftest.py)."""

import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook
from rest_framework.test import APIRequestFactory, force_authenticate

from parcours.enums import CategorieSortie as C
from reporting.api import reporting_mensuel_api
from tests.reporting.conftest import D, make_parcours


@pytest.fixture
def donnees(world):
    """PLIE A in January 2017: 2 in stock, 1 entry, 1 validated CDI exit; PLIE B: one entry."""
    make_parcours(world.plie_a, D(2016, 6, 1))
    make_parcours(world.plie_a, D(2016, 6, 1), D(2017, 1, 31), C.EMPLOI_DURABLE)
    make_parcours(world.plie_a, D(2017, 1, 1))
    make_parcours(world.plie_b, D(2017, 1, 10))
    return world


def url(**params):
    query = "&".join(f"{k}={v}" for k, v in params.items())
    return reverse("rapports:mensuel") + (f"?{query}" if query else "")


def test_the_page_shows_the_previous_month_by_default(client, donnees, django_assert_num_queries):
    client.force_login(donnees.financeur)
    # session + user, the scope (memberships, partner links), the visible PLIE, the closed version
    # (none), the 2 report queries
    with django_assert_num_queries(8):
        response = client.get(url())
    assert response.status_code == 200
    page = response.content.decode()
    assert "PLIE A — janvier 2017" in page
    # the financeur reads aggregates under the small-cell suppression: 3 people are « < 5 »
    assert 'Participants accompagnés dans le mois</th><td class="num">&lt; 5</td>' in page
    assert 'En parcours au 31/01/2017</th><td class="num">&lt; 5</td>' in page
    assert 'Taux de sorties positives</th><td class="num">n.c.</td>' in page
    assert 'Taux de sorties positives sur les entrées</th><td class="num">n.c.</td>' in page
    assert "CDI</th>" in page
    assert (
        '<th scope="row" class="fw-normal fst-italic ps-5">dont emploi durable</th>'
        '<td class="num">&lt; 5</td>' in page
    )
    assert '<td class="num">1</td>' not in page and '<td class="num">2</td>' not in page
    assert "PLIE B" not in page  # the financeur is partner of A only
    assert reverse("rapports:mensuel_export", args=["plie-a", "2017-01", "xlsx"]) in page
    assert "provisoires" not in page


def test_the_current_month_is_flagged_provisional(client, donnees):
    client.force_login(donnees.direction_a)
    response = client.get(url(plie="plie-a", mois="2017-02"))
    assert response.status_code == 200
    assert "chiffres provisoires" in response.content.decode()


@pytest.mark.parametrize(
    "mois, message",
    [("2017-03", "mars 2017 n&#x27;a pas commencé"), ("2017-13", "entre 01 et 12"), ("abc", "AAAA-MM")],
)
def test_a_bad_month_is_explained(client, donnees, mois, message):
    client.force_login(donnees.direction_a)
    response = client.get(url(plie="plie-a", mois=mois))
    assert response.status_code == 400
    assert message in response.content.decode()


def test_an_oi_user_picks_among_its_plie(client, donnees):
    client.force_login(donnees.oi_user)
    page = client.get(url(plie="plie-b", mois="2017-01")).content.decode()
    assert "PLIE B — janvier 2017" in page
    assert 'Entrées dans le mois</th><td class="num">&lt; 5</td>' in page  # aggregates only: suppressed
    assert '<option value="plie-a">PLIE A</option>' in page
    assert "PLIE C" not in page


def test_another_plie_is_a_404_and_no_plie_a_403(client, donnees):
    client.force_login(donnees.referent_b)
    assert client.get(url(plie="plie-a", mois="2017-01")).status_code == 404
    assert (
        client.get(reverse("rapports:mensuel_export", args=["plie-a", "2017-01", "csv"])).status_code == 404
    )
    client.force_login(donnees.no_role)
    assert client.get(url()).status_code == 403


def test_anonymous_is_sent_to_login(client, donnees):
    response = client.get(url())
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


def test_csv_xlsx_and_pdf_downloads(client, donnees):
    client.force_login(donnees.financeur)
    response = client.get(reverse("rapports:mensuel_export", args=["plie-a", "2017-01", "csv"]))
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="reporting-mensuel-plie-a-2017-01.csv"'
    texte = response.content.decode("utf-8-sig")
    assert "Entrées dans le mois;< 5\r\n" in texte and "Sorties dans le mois;< 5\r\n" in texte

    response = client.get(reverse("rapports:mensuel_export", args=["plie-a", "2017-01", "xlsx"]))
    workbook = load_workbook(io.BytesIO(response.content))
    flux = {row[0]: row[1] for row in workbook["Flux du mois"].iter_rows(min_row=2, values_only=True)}
    assert flux["En parcours au 31/12/2016"] == "< 5"
    assert flux["En parcours au 31/01/2017"] == "< 5"

    response = client.get(reverse("rapports:mensuel_export", args=["plie-a", "2017-01", "pdf"]))
    assert response.status_code == 200 and response.content.startswith(b"%PDF")
    assert (
        client.get(reverse("rapports:mensuel_export", args=["plie-a", "2017-01", "ods"])).status_code == 404
    )
    response = client.get(reverse("rapports:mensuel_export", args=["plie-a", "2017-03", "csv"]))
    assert response.status_code == 400 and "n'a pas commencé" in response.content.decode()
    response = client.get(reverse("rapports:mensuel_export", args=["plie-a", "2017-13", "csv"]))
    assert response.status_code == 400 and "entre 01 et 12" in response.content.decode()


def api(user, code, mois):
    request = APIRequestFactory().get(f"/api/v1/plie/{code}/mensuel/{mois}/")
    force_authenticate(request, user=user)
    return reporting_mensuel_api(request, code=code, mois=mois)


def test_the_api_gives_the_json_suppressed_for_the_financeur(donnees):
    data = api(donnees.financeur, "plie-a", "2017-01").data
    assert (data["en_parcours_debut"], data["entrees"], data["sorties"]) == ("< 5", "< 5", "< 5")


def test_the_api_gives_the_json(donnees):
    response = api(donnees.direction_a, "plie-a", "2017-01")
    assert response.status_code == 200
    data = response.data
    assert (data["plie"], data["mois"], data["statut"]) == (["plie-a"], "2017-01", "definitif")
    assert (data["en_parcours_debut"], data["entrees"], data["sorties"], data["en_parcours_fin"]) == (
        2,
        1,
        1,
        2,
    )
    assert data["sorties_par_categorie"]["emploi_durable"] == 1
    assert api(donnees.financeur, "plie-a", "2017-02").data["statut"] == "provisoire"


def test_the_api_is_scoped_and_checks_the_month(donnees):
    assert api(donnees.referent_b, "plie-a", "2017-01").status_code == 404
    assert api(donnees.financeur, "plie-b", "2017-01").status_code == 404
    assert api(donnees.financeur, "plie-a", "2017-13").status_code == 404
    response = api(donnees.financeur, "plie-a", "2017-03")
    assert response.status_code == 400 and "pas commencé" in response.data["detail"]


def test_the_api_is_routed_under_api_v1(client, donnees):
    client.force_login(donnees.financeur)
    url = reverse("api_reporting_mensuel", kwargs={"code": "plie-a", "mois": "2017-01"})
    assert url == "/api/v1/plie/plie-a/mensuel/2017-01/"
    response = client.get(url)
    assert response.status_code == 200
    assert response.json()["entrees"] == "< 5"
