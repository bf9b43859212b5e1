import pytest
from django.urls import reverse
from pytest_django.asserts import assertContains, assertNotContains, assertRedirects

from participants.tasks import count_plie_participants
from plie.core.models import TaskRun
from tests.factories import DEFAULT_PASSWORD, ParticipantFactory, UserFactory

HOME_PANELS = {
    "referent_a": "Ma file active",
    "animateur_a": "Commissions d'intégration",
    "gestionnaire_a": "Complétude des données FSE",
    "direction_a": "Taux de sorties positives",
    "oi_user": "Taux de sorties positives",
    "admin_a": "Référentiels",
    "financeur": "Indicateurs agrégés",
    "no_role": "rattaché à aucune structure",
}


def test_anonymous_is_sent_to_login(client):
    assertRedirects(client.get("/"), "/connexion/?next=/")


def test_login_page_is_french(client, db):
    response = client.get(reverse("login"))
    assertContains(response, '<html lang="fr">')
    assertContains(response, "Adresse électronique")
    assertContains(response, 'for="id_username"')


def test_login_by_email(client, world):
    response = client.post(
        reverse("login"), {"username": "referent.a@exemple.fr", "password": DEFAULT_PASSWORD}
    )
    assertRedirects(response, reverse("home"))


def test_wrong_credentials_get_the_standard_french_message(client, world):
    response = client.post(reverse("login"), {"username": "referent.a@exemple.fr", "password": "faux"})
    assertContains(response, "Saisissez une adresse électronique et un mot de passe valides")
    unknown = client.post(reverse("login"), {"username": "inconnu@exemple.fr", "password": "faux"})
    # the same message whether the account exists or not: no detail leaks
    assert unknown.context["form"].non_field_errors() == response.context["form"].non_field_errors()


def test_logout_is_a_post(client, world):
    client.force_login(world.referent_a)
    assert client.get(reverse("logout")).status_code == 405
    assertRedirects(client.post(reverse("logout")), reverse("login"))


@pytest.mark.parametrize("persona", HOME_PANELS)
def test_each_role_has_its_home(client, world, persona, django_assert_num_queries):
    ParticipantFactory.create_batch(2, plie=world.plie_a)
    client.force_login(getattr(world, persona))
    # session, user, memberships (+ OI's PLIE / partner links), PLIE with their counts, then the
    # panels (tests/core/test_home.py): référent 1 + 1 + 1, animation 2 + 2, gestionnaire 1 (the
    # operations, their counts shared by both operations panels) + 2 (snapshots, flow table),
    # direction / financeur 2 (the nightly snapshots, none here; the flow table)
    expected = {
        "referent_a": 8,  # + the six-month follow-ups due (entreprises)
        "animateur_a": 8,
        "gestionnaire_a": 8,  # no operation: no grouped aggregate; + the six-month follow-ups due
        "direction_a": 6,
        "oi_user": 7,
        "financeur": 7,
        "admin_a": 4,
        "no_role": 3,
    }[persona]
    with django_assert_num_queries(expected):
        response = client.get(reverse("home"))
    assertContains(response, HOME_PANELS[persona])


def test_home_lists_only_the_plie_in_scope(client, world):
    client.force_login(world.referent_b)
    response = client.get(reverse("home"))
    assertContains(response, "PLIE B")
    assertNotContains(response, "PLIE A")
    assertNotContains(response, "PLIE C")


def test_financeur_sees_counts_but_no_participant_entry(client, world):
    ParticipantFactory.create_batch(4, plie=world.plie_a)
    client.force_login(world.financeur)
    response = client.get(reverse("home"))
    assert [p.nb_participants for p in response.context["plies"]] == ["< 5"]  # small-cell suppression
    assertNotContains(response, reverse("participants:participant_list"))


PILOTAGE = ["Opérations FSE", "Tableaux de bord", "Rapports"]
EMPLOYEURS = ["Entreprises", "Offres d'emploi", "Clauses sociales", "Suivis à six mois"]
FINANCES = ["Fiches temps", "Personnel et temps"]


@pytest.mark.parametrize(
    ("persona", "entries"),
    [
        (
            "referent_a",
            [
                "Accueil",
                "Ma file active",
                "Participants",
                "Offres d'emploi",
                "Suivis à six mois",
                "Fiches temps",
            ],
        ),
        ("gestionnaire_a", ["Accueil", "Participants", "Suivis à six mois", *PILOTAGE, *FINANCES]),
        ("animateur_a", ["Accueil", "Participants", *EMPLOYEURS, "Commissions", *PILOTAGE, "Fiches temps"]),
        (
            "admin_a",
            [
                "Accueil",
                "Participants",
                *EMPLOYEURS,
                "Commissions",
                *PILOTAGE,
                *FINANCES,
                "Référentiels",
                "Import",
                "Journal des accès",
                "Tâches nocturnes",
                "Identité du PLIE",
            ],
        ),
        ("financeur", ["Accueil", *PILOTAGE]),
        ("no_role", ["Accueil"]),
    ],
)
def test_navigation_shows_what_the_role_may_use(client, world, persona, entries):
    client.force_login(getattr(world, persona))
    response = client.get(reverse("home"))
    assert [entry["label"] for entry in response.context["nav_entries"]] == entries


