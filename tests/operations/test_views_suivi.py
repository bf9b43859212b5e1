"""The follow-up pages of an operation: completeness board, counts across operations, occupancy,
results against targets — scoping (PLIE B sees nothing, financeur: figures only) and query
counts that do not grow with the number of enrolments."""

import datetime
from urllib.parse import quote

import pytest
import time_machine
from django.urls import reverse

from tests.factories import ParticipantFactory
from tests.operations.factories import InscriptionFactory, OperationFactory

D = datetime.date
IDENTITE = {
    "code_commune_naissance": "69123",
    "adresse": "1 rue Neuve",
    "code_postal": "69001",
    "commune": "Lyon",
    "telephone": "0601020304",
}


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(datetime.datetime(2026, 11, 10, 9, 0), tick=False):
        yield


@pytest.fixture
def operation(world):
    return OperationFactory(plie=world.plie_a, code="ACC-A", places=10)


def inscrire(operation, nom, **kwargs):
    participant = ParticipantFactory(plie=operation.plie, nom=nom, prenom="Lou", **IDENTITE)
    return InscriptionFactory(operation=operation, participant=participant, **kwargs)


def peupler(operation, n=1):
    """``n`` of each kind: incomplete entry, exit to record (3 days left), exit past the window,
    complete and recorded in time."""
    for i in range(n):
        inscrire(operation, f"Incomplet{i}", complete=True, niveau_formation="")
        inscrire(operation, f"Arenseigner{i}", complete=True, date_sortie=D(2026, 10, 16))
        inscrire(operation, f"Horsdelai{i}", complete=True, date_sortie=D(2026, 9, 1))
        inscrire(operation, f"Parfait{i}", complete=True, sortie=True)


def test_board_lists_each_problem_with_a_link_to_the_form_that_fixes_it(client, world, operation):
    peupler(operation)
    client.force_login(world.gestionnaire_a)
    url = reverse("operations:completude", args=[operation.pk])
    response = client.get(url)
    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-compteur="entrees_incompletes">1<' in html
    assert 'data-compteur="sorties_a_renseigner">1<' in html
    assert 'data-compteur="sorties_hors_delai">1<' in html
    assert "INCOMPLET0 Lou" in html and "Q2. Niveau de formation : réponse manquante." in html
    assert "ARENSEIGNER0 Lou" in html and "3 jours" in html and "13/11/2026" in html
    assert "HORSDELAI0 Lou" in html and "29/09/2026" in html
    assert "PARFAIT0" not in html
    incomplet = operation.inscriptions.get(participant__nom="Incomplet0")
    a_renseigner = operation.inscriptions.get(participant__nom="Arenseigner0")
    questionnaire = reverse("operations:inscription_questionnaire", args=[incomplet.pk])
    sortie = reverse("operations:inscription_sortie", args=[a_renseigner.pk])
    assert f'href="{questionnaire}?next={quote(url)}"' in html
    assert f'href="{sortie}?next={quote(url)}"' in html


def test_board_lists_open_enrolments_whose_parcours_has_exited(client, world, operation):
    from tests.parcours.factories import ParcoursFactory

    def parcours(nom, sortie):
        participant = ParticipantFactory(plie=operation.plie, nom=nom, prenom="Lou", **IDENTITE)
        p = ParcoursFactory(participant=participant, en_parcours=True, date_sortie=sortie)
        return InscriptionFactory(operation=operation, participant=participant, parcours=p, complete=True)

    a_clore = parcours("Sortie", D(2026, 10, 20))
    parcours("Encours", None)
    deja = parcours("Close", D(2026, 10, 1))
    deja.date_sortie = D(2026, 10, 1)
    deja.save()
    client.force_login(world.gestionnaire_a)
    url = reverse("operations:completude", args=[operation.pk])
    html = client.get(url).content.decode()
    assert "1 inscription à clore" in html
    assert (
        "SORTIE Lou" in html
        and "ENCOURS Lou" not in html.split("inscriptions-a-clore")[1].split("</table>")[0]
    )
    form_url = reverse("operations:inscription_sortie", args=[a_clore.pk])
    assert f'href="{form_url}?next={quote(url)}&date=20/10/2026"' in html.replace("&amp;", "&")
    # the exit form opens with the parcours' exit date proposed
    response = client.get(form_url, {"next": url, "date": "20/10/2026"})
    assert response.context["form"]["date_sortie"].value() == "20/10/2026"


@pytest.mark.parametrize("n", [1, 5])
def test_board_query_count_does_not_grow_with_the_enrolments(
    client, world, operation, n, django_assert_num_queries
):
    peupler(operation, n)
    client.force_login(world.gestionnaire_a)
    url = reverse("operations:completude", args=[operation.pk])
    # session, user, scope (memberships), operation, counts (the paginator reuses them), page of
    # incomplete entries, exits to record, exits past the window, enrolments to close
    with django_assert_num_queries(9):
        response = client.get(url)
    assert response.status_code == 200
    assert response.content.decode().count("Saisir la sortie") == 2 * n


