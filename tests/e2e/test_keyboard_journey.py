"""The référent's and the commission's day with the keyboard only (Tab, Shift+Tab, Enter, Space,
and typing): log in, open « Ma file active », note an entretien, add an étape, then download a
session's agenda (the link says « Préparation en cours… » at once) and decide two dossiers.
Every element reached shows a visible focus; each form opens with the cursor in its first field
(static/js/forms.js); after each htmx decision the focus goes to the next dossier to decide, then
to the session's panel, never to <body>, and the panel follows (dossiers left, no « Supprimer la
session » once a decision exists)."""

import datetime
import re

from django.utils import timezone
from playwright.sync_api import expect

from parcours.enums import ObjetPassage, StatutParcours
from parcours.models import Decision, Entretien, Etape, Parcours
from reporting.models import ExportDemande
from tests.e2e.conftest import screenshot
from tests.factories import DEFAULT_PASSWORD, ParticipantFactory
from tests.parcours.factories import CommissionFactory, ParcoursFactory

TAB_LIMIT = 120

# A focus ring is an outline or a box-shadow that the element does not have without the focus.
FOCUS_VISIBLE = """() => {
  const el = document.activeElement;
  if (!el || el === document.body) return false;
  const style = getComputedStyle(el);
  const outline = style.outlineStyle !== "none" && parseFloat(style.outlineWidth) > 0;
  const shadow = style.boxShadow && style.boxShadow !== "none";
  return outline || shadow;
}"""


def focused_is(page, locator):
    return page.evaluate("(el) => document.activeElement === el", locator.element_handle())


def expect_focus_visible(page):
    assert page.evaluate(FOCUS_VISIBLE), "focus invisible sur " + page.evaluate(
        "() => document.activeElement.outerHTML.slice(0, 160)"
    )


def tab_to(page, locator, *, backwards=False):
    """Press Tab (or Shift+Tab) until ``locator`` has the focus, checking the focus ring there."""
    expect(locator).to_be_visible()
    for _ in range(TAB_LIMIT):
        page.keyboard.press("Shift+Tab" if backwards else "Tab")
        if focused_is(page, locator):
            expect_focus_visible(page)
            return
    raise AssertionError(f"{locator} jamais atteint au clavier")


def type_into(page, locator, text):
    tab_to(page, locator)
    page.keyboard.press("Control+A")
    page.keyboard.type(text)


