"""The look (issue 15), in a browser at 1 366 px: the administrateur's menu holds on one line,
its « Administration » dropdown opens (a <details>, no script needed), the PLIE's identity page
takes a logo that then shows in the header, and the dashboard opens on its key figures and
charts. Every page goes through ``journey.check`` (screenshot, axe-core, links)."""

import datetime
import io

from django.utils import timezone
from PIL import Image
from playwright.sync_api import expect

from parcours.enums import StatutParcours
from tests.e2e.test_login_journey import login, menu
from tests.factories import ParticipantFactory
from tests.parcours.factories import ParcoursFactory


def logo_png(path):
    image = Image.new("RGB", (160, 64), (255, 255, 255))
    for x in range(20, 140):
        for y in range(16, 48):
            image.putpixel((x, y), (179, 64, 10))
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    path.write_bytes(buffer.getvalue())
    return path


def navbar_tops(page):
    return page.evaluate(
        """() => Array.from(document.querySelectorAll("header .navbar-nav > .nav-item"),
                            item => item.getBoundingClientRect().top)"""
    )


def test_administrateur_menu_identity_and_dashboard(page, journey, transactional_db, world, tmp_path):
    today = timezone.localdate()
    for i, nom in enumerate(("Arnaud", "Berthier", "Chevalier", "Dupont", "Étienne", "Faure")):
        ParcoursFactory(
            participant=ParticipantFactory(plie=world.plie_a, nom=nom, prenom="Camille"),
            status=StatutParcours.EN_PARCOURS,
            date_entree=today - datetime.timedelta(days=30 * i + 1),
            referent=world.referent_a,
        )
    page.set_viewport_size({"width": 1366, "height": 768})
    page.goto("/connexion/")
    journey.check("connexion", links=False)
    login(page, world.admin_a.email)
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    journey.check("accueil-administrateur")

    # One line at 1 366 px: every item of the menu (and the account) at the same height.
    tops = navbar_tops(page)
    assert len(tops) >= 10 and len(set(tops)) == 1, tops
    largeur = page.evaluate(
        "() => [document.scrollingElement.scrollWidth, document.scrollingElement.clientWidth]"
    )
    assert largeur[0] <= largeur[1], f"le menu déborde à 1 366 px : {largeur}"
    administration = menu(page).locator("details", has_text="Administration")
    expect(administration.get_by_role("link", name="Identité du PLIE")).to_be_hidden()
    administration.locator("summary").click()
    administration.get_by_role("link", name="Identité du PLIE").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Identité du PLIE")
    journey.check("identite")

    page.get_by_label("Nom du PLIE").fill("PLIE Métropole Sud")
    page.get_by_label("Logo").set_input_files(logo_png(tmp_path / "logo.png"))
    page.get_by_role("button", name="Enregistrer").click()
    expect(page.get_by_role("status")).to_contain_text("Le nom et le logo du PLIE sont enregistrés.")
    brand = page.locator(".navbar-brand")
    expect(brand.get_by_role("img", name="PLIE Métropole Sud")).to_have_js_property("naturalWidth", 160)
    # annex IX: the EU emblem at least as tall as the PLIE's logo, in the header and the preview
    hauteurs = page.evaluate(
        """() => {
            const hauteurs = selecteur => Array.from(
                document.querySelectorAll(selecteur), i => i.getBoundingClientRect().height);
            return {emblemes: hauteurs("img.embleme-ue"), logos: hauteurs(".brand-logo img, .plie-logo")};
        }"""
    )
    assert min(hauteurs["emblemes"]) >= max(hauteurs["logos"]) > 0, hauteurs
    journey.check("identite-enregistree")
    assert len(set(navbar_tops(page))) == 1, "le logo fait passer le menu sur deux lignes"
    assert page.evaluate(
        "() => document.scrollingElement.scrollWidth <= document.scrollingElement.clientWidth"
    )

    # The dashboard: key figures, then the charts, then the tables.
    menu(page).get_by_role("link", name="Tableaux de bord").click()
    cartes = page.locator(".chiffre-cle")
    expect(cartes).to_have_count(5)
    expect(cartes.first).to_contain_text("En parcours")
    expect(cartes.first.locator(".valeur")).to_have_text("6 : voir la liste")
    tailles = page.evaluate(
        """() => Array.from(document.querySelectorAll("svg.graphique text"),
                            t => parseFloat(getComputedStyle(t).fontSize))"""
    )
    assert tailles and min(tailles) >= 11, tailles
    journey.check("tableau-de-bord")
