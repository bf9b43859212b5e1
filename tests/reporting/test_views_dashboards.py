"""The dashboard pages: who sees which one, the figures shown, and for every linked figure the
list behind it has exactly the count shown (today frozen on 15/02/2017)."""

import html
import re

import pytest
from django.urls import reverse

from reporting.services import snapshot_refresh
from tests.reporting import test_dashboards

DASHBOARD = reverse("reporting:dashboard")
DASHBOARD_OI = reverse("reporting:dashboard_oi")
DASHBOARD_FINANCEUR = reverse("reporting:dashboard_financeur")
LISTE = reverse("reporting:participants_liste")
AUJOURDHUI = test_dashboards.AUJOURDHUI
dashboard_world = test_dashboards.dashboard_world  # the hand-built data, shared

LIEN = re.compile(r'<a href="(' + re.escape(LISTE) + r'\?[^"]+)"[^>]*>(\d+)</a>')


def liens(content):
    """[(url, figure shown)] of every link to a list in the page."""
    return [(html.unescape(url), int(valeur)) for url, valeur in LIEN.findall(content.decode())]


def assert_each_list_has_the_count_shown(client, response):
    pairs = liens(response.content)
    assert pairs, "aucun chiffre lié"
    for url, valeur in pairs:
        liste = client.get(url)
        assert liste.status_code == 200, url
        assert liste.context["page"].paginator.count == valeur, url
        rows = len(liste.context["page"].object_list)
        assert rows == min(valeur, 50), url
    return pairs


# --- The PLIE dashboard ------------------------------------------------------------------------


def test_animation_sees_the_figures_of_its_plie(client, dashboard_world):
    client.force_login(dashboard_world.animateur_a)
    response = client.get(DASHBOARD)
    assert response.status_code == 200
    content = response.content.decode()
    assert "Tableau de bord — PLIE A" in content
    assert "Chiffres au 15/02/2017" in content and "calculés à l'instant" in content
    assert content.count('<svg xmlns="http://www.w3.org/2000/svg" class="graphique"') == 4
    assert "25,0 %" in content  # 1 positive exit out of 4
    assert "Inscriptions aux opérations" in content  # operations completeness, linked to its board
    assert f'href="{reverse("operations:completude_globale")}?annee=2017&amp;plie=plie-a"' in content
    tableau = response.context["tableau"]
    assert tableau.colonnes[0].flux["entrees"] == 4


def test_the_dashboard_opens_on_key_figures_then_charts_then_tables(client, dashboard_world):
    """Key-figure cards first (the same figures as the table, each count linked to its list), the
    charts next, the tables last."""
    client.force_login(dashboard_world.animateur_a)
    response = client.get(DASHBOARD)
    content = response.content.decode()
    cartes = {carte["libelle"]: carte for carte in response.context["chiffres_cles"]}
    flux = response.context["tableau"].colonnes[0].flux
    assert cartes["Entrées"]["valeur"] == str(flux["entrees"]) == "4"
    assert cartes["Sorties positives validées"]["valeur"] == str(flux["sorties_positives"]["total"])
    assert cartes["Taux de sorties positives"]["valeur"] == "25,0 %"
    alertes = sum(response.context["tableau"].colonnes[0].alertes.values())
    assert cartes["Alertes ouvertes"]["valeur"] == str(alertes)
    for libelle in ("En parcours", "Entrées", "Sorties positives validées"):
        liste = client.get(html.unescape(cartes[libelle]["url"]))
        assert str(liste.context["page"].paginator.count) == cartes[libelle]["valeur"], libelle
    assert (
        content.index('class="chiffres-cles"') < content.index('class="graphique"') < content.index("<table")
    )


def test_the_financeur_dashboard_has_key_figures_without_links(client, dashboard_world):
    client.force_login(dashboard_world.financeur)
    response = client.get(DASHBOARD_FINANCEUR)
    assert response.status_code == 200
    assert [carte["url"] for carte in response.context["chiffres_cles"]] == [None] * 5