def test_a_day_with_the_keyboard_only(page, transactional_db, world):
    today = timezone.localdate()
    suivie = ParcoursFactory(
        participant=ParticipantFactory(plie=world.plie_a, nom="Lefèvre", prenom="Hélène"),
        en_parcours=True,
        referent=world.referent_a,
        date_orientation=today - datetime.timedelta(days=100),
        date_commission=today - datetime.timedelta(days=95),
        date_entree=today - datetime.timedelta(days=90),
        dernier_contact=today - datetime.timedelta(days=30),
    )

    # --- log in: the e-mail field has the cursor
    page.goto("/connexion/")
    expect(page.get_by_label("Adresse électronique")).to_be_focused()
    page.keyboard.type(world.referent_a.email)
    page.keyboard.press("Tab")
    expect(page.get_by_label("Mot de passe")).to_be_focused()
    page.keyboard.type(DEFAULT_PASSWORD)
    page.keyboard.press("Enter")
    menu = page.get_by_role("navigation", name="Menu principal")
    expect(menu).to_be_visible()

    # --- « Ma file active » from the menu, then « Noter un entretien »
    tab_to(page, menu.get_by_role("link", name="Ma file active"))
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Ma file active")
    tab_to(page, page.get_by_role("link", name="Noter un entretien avec LEFÈVRE Hélène"))
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Noter un entretien")

    # the cursor is in the first field: the date, already today
    date = page.get_by_label("Date de l'entretien")
    expect(date).to_be_focused()
    expect(date).to_have_value(f"{today:%d/%m/%Y}")
    type_into(page, page.get_by_label("Durée (minutes)"), "40")
    tab_to(page, page.get_by_label("Formation", exact=True))
    page.keyboard.press("Space")
    expect(page.get_by_label("Formation", exact=True)).to_be_checked()
    type_into(page, page.get_by_label("Notes"), "Point sur la formation, au clavier.")
    screenshot(page, "clavier-01-entretien")
    tab_to(page, page.get_by_role("button", name="Enregistrer l'entretien"))
    page.keyboard.press("Enter")
    expect(page.get_by_role("status")).to_contain_text("noté pour LEFÈVRE Hélène")
    entretien = Entretien.objects.get()
    assert (entretien.parcours, entretien.duree_minutes, entretien.sujets) == (suivie, 40, ["formation"])

    # --- an étape, from the parcours page
    tab_to(page, page.get_by_role("link", name="Parcours de LEFÈVRE Hélène"))
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Parcours de LEFÈVRE Hélène")
    tab_to(page, page.get_by_role("link", name="Ajouter une étape").first)
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Ajouter une étape")
    kind = page.get_by_label("Type d'étape")
    expect(kind).to_be_focused()
    page.keyboard.type("Formation qualifiante")  # a closed <select> picks the option typed
    expect(kind.locator("option:checked")).to_have_text("Formation qualifiante")
    type_into(page, page.locator("#id_date_debut"), f"{today:%d/%m/%Y}")
    screenshot(page, "clavier-02-etape")
    tab_to(page, page.get_by_role("button", name="Ajouter l'étape"))
    page.keyboard.press("Enter")
    expect(page.get_by_role("status")).to_be_visible()
    etape = Etape.objects.get()
    assert (etape.parcours, etape.type.libelle, etape.date_debut) == (suivie, "Formation qualifiante", today)

    # --- the exit form: the types grouped by category, the cursor on the first one
    page.goto(f"/parcours/{suivie.pk}/")
    tab_to(page, page.get_by_role("link", name="Enregistrer la sortie"))
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Enregistrer une sortie")
    types = page.get_by_role("group", name=re.compile("^Type de sortie"))
    emploi = types.get_by_role("group", name="Positive — emploi durable")
    expect(emploi.get_by_role("radio").first).to_be_focused()
    expect_focus_visible(page)
    expect(types.get_by_role("group", name="Abandon").get_by_label("Abandon", exact=True)).to_be_visible()
    screenshot(page, "clavier-02b-sortie")

    # --- the commission, by the animateur: two dossiers to decide
    session = CommissionFactory(plie=world.plie_a, date=today, lieu="Salle 2")
    candidats = []
    for nom in ("Aubert", "Bonnet"):
        candidat = ParcoursFactory(
            participant=ParticipantFactory(plie=world.plie_a, nom=nom, prenom="Lou"),
            referent=world.referent_a,
            date_orientation=today - datetime.timedelta(days=10),
        )
        Decision.objects.create(commission=session, parcours=candidat, objet=ObjetPassage.CANDIDATURE)
        candidats.append(candidat)
    page.context.clear_cookies()
    page.goto("/connexion/")
    expect(page.get_by_label("Adresse électronique")).to_be_focused()
    page.keyboard.type(world.animateur_a.email)
    page.keyboard.press("Tab")
    page.keyboard.type(DEFAULT_PASSWORD)
    page.keyboard.press("Enter")
    expect(page.get_by_role("navigation", name="Menu principal")).to_be_visible()
    page.goto(f"/parcours/commissions/{session.pk}/")
    cloture = page.get_by_role("region", name="Clore la session")
    expect(cloture).to_contain_text("2 dossiers à décider")
    expect(cloture.get_by_role("button", name="Supprimer la session")).to_be_visible()

    # a PDF being prepared says so at once, on the link itself
    agenda = page.locator(f'a[href="/parcours/commissions/{session.pk}/ordre-du-jour.pdf"]')
    tab_to(page, agenda)
    with page.expect_download() as download:
        page.keyboard.press("Enter")
        expect(agenda).to_have_text("Préparation en cours…")
        expect(agenda).to_have_attribute("aria-disabled", "true")
    assert download.value.suggested_filename.endswith(".pdf")

    first = page.get_by_role("article", name="AUBERT Lou")
    tab_to(page, first.get_by_label("Admis", exact=True))
    expect(agenda).to_have_text("Ordre du jour (PDF)")  # given back once the user moves on
    page.keyboard.press("Space")
    expect(first.get_by_label("Admis", exact=True)).to_be_checked()
    expect(first.get_by_label("Date d'entrée dans le PLIE")).to_be_visible()
    tab_to(page, first.get_by_role("button", name=re.compile("^Enregistrer la décision")))
    screenshot(page, "clavier-03-commission")
    page.keyboard.press("Enter")

    # the card is swapped, the panel follows, the focus is on the next dossier
    expect(first.locator(".decision-value")).to_have_text("Admis")
    expect(cloture).to_contain_text("1 dossier à décider")
    expect(cloture.get_by_role("button", name="Supprimer la session")).to_have_count(0)
    second = page.get_by_role("article", name="BONNET Lou")
    expect(second.get_by_role("heading", name="BONNET Lou")).to_be_focused()
    expect(page.locator("body")).not_to_be_focused()
    expect_focus_visible(page)

    tab_to(page, second.get_by_label("Admis", exact=True))
    page.keyboard.press("Space")
    tab_to(page, second.get_by_role("button", name=re.compile("^Enregistrer la décision")))
    page.keyboard.press("Enter")
    expect(second.locator(".decision-value")).to_have_text("Admis")
    etat = cloture.locator("#commission-cloture-etat")
    expect(etat).to_have_text(re.compile("Toutes les décisions sont enregistrées"))
    expect(etat).to_be_focused()
    screenshot(page, "clavier-04-commission-decidee")

    # from there, the next Tab reaches « Clore la session »
    page.keyboard.press("Tab")
    expect(cloture.get_by_role("button", name="Clore la session")).to_be_focused()
    expect_focus_visible(page)
    assert set(
        Parcours.objects.filter(pk__in=[c.pk for c in candidats]).values_list("status", flat=True)
    ) == {StatutParcours.EN_PARCOURS}