def test_staff_sees_the_admin_entry(client, world):
    staff = UserFactory(is_staff=True, is_superuser=True)
    client.force_login(staff)
    labels = [entry["label"] for entry in client.get(reverse("home")).context["nav_entries"]]
    assert labels[-1] == "Administration technique"


def test_the_menu_gathers_the_administration_entries_in_one_dropdown(client, world):
    """At 1 366 px the administrateur's menu holds on one line: the administration entries (and
    the employer side's) sit in a <details> dropdown, which opens without JavaScript."""
    client.force_login(world.admin_a)
    response = client.get(reverse("home"))
    groups = {
        item["group"]: [e["label"] for e in item["entries"]]
        for item in response.context["nav_menu"]
        if "group" in item
    }
    assert groups["Administration"] == [
        "Personnel et temps",
        "Référentiels",
        "Import",
        "Journal des accès",
        "Tâches nocturnes",
        "Identité du PLIE",
    ]
    assert groups["Entreprises"] == [
        "Entreprises",
        "Offres d'emploi",
        "Clauses sociales",
        "Suivis à six mois",
    ]
    html = response.content.decode()
    assert '<summary class="nav-link">Administration</summary>' in html
    assert 'href="{}"'.format(reverse("core:identite")) in html


def test_a_short_menu_or_a_group_of_one_entry_stays_plain_links(client, world):
    client.force_login(world.referent_a)  # 6 entries: all in one line
    menu = client.get(reverse("home")).context["nav_menu"]
    assert all("entry" in item for item in menu)
    client.force_login(world.gestionnaire_a)
    menu = client.get(reverse("home")).context["nav_menu"]
    assert not any("group" in item for item in menu if item.get("group") == "Administration")
    assert "Personnel et temps" in [item["entry"]["label"] for item in menu if "entry" in item]


class TestParticipantList:
    url = reverse("participants:participant_list")

    def test_lists_only_participants_in_scope(self, client, world, django_assert_num_queries):
        ParticipantFactory.create_batch(3, plie=world.plie_a, nom="Alpha")
        ParticipantFactory(plie=world.plie_b, nom="Bravo")
        client.force_login(world.gestionnaire_a)
        # session, user, memberships, count, the page of participants with their PLIE,
        # their situations at entry (the FSE status column)
        with django_assert_num_queries(6):
            response = client.get(self.url)
        assert {p.nom for p in response.context["page"]} == {"Alpha"}
        assertNotContains(response, "BRAVO")

    def test_plie_b_sees_nothing_of_plie_a(self, client, world):
        ParticipantFactory.create_batch(3, plie=world.plie_a)
        client.force_login(world.referent_b)
        assert len(client.get(self.url).context["page"]) == 0

    def test_financeur_sees_no_participant(self, client, world):
        ParticipantFactory.create_batch(3, plie=world.plie_a)
        client.force_login(world.financeur)
        assert len(client.get(self.url).context["page"]) == 0

    def test_paginates_with_constant_queries(self, client, world, django_assert_num_queries):
        ParticipantFactory.create_batch(120, plie=world.plie_a)
        client.force_login(world.referent_a)
        # session, user, memberships, count, the page with PLIE, their situations at entry
        with django_assert_num_queries(6):
            response = client.get(self.url, {"page": 3})
        assert len(response.context["page"]) == 20
        assertContains(response, "Page 3 sur 3")


class TestTaskRunList:
    url = reverse("core:taskrun_list")

    def test_admin_sees_the_runs_of_their_plie_only(self, client, world):
        count_plie_participants(world.plie_a.id, "2026-11-24")
        count_plie_participants(world.plie_b.id, "2026-11-24")
        client.force_login(world.admin_a)
        response = client.get(self.url)
        assert [run.plie for run in response.context["runs"]] == [world.plie_a]
        assertContains(response, "24/11/2026")

    def test_referent_may_not(self, client, world):
        client.force_login(world.referent_a)
        assert client.get(self.url).status_code == 403
        assert TaskRun.objects.count() == 0


def test_health(client, db):
    assert client.get("/sante/").json() == {"status": "ok"}


def test_password_change(client, world):
    client.force_login(world.referent_a)
    response = client.post(
        reverse("password_change"),
        {
            "old_password": DEFAULT_PASSWORD,
            "new_password1": "Une-phrase-de-passe-2026",
            "new_password2": "Une-phrase-de-passe-2026",
        },
    )
    assertRedirects(response, reverse("password_change_done"))
    world.referent_a.refresh_from_db()
    assert world.referent_a.check_password("Une-phrase-de-passe-2026")


def test_login_email_is_case_insensitive(client, world):
    response = client.post(
        reverse("login"), {"username": " Referent.A@Exemple.fr", "password": DEFAULT_PASSWORD}
    )
    assertRedirects(response, reverse("home"))
