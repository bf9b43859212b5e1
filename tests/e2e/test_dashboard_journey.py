"""An animation user opens the PLIE's dashboard from the home page, reads the figures and the
charts, clicks « Entrées » and lands on the list of exactly the participants who entered.
Screenshots of the key pages land in tests/artifacts/."""

import datetime
import re

from django.utils import timezone
from playwright.sync_api import expect

from parcours.enums import StatutParcours
from tests.e2e.conftest import screenshot
from tests.factories import DEFAULT_PASSWORD, ParticipantFactory
from tests.parcours.factories import ParcoursFactory


def login(page, email):
    page.goto("/connexion/")
    page.get_by_label("Adresse électronique").fill(email)
    page.get_by_label("Mot de passe").fill(DEFAULT_PASSWORD)
    page.get_by_role("button", name="Se connecter").click()


def parcours(plie, nom, entree, referent=None):
    participant = ParticipantFactory(plie=plie, nom=nom, prenom="Camille")
    return ParcoursFactory(
        participant=participant, status=StatutParcours.EN_PARCOURS, date_entree=entree, referent=referent
    )


def test_animation_follows_the_entrees_figure_to_its_participants(page, transactional_db, world):
    today = timezone.localdate()
    premier_janvier = datetime.date(today.year, 1, 1)
    entres = {
        parcours(world.plie_a, "Arnaud", premier_janvier, world.referent_a),
        parcours(world.plie_a, "Berthier", today, world.referent_a),
        parcours(world.plie_a, "Chevalier", premier_janvier),
    }
    parcours(world.plie_a, "Durand", datetime.date(today.year - 1, 6, 1))  # in the stock, not an entry
    parcours(world.plie_b, "Esnault", today)  # another PLIE

    login(page, world.animateur_a.email)
    page.get_by_role("link", name="Ouvrir le tableau de bord").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Tableau de bord — PLIE A")
    expect(page.get_by_test_id("chiffres-au")).to_contain_text(f"Chiffres au {today:%d/%m/%Y}")
    main = page.get_by_role("main")
    expect(main.locator("svg.graphique")).to_have_count(4)
    expect(main.get_by_role("img", name="Entrées")).to_be_visible()
    expect(main.get_by_role("link", name="Entrées : 3")).to_be_visible()
    expect(main.get_by_role("region", name="File active par référent")).to_contain_text(
        world.referent_a.get_full_name()
    )
    screenshot(page, "dashboard-01-plie")

    main.get_by_role("link", name="Entrées : 3").click()
    expect(page).to_have_url(re.compile(r"/tableaux-de-bord/participants/\?indicateur=entrees"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Entrées")
    table = page.locator("#liste-participants")
    expect(table.locator("caption")).to_have_text("3 parcours")
    expect(table.locator("tbody tr th")).to_have_text(
        [f"{p.participant.nom.upper()} Camille" for p in sorted(entres, key=lambda p: p.participant.nom)]
    )
    screenshot(page, "dashboard-02-liste-entrees")

    # and back to the dashboard
    page.get_by_role("link", name="Retour au tableau de bord").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Tableau de bord — PLIE A")