def test_launching_an_export_shows_work_at_once(page, transactional_db, world):
    """« Lancer l'export » turns into « Préparation en cours… », disabled, the moment it is
    pressed, and a second submission is refused while the first is on its way. The browser
    answers the request itself with « 204 No Content » (the page stays, as during a slow
    answer): what follows a real answer, the export's page polling its progress, is
    tests/e2e/test_export_journey.py's."""
    page.goto("/connexion/")
    expect(page.get_by_label("Adresse électronique")).to_be_focused()
    page.keyboard.type(world.gestionnaire_a.email)
    page.keyboard.press("Tab")
    page.keyboard.type(DEFAULT_PASSWORD)
    page.keyboard.press("Enter")
    expect(page.get_by_role("navigation", name="Menu principal")).to_be_visible()
    page.goto("/rapports/exports/nouveau/")
    posted = []

    def answer(route):
        posted.append(route.request.method)
        route.fulfill(status=204)

    page.route("**/rapports/exports/nouveau/", answer)
    button = page.get_by_role("button", name="Lancer l'export")
    tab_to(page, button)
    page.keyboard.press("Enter")
    busy = page.locator("form[data-busy] button[type=submit]")
    expect(busy).to_have_text("Préparation en cours…")
    expect(busy).to_be_disabled()
    expect(page.locator("form[data-busy]")).to_have_attribute("aria-busy", "true")
    # submitted again while the first request is on its way: forms.js refuses it
    page.evaluate("() => document.querySelector('form[data-busy]').requestSubmit()")
    expect(busy).to_have_text("Préparation en cours…")
    assert posted == ["POST"]
    assert not ExportDemande.objects.exists()
