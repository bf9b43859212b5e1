"""The error pages (400, 403, 404, 500, CSRF) are French, in the app's frame, and say what to do —
with DEBUG off, as in production. The 500 page needs neither the request nor the database."""

import pytest
from django.test import Client, RequestFactory
from django.urls import reverse

from plie.core.views_errors import server_error
from tests.factories import ParticipantFactory
from tests.operations.factories import InscriptionFactory, OperationFactory

ENGLISH = ("Not Found", "Forbidden", "Server Error", "Bad Request", "CSRF verification failed", "No ")


@pytest.fixture(autouse=True)
def _production_like(settings):
    settings.DEBUG = False


def assert_french_page(response, status, heading):
    assert response.status_code == status
    html = response.content.decode()
    assert '<html lang="fr">' in html
    assert heading in html
    assert "Que faire ?" in html
    assert "Revenir à l'accueil" in html
    assert 'class="plie-footer"' in html  # the app's frame
    for english in ENGLISH:
        assert english not in html, english
    return html


def test_404_is_french_in_the_frame_with_the_menu(client, world):
    client.force_login(world.gestionnaire_a)
    html = assert_french_page(client.get("/cette-page-n-existe-pas/"), 404, "Page introuvable")
    assert 'aria-label="Menu principal"' in html and "Opérations FSE" in html


def test_404_of_an_object_outside_the_scope_does_not_leak_django_s_message(client, world):
    operation = OperationFactory(plie=world.plie_b)
    client.force_login(world.referent_a)
    response = client.get(reverse("operations:operation_detail", args=[operation.pk]))
    assert_french_page(response, 404, "Page introuvable")


def test_404_for_an_anonymous_visitor_offers_to_sign_in(client, db):
    html = assert_french_page(client.get("/nulle-part/"), 404, "Page introuvable")
    assert reverse("login") in html


def test_403_is_french_and_says_nothing_was_changed(client, world):
    participant = ParticipantFactory(plie=world.plie_a)
    inscription = InscriptionFactory(operation=OperationFactory(plie=world.plie_a), participant=participant)
    client.force_login(world.direction_a)  # reads operations, never fills a questionnaire
    response = client.get(reverse("operations:inscription_questionnaire", args=[inscription.pk]))
    html = assert_french_page(response, 403, "Accès refusé")
    assert "Rien n'a été modifié" in html


def test_csrf_failure_is_french_and_explains_the_stale_form(world):
    client = Client(enforce_csrf_checks=True)
    response = client.post(reverse("login"), {"username": "x", "password": "y"})
    html = assert_french_page(response, 403, "Le formulaire n'a pas pu être vérifié")
    assert "rechargez-la" in html


def test_500_through_the_stack_is_french(world, settings):
    settings.ROOT_URLCONF = "tests.core.error_urls"
    client = Client(raise_request_exception=False)
    client.force_login(world.referent_a)
    html = assert_french_page(client.get("/essai-erreur/"), 500, "Une erreur est survenue de notre côté")
    assert "échec volontaire" not in html


def test_500_renders_without_request_nor_database():
    # No ``db`` fixture: any query would fail this test.
    response = server_error(RequestFactory().get("/"))
    assert_french_page(response, 500, "Une erreur est survenue de notre côté")


def test_400_is_french(client, world, settings):
    from plie.core.views_errors import bad_request

    request = RequestFactory().get("/")
    request.user = world.referent_a
    assert_french_page(bad_request(request), 400, "Requête invalide")