@pytest.mark.parametrize("persona", ["referent_b", "financeur", "no_role", "oi_user_of_other"])
def test_board_is_a_404_for_other_plie_and_financeur(client, world, operation, persona):
    inscrire(operation, "Secret")
    if persona == "oi_user_of_other":
        operation = OperationFactory(plie=world.plie_c)
        user = world.oi_user
    else:
        user = getattr(world, persona)
    client.force_login(user)
    response = client.get(reverse("operations:completude", args=[operation.pk]))
    assert response.status_code == 404


@pytest.mark.parametrize("name", ["occupation", "resultats"])
def test_figures_pages_scoping(client, world, operation, name):
    inscrire(operation, "Secret", date_entree=D(2026, 1, 5))
    url = reverse(f"operations:{name}", args=[operation.pk])
    client.force_login(world.referent_b)
    assert client.get(url).status_code == 404
    client.force_login(world.no_role)
    assert client.get(url).status_code == 404
    client.force_login(world.financeur)  # figures of its PLIE: allowed, without names
    response = client.get(url)
    assert response.status_code == 200
    html = response.content.decode()
    assert "SECRET" not in html and "Complétude FSE" not in html


def test_occupation_page(client, world, operation, django_assert_num_queries):
    from parcours.models import AffectationReferent
    from tests.parcours.factories import ParcoursFactory

    ins = inscrire(operation, "Alpha", date_entree=D(2026, 1, 5))
    parcours = ParcoursFactory(participant=ins.participant, en_parcours=True, referent=world.referent_a)
    AffectationReferent.objects.create(parcours=parcours, referent=world.referent_a, date_debut=D(2026, 1, 2))
    ins.parcours = parcours
    ins.save()
    inscrire(operation, "Beta", date_entree=D(2026, 3, 5), date_sortie=D(2026, 6, 30))
    client.force_login(world.animateur_a)
    # session, user, scope, operation, month-end counts, per référent
    with django_assert_num_queries(6):
        response = client.get(reverse("operations:occupation", args=[operation.pk]))
    html = response.content.decode()
    assert response.status_code == 200
    assert "<svg" in html and "31/10/2026" in html and "30/11/2026" not in html  # November not over
    assert "20,0 %" in html  # 2 of 10 places from March to June
    assert f"dont {world.referent_a.first_name} {world.referent_a.last_name}" in html
    assert "Sans référent" in html


def test_resultats_page(client, world, operation, django_assert_num_queries):
    from tests.parcours.factories import ParcoursFactory, SortieFactory

    ins = inscrire(operation, "Alpha", complete=True, sortie=True)
    parcours = ParcoursFactory(participant=ins.participant, sorti=True)
    SortieFactory(parcours=parcours, positive=True, valide=True)
    ins.parcours = parcours
    ins.save()
    inscrire(operation, "Beta")
    client.force_login(world.gestionnaire_a)
    # session, user, scope, operation, exits by type, participants, FSE indicators, the FSE
    # longer-term results (enrolments left, their follow-up joined); the employer side's counts:
    # offers, mises en relation, clause markets and hours, conventions, partner actions, six-month
    # situations
    with django_assert_num_queries(14):
        response = client.get(reverse("operations:resultats", args=[operation.pk]))
    html = response.content.decode()
    assert 'id="sorties">1<' in html and 'id="participants">2<' in html
    assert 'Participants entrés (EECO01)</th><td class="text-end">2<' in html
    assert 'En emploi, y compris indépendant, à la sortie (EECR04)</th><td class="text-end">1<' in html
    assert "100,0 %" in html and "+50,0 pt" in html  # 1 positive exit of 1, target 50 %