def test_every_linked_figure_of_the_plie_dashboard_lists_exactly_its_parcours(client, dashboard_world):
    client.force_login(dashboard_world.animateur_a)
    pairs = assert_each_list_has_the_count_shown(client, client.get(DASHBOARD))
    indicateurs = {re.search(r"indicateur=(\w+)", url).group(1) for url, _ in pairs}
    assert indicateurs == {
        "entrees",
        "sorties",
        "sorties_positives",
        "abandons",
        "neutralisees",
        "en_parcours",
        "alerte",
        "sans_situation_entree",
        "file_active",
    }
    # 7 flows + 7 alert types + 1 completeness + 1 caseload row + the caseload total + 12 × 4 trends
    assert len(pairs) == 7 + 7 + 1 + 1 + 1 + 48


def test_the_entrees_link_lists_those_participants(client, dashboard_world):
    w = dashboard_world
    client.force_login(w.direction_a)
    response = client.get(DASHBOARD)
    [url] = [
        url
        for url, _ in liens(response.content)
        if "indicateur=entrees&plie=plie-a&du=2017-01-01&au=2017-02-15" in url
    ]
    liste = client.get(url)
    assert set(liste.context["page"].object_list) == {
        w.p.entree_jan,
        w.p.positif,
        w.p.non_valide,
        w.p.abandon,
    }
    assert "Entrées" in liste.content.decode() and "du 01/01/2017 au 15/02/2017" in liste.content.decode()


def test_dashboard_from_todays_snapshot_links_agree(client, dashboard_world):
    w = dashboard_world
    snapshot_refresh(plie_id=w.plie_a.id, jour=AUJOURDHUI)
    client.force_login(w.animateur_a)
    response = client.get(DASHBOARD)
    assert "comptage de la nuit" in response.content.decode()
    assert_each_list_has_the_count_shown(client, response)


def test_dashboard_queries_are_pinned(client, dashboard_world, django_assert_num_queries):
    client.force_login(dashboard_world.animateur_a)
    # session, user, memberships (scope), the PLIE of the picker, then tableau(): the PLIE,
    # snapshots, flows, completeness, alerts, operations' completeness, files actives, trends
    with django_assert_num_queries(12):
        assert client.get(DASHBOARD).status_code == 200


def test_a_plie_outside_the_scope_is_a_404_and_roles_without_dashboard_are_refused(client, dashboard_world):
    w = dashboard_world
    client.force_login(w.animateur_a)
    assert client.get(DASHBOARD, {"plie": "plie-b"}).status_code == 404
    assert client.get(DASHBOARD, {"plie": "plie-inconnu"}).status_code == 404
    client.force_login(w.referent_a)
    assert client.get(DASHBOARD).status_code == 403
    client.force_login(w.no_role)
    assert client.get(DASHBOARD).status_code == 403
    assert client.get(DASHBOARD_OI).status_code == 403
    assert client.get(DASHBOARD_FINANCEUR).status_code == 403


def test_anonymous_is_sent_to_login(client, db):
    assert client.get(DASHBOARD).status_code == 302
    assert client.get(LISTE, {"indicateur": "entrees", "plie": "x"}).status_code == 302


# --- The OI dashboard --------------------------------------------------------------------------


def test_oi_sees_one_column_per_plie_and_the_consolidation(client, dashboard_world):
    w = dashboard_world
    client.force_login(w.oi_user)
    response = client.get(DASHBOARD_OI)
    assert response.status_code == 200
    colonnes = response.context["colonnes"]
    assert [c.plie for c in colonnes] == [w.plie_a, w.plie_b, None]
    # an OI membership reads aggregates only (plie.core.scoping): small counts « < 5 », no list
    assert [c.flux["entrees"] for c in colonnes] == ["< 5", "< 5", 5]
    content = response.content.decode()
    assert "Consolidé" in content and "PLIE C" not in content
    assert LISTE not in content
    assert client.get(DASHBOARD).url == DASHBOARD_OI  # no per-PLIE dashboard with links


