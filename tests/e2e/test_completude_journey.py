"""A gestionnaire's FSE completeness round: open an operation's completeness board, see the
incomplete entry questionnaires, follow a line to the questionnaire form, give the missing
answer, come back to the board and see one fewer. Screenshots land in tests/artifacts/."""

import datetime
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from operations.models import Inscription
from tests.e2e.conftest import screenshot
from tests.factories import DEFAULT_PASSWORD, ParticipantFactory
from tests.operations.factories import InscriptionFactory, OperationFactory

pytestmark = pytest.mark.browser

IDENTITE = {
    "code_commune_naissance": "69123",
    "adresse": "1 rue Neuve",
    "code_postal": "69001",
    "commune": "Lyon",
    "telephone": "0601020304",
}


def test_gestionnaire_fixes_a_missing_answer_from_the_completeness_board(page, transactional_db, world):
    today = timezone.localdate()
    operation = OperationFactory(
        plie=world.plie_a,
        code="ACC-E2E",
        date_debut=datetime.date(today.year, 1, 1),
        date_fin=datetime.date(today.year, 12, 31),
    )
    entree = datetime.date(today.year, 1, 5)
    for nom in ("Bernard", "Durand", "Petit"):
        participant = ParticipantFactory(plie=world.plie_a, nom=nom, prenom="Alex", **IDENTITE)
        InscriptionFactory(
            operation=operation,
            participant=participant,
            complete=True,
            date_entree=entree,
            niveau_formation="",
        )
    participant = ParticipantFactory(plie=world.plie_a, nom="Complet", prenom="Sam", **IDENTITE)
    InscriptionFactory(operation=operation, participant=participant, complete=True, date_entree=entree)

    page.goto("/connexion/")
    page.get_by_label("Adresse électronique").fill(world.gestionnaire_a.email)
    page.get_by_label("Mot de passe").fill(DEFAULT_PASSWORD)
    page.get_by_role("button", name=re.compile("Se connecter", re.I)).click()

    page.goto(f"/operations/{operation.pk}/completude/")
    compteur = page.locator('[data-compteur="entrees_incompletes"]')
    expect(compteur).to_have_text("3")
    lignes = page.locator("#entrees-incompletes tbody tr")
    expect(lignes).to_have_count(3)
    expect(lignes.first).to_contain_text("Q2. Niveau de formation : réponse manquante.")
    screenshot(page, "completude-board-before")

    lignes.filter(has_text="BERNARD Alex").get_by_role("link", name="Compléter le questionnaire").click()
    expect(page.get_by_role("button", name="Confirmer le questionnaire")).to_be_visible()
    page.get_by_label(re.compile(r"^2c\.")).check()
    screenshot(page, "completude-questionnaire")
    page.get_by_role("button", name="Confirmer le questionnaire").click()

    expect(page).to_have_url(re.compile(rf"/operations/{operation.pk}/completude/$"))
    expect(page.locator('[data-compteur="entrees_incompletes"]')).to_have_text("2")
    expect(page.locator("#entrees-incompletes tbody tr")).to_have_count(2)
    expect(page.locator("#entrees-incompletes")).not_to_contain_text("BERNARD")
    screenshot(page, "completude-board-after")
    assert Inscription.objects.get(participant__nom="Bernard").niveau_formation == "2c"