def test_completude_globale_counts_only_what_the_user_sees(
    client, world, operation, django_assert_num_queries
):
    inscrire(operation, "Un")
    operation_b = OperationFactory(plie=world.plie_b, code="ACC-B")
    inscrire(operation_b, "Deux")
    inscrire(operation_b, "Trois", complete=True)
    OperationFactory(plie=world.plie_c, code="ACC-C")
    OperationFactory(plie=world.plie_a, code="ACC-2024", date_debut=D(2024, 1, 1), date_fin=D(2024, 12, 31))
    url = reverse("operations:completude_globale")

    client.force_login(world.referent_a)
    response = client.get(url)
    html = response.content.decode()
    assert "ACC-A" in html and "ACC-B" not in html and "ACC-C" not in html and "ACC-2024" not in html
    assert reverse("operations:completude", args=[operation.pk]) in html

    client.force_login(world.oi_user)
    # session, user, scope (memberships, PLIE of the OI), operations, grouped counts
    with django_assert_num_queries(6):
        response = client.get(url)
    html = response.content.decode()
    assert "ACC-A" in html and "ACC-B" in html and "ACC-C" not in html
    assert "PLIE B" in html
    # one column of a dashboard: only that PLIE's operations; another OI's PLIE stays invisible
    html = client.get(url, {"plie": "plie-b"}).content.decode()
    assert "ACC-B" in html and "ACC-A" not in html
    html = client.get(url, {"plie": ["plie-a", "plie-c"]}).content.decode()
    assert "ACC-A" in html and "ACC-B" not in html and "ACC-C" not in html

    client.force_login(world.financeur)  # figures of its PLIE, no link to the nominative board
    html = client.get(url).content.decode()
    assert "ACC-A" in html and reverse("operations:completude", args=[operation.pk]) not in html

    client.force_login(world.no_role)
    assert client.get(url).status_code == 404
    client.force_login(world.referent_a)
    assert "ACC-2024" in client.get(url, {"annee": "2024"}).content.decode()


def test_board_paginates_the_incomplete_entries(client, world, operation, monkeypatch):
    from operations import views_suivi

    monkeypatch.setattr(views_suivi, "LIGNES_PAR_PAGE", 2)
    for nom in ("Alpha", "Bravo", "Charlie"):
        inscrire(operation, nom, complete=True, handicap_reconnu=None)
    client.force_login(world.gestionnaire_a)
    url = reverse("operations:completude", args=[operation.pk])
    first = client.get(url).content.decode()
    assert "ALPHA" in first and "BRAVO" in first and "CHARLIE" not in first
    assert "Page 1 sur 2" in first and "3 inscriptions inéligibles" in first
    second = client.get(url, {"page": 2}).content.decode()
    assert "CHARLIE" in second and "ALPHA" not in second


def test_board_says_when_an_exit_is_a_carry_over_into_the_next_operation(client, world, operation):
    ancienne = inscrire(operation, "Suite", complete=True, date_sortie=D(2026, 10, 20))
    suivante = OperationFactory(
        plie=world.plie_a, code="ACC-2027", date_debut=D(2027, 1, 1), date_fin=D(2027, 12, 31)
    )
    InscriptionFactory(
        operation=suivante, participant=ancienne.participant, date_entree=D(2027, 1, 1), report_de=ancienne
    )
    client.force_login(world.gestionnaire_a)
    html = client.get(reverse("operations:completude", args=[operation.pk])).content.decode()
    assert "SUITE Lou" in html and "reportée dans ACC-2027" in html


def test_board_shows_the_forms_only_to_whoever_may_fill_them(client, world, operation):
    """Direction reads the board but may not fill (403 on the forms): no button leads there."""
    peupler(operation)
    url = reverse("operations:completude", args=[operation.pk])
    client.force_login(world.direction_a)
    html = client.get(url).content.decode()
    assert "INCOMPLET0 Lou" in html and "HORSDELAI0 Lou" in html
    assert "Compléter le questionnaire" not in html and "Saisir la sortie" not in html
    client.force_login(world.gestionnaire_a)
    html = client.get(url).content.decode()
    assert "Compléter le questionnaire" in html and "Saisir la sortie" in html


def test_financeur_operation_page_has_no_link_to_the_nominative_board(client, world, operation):
    client.force_login(world.financeur)
    html = client.get(reverse("operations:operation_detail", args=[operation.pk])).content.decode()
    assert reverse("operations:completude", args=[operation.pk]) not in html
    assert reverse("operations:occupation", args=[operation.pk]) in html


def test_the_financeur_reads_small_counts_as_less_than_5(client, world):
    """One enrolled person with a disability: the PLIE reads 1, the financeur « < 5 »
    (plie.core.confidentialite; docs/securite.md)."""
    operation = OperationFactory(plie=world.plie_a)
    InscriptionFactory(
        operation=operation,
        participant=ParticipantFactory(plie=world.plie_a),
        complete=True,
        handicap_reconnu=True,
    )
    url = reverse("operations:resultats", args=[operation.pk])
    client.force_login(world.gestionnaire_a)
    exact = dict(client.get(url).context["fse_entree"])
    client.force_login(world.financeur)
    masque = dict(client.get(url).context["fse_entree"])
    assert exact["Participants handicapés (EECO12)"] == 1
    assert masque["Participants handicapés (EECO12)"] == "< 5"
    assert 1 not in masque.values()
    occupation = client.get(reverse("operations:occupation", args=[operation.pk])).context["occupation"]
    assert all(m["presents"] in (0, "< 5") for m in occupation.mois)