def test_a_plie_direction_over_several_plie_gets_the_links(client, dashboard_world):
    w = dashboard_world
    from plie.core.enums import Role
    from tests.factories import MembershipFactory, UserFactory

    user = UserFactory()
    for plie in (w.plie_a, w.plie_b):
        MembershipFactory(user=user, structure=plie, role=Role.DIRECTION)
    client.force_login(user)
    response = client.get(DASHBOARD_OI)
    assert [c.flux["entrees"] for c in response.context["colonnes"]] == [4, 1, 5]
    pairs = assert_each_list_has_the_count_shown(client, response)
    consolidated = [url for url, _ in pairs if "plie=plie-a&plie=plie-b" in url]
    assert consolidated  # the consolidated column links to the list over both PLIE
    assert client.get(DASHBOARD, {"plie": "plie-b"}).context["plie"] == w.plie_b


def test_oi_dashboard_queries_are_pinned(client, dashboard_world, django_assert_num_queries):
    client.force_login(dashboard_world.oi_user)
    # session, user, memberships and the OI's PLIE (scope), then tableau() without the files
    # actives: the PLIE, snapshots, flows, completeness, alerts, operations' completeness, trends
    with django_assert_num_queries(11):
        assert client.get(DASHBOARD_OI).status_code == 200


# --- The financeur: aggregates only ------------------------------------------------------------


def test_financeur_gets_aggregates_without_any_link_to_people(client, dashboard_world):
    w = dashboard_world
    client.force_login(w.financeur)
    assert client.get(DASHBOARD).url == DASHBOARD_FINANCEUR
    response = client.get(DASHBOARD_FINANCEUR)
    assert response.status_code == 200
    content = response.content.decode()
    assert "Indicateurs agrégés — PLIE A" in content
    assert LISTE not in content
    assert w.p.entree_jan.participant.nom.upper() not in content
    assert w.referent_a.get_full_name() not in content  # no caseload per référent
    assert response.context["colonnes"][0].flux["entrees"] == "< 5"  # 4 people: secret statistique
    assert client.get(DASHBOARD_OI).status_code == 403
    url = f"{LISTE}?indicateur=entrees&plie=plie-a&du=2017-01-01&au=2017-02-15"
    assert client.get(url).status_code == 404


# --- The list behind a figure ------------------------------------------------------------------


@pytest.mark.parametrize(
    "params",
    [
        {"indicateur": "entrees", "plie": "plie-b"},  # another PLIE
        {"indicateur": "entrees", "plie": ["plie-a", "plie-c"]},  # one of them outside
        {"indicateur": "entrees", "plie": "plie-zzz"},
        {"indicateur": "entrees"},  # no PLIE
    ],
)
def test_list_outside_the_personal_scope_is_a_404(client, dashboard_world, params):
    client.force_login(dashboard_world.animateur_a)
    assert client.get(LISTE, params).status_code == 404


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"indicateur": "inconnu"}, "Indicateur inconnu : « inconnu »."),
        (
            {"indicateur": "entrees", "du": "31/02/2017"},
            "Date « du » invalide : « 31/02/2017 » (attendu jj/mm/aaaa).",
        ),
        (
            {"indicateur": "entrees", "du": "2017-02-01", "au": "2017-01-01"},
            "La date « au » précède la date « du ».",
        ),
        ({"indicateur": "alerte", "type": "x"}, "Type d'alerte inconnu : « x »."),
        ({"indicateur": "file_active", "referent": "abc"}, "Référent invalide : « abc »."),
    ],
)
def test_bad_list_parameters_get_a_french_message(client, dashboard_world, params, message):
    client.force_login(dashboard_world.animateur_a)
    response = client.get(LISTE, {"plie": "plie-a", **params})
    assert response.status_code == 400
    assert html.escape(message) in response.content.decode()


def test_list_accepts_french_dates_and_paginates(client, dashboard_world, django_assert_num_queries):
    client.force_login(dashboard_world.animateur_a)
    params = {"indicateur": "entrees", "plie": "plie-a", "du": "01/01/2017", "au": "15/02/2017"}
    # session, user, memberships (scope), the PLIE, the count, the page
    with django_assert_num_queries(6):
        response = client.get(LISTE, params)
    assert response.context["page"].paginator.count == 4
    assert "4 parcours" in response.content.decode()
