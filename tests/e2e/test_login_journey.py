"""Whole journeys through the login, the home page of each role, the logout and the password
change, in a real browser. Screenshots of the key pages land in tests/artifacts/."""

import datetime
import re
from zoneinfo import ZoneInfo

from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import expect

from plie.core.enums import RunOutcome
from plie.core.models import TaskRun
from tests.e2e.conftest import screenshot
from tests.factories import DEFAULT_PASSWORD

NEW_PASSWORD = "Chevalet-rouge-2031"
PARIS = ZoneInfo("Europe/Paris")


def menu(page):
    return page.get_by_role("navigation", name="Menu principal")


def account_menu(page):
    """Open the account menu of the header (name, password change, logout)."""
    page.get_by_role("button", name=re.compile("^Mon compte")).click()
    return menu(page)


def login(page, email, password=DEFAULT_PASSWORD):
    page.goto("/connexion/")
    page.get_by_label("Adresse électronique").fill(email)
    page.get_by_label("Mot de passe").fill(password)
    page.get_by_role("button", name="Se connecter").click()


def logout(page):
    account_menu(page).get_by_role("button", name="Se déconnecter").click()
    expect(page).to_have_url(re.compile(r"/connexion/$"))


def test_referent_logs_in_with_the_keyboard_and_out(page, transactional_db, world):
    # An anonymous visit lands on the French login page.
    page.goto("/")
    expect(page).to_have_url(re.compile(r"/connexion/\?next=/$"))
    expect(page.locator("html")).to_have_attribute("lang", "fr")
    expect(page).to_have_title(re.compile("^Connexion"))
    expect(page.get_by_role("main")).to_have_count(1)
    expect(page.get_by_role("banner")).to_have_count(1)
    expect(page.get_by_role("contentinfo")).to_have_count(1)
    expect(page.get_by_role("heading", level=1)).to_have_text("Connexion")
    email = page.get_by_label("Adresse électronique")
    password = page.get_by_label("Mot de passe")
    expect(email).to_have_attribute("type", "email")
    expect(password).to_have_attribute("type", "password")
    expect(email).to_be_focused()
    expect(menu(page)).to_have_count(0)
    screenshot(page, "01-connexion")

    # Wrong credentials: one French message, no hint about which field was wrong.
    email.fill(world.referent_a.email)
    password.fill("pas-le-bon-mot-de-passe")
    page.get_by_role("button", name="Se connecter").click()
    alert = page.get_by_role("alert")
    expect(alert).to_contain_text("adresse électronique et un mot de passe valides")
    expect(alert).not_to_contain_text(world.referent_a.email)
    expect(password).to_have_value("")
    expect(email).to_have_value(world.referent_a.email)
    screenshot(page, "02-connexion-erreur")

    # The référent of PLIE A logs in with the keyboard only.
    email.fill("")
    email.focus()
    page.keyboard.type(world.referent_a.email)
    page.keyboard.press("Tab")
    expect(password).to_be_focused()
    page.keyboard.type(DEFAULT_PASSWORD)
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Bonjour {world.referent_a.first_name}")
    expect(page.get_by_role("region", name="Ma file active")).to_be_visible()
    expect(page.get_by_role("main").get_by_text("Référent de parcours")).to_be_visible()
    expect(menu(page).get_by_role("link", name="Accueil")).to_have_attribute("aria-current", "page")
    expect(menu(page).get_by_role("link", name="Participants")).to_be_visible()
    expect(menu(page).get_by_role("link", name="Participants")).not_to_have_attribute("aria-current", "page")
    expect(menu(page).get_by_role("link", name="Tâches nocturnes")).to_have_count(0)
    expect(page.get_by_role("region", name="Mes PLIE")).to_contain_text("PLIE A")
    expect(page.get_by_role("region", name="Mes PLIE")).not_to_contain_text("PLIE B")

    # The skip link is the first stop of the keyboard and leads to the content.
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Aller au contenu")
    expect(skip).to_be_focused()
    expect(skip).to_be_visible()
    screenshot(page, "03-accueil-referent-lien-evitement")
    page.keyboard.press("Enter")
    expect(page.get_by_role("main")).to_be_focused()
    screenshot(page, "04-accueil-referent")

    # On a phone the menu folds behind a « Menu » button.
    page.set_viewport_size({"width": 390, "height": 844})
    toggler = page.get_by_role("button", name="Menu", exact=True)
    expect(toggler).to_have_attribute("aria-expanded", "false")
    expect(menu(page).get_by_role("link", name="Participants")).to_be_hidden()
    screenshot(page, "05-accueil-referent-mobile")
    toggler.click()
    expect(page.locator("#menu-principal")).to_have_class(re.compile(r"\bshow\b"))
    expect(menu(page).get_by_role("link", name="Participants")).to_be_visible()
    expect(toggler).to_have_attribute("aria-expanded", "true")
    screenshot(page, "06-accueil-referent-mobile-menu")

    # The logout is a POST form in the account menu; it leads back to the login page.
    logout(page)
    page.set_viewport_size({"width": 1280, "height": 800})
    expect(page.get_by_role("heading", level=1)).to_have_text("Connexion")
    page.goto("/")
    expect(page).to_have_url(re.compile(r"/connexion/\?next=/$"))


def test_each_role_sees_its_own_home(page, transactional_db, world):
    runs = [
        (world.plie_a, datetime.date(2026, 11, 23), RunOutcome.SUCCESS, ""),
        (world.plie_a, datetime.date(2026, 11, 22), RunOutcome.FAILURE, "OperationalError: base absente"),
        (world.plie_b, datetime.date(2026, 11, 23), RunOutcome.SUCCESS, ""),
    ]
    for plie, day, outcome, error in runs:
        started = datetime.datetime.combine(day + datetime.timedelta(days=1), datetime.time(2), PARIS)
        TaskRun.objects.create(
            task="comptage_participants",
            plie=plie,
            run_date=day,
            started_at=started,
            finished_at=started + datetime.timedelta(seconds=4),
            rows=42,
            outcome=outcome,
            error=error,
            attempts=1 if outcome == RunOutcome.SUCCESS else 3,
        )

    login(page, world.gestionnaire_a.email)
    expect(page.get_by_role("main").get_by_text("Gestionnaire", exact=True)).to_be_visible()
    for panel in ("Opérations FSE", "Complétude des données FSE", "Bilan annuel", "Mes PLIE"):
        expect(page.get_by_role("region", name=panel)).to_be_visible()
    expect(page.get_by_role("region", name="Ma file active")).to_have_count(0)
    expect(menu(page).get_by_role("link", name="Participants")).to_be_visible()
    expect(menu(page).get_by_role("link", name="Tâches nocturnes")).to_have_count(0)
    screenshot(page, "10-accueil-gestionnaire")
    logout(page)

    # The financeur sees aggregated figures only: no participants anywhere.
    login(page, world.financeur.email)
    expect(page.get_by_role("main").get_by_text("Financeur", exact=True)).to_be_visible()
    expect(page.get_by_role("region", name="Indicateurs agrégés")).to_be_visible()
    expect(page.get_by_role("region", name="Mes PLIE")).to_contain_text("PLIE A")
    expect(menu(page).get_by_role("link")).to_have_text(
        ["Accueil", "Opérations FSE", "Tableaux de bord", "Rapports"]
    )
    expect(page.get_by_role("link", name="Participants")).to_have_count(0)
    screenshot(page, "11-accueil-financeur")
    logout(page)

    # The administrateur reaches the overnight tasks from the menu.
    login(page, world.admin_a.email)
    expect(page.get_by_role("main").get_by_text("Administrateur", exact=True)).to_be_visible()
    expect(page.get_by_role("region", name="Référentiels")).to_be_visible()
    expect(page.get_by_role("region", name="Tâches nocturnes")).to_be_visible()
    screenshot(page, "12-accueil-administrateur")
    account_menu(page)
    expect(menu(page).get_by_role("link", name="Changer de mot de passe")).to_be_visible()
    screenshot(page, "13-menu-compte")
    page.keyboard.press("Escape")
    # the administration entries sit in the menu's « Administration » dropdown (<details>)
    menu(page).get_by_text("Administration", exact=True).click()
    menu(page).get_by_role("link", name="Tâches nocturnes").click()
    expect(page).to_have_url(re.compile(r"/taches/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Tâches nocturnes")
    # its group shows as current; the entry itself, once the group is opened
    expect(menu(page).locator("summary", has_text="Administration")).to_have_class(re.compile(r"\bactive\b"))
    menu(page).get_by_text("Administration", exact=True).click()
    expect(menu(page).get_by_role("link", name="Tâches nocturnes")).to_have_attribute("aria-current", "page")
    page.keyboard.press("Escape")
    table = page.get_by_role("table")
    expect(table.get_by_role("row")).to_have_count(3)  # the header and PLIE A's two runs
    expect(table).to_contain_text("23/11/2026")
    expect(table).to_contain_text("Échec")
    expect(table).to_contain_text("base absente")
    expect(table).not_to_contain_text("PLIE B")
    screenshot(page, "14-taches-nocturnes")
    logout(page)

    # Someone without any role is told whom to ask.
    login(page, world.no_role.email)
    expect(page.get_by_role("status")).to_contain_text("n'est rattaché à aucune structure")
    expect(menu(page).get_by_role("link")).to_have_text(["Accueil"])
    screenshot(page, "15-accueil-sans-role")


def test_password_change(page, transactional_db, world):
    user = world.referent_a
    login(page, user.email)
    account_menu(page).get_by_role("link", name="Changer de mot de passe").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Changer de mot de passe")
    old = page.get_by_label("Ancien mot de passe")
    new = page.get_by_label(re.compile("^Nouveau mot de passe"))
    confirmation = page.get_by_label("Confirmation du nouveau mot de passe")

    # A wrong current password is refused, next to the field.
    old.fill("pas-le-bon-mot-de-passe")
    new.fill(NEW_PASSWORD)
    confirmation.fill(NEW_PASSWORD)
    page.get_by_role("button", name="Enregistrer").click()
    expect(old).to_have_attribute("aria-invalid", "true")
    expect(old).to_have_accessible_description(re.compile("ancien mot de passe est incorrect"))
    screenshot(page, "20-mot-de-passe-erreur")

    old.fill(DEFAULT_PASSWORD)
    new.fill(NEW_PASSWORD)
    confirmation.fill(NEW_PASSWORD)
    page.get_by_role("button", name="Enregistrer").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Mot de passe modifié")
    screenshot(page, "21-mot-de-passe-modifie")

    # Still logged in; after logging out only the new password opens the door.
    logout(page)
    login(page, user.email)
    expect(page.get_by_role("alert")).to_contain_text("mot de passe valides")
    login(page, user.email, NEW_PASSWORD)
    expect(page.get_by_role("region", name="Ma file active")).to_be_visible()


def test_administrateur_enrols_a_second_factor_then_logs_in_with_a_code(
    page, transactional_db, world, settings
):
    settings.PLIE_OTP_REQUIRED = True
    user = world.admin_a

    # First login: the password, then the enrolment page (QR code drawn inline, key to type).
    login(page, user.email)
    expect(page).to_have_url(re.compile(r"/connexion/second-facteur/\?next=%2F$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Activer le second facteur")
    expect(page.get_by_role("img", name="QR code à scanner")).to_be_visible()
    screenshot(page, "30-second-facteur-inscription")
    device = TOTPDevice.objects.get(user=user)
    page.get_by_label("Code à usage unique").fill(current_code(device))
    page.get_by_role("button", name="Activer").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Codes de secours")
    expect(page.get_by_role("list", name="Codes de secours").get_by_role("listitem")).to_have_count(10)
    screenshot(page, "31-codes-de-secours")
    page.get_by_role("link", name="J'ai noté mes codes, continuer").click()
    expect(page.get_by_role("region", name="Tâches nocturnes")).to_be_visible()
    logout(page)

    # Next login: the password, then the code.
    login(page, user.email)
    expect(page).to_have_url(re.compile(r"/connexion/code/\?next=%2F$"))
    screenshot(page, "32-code-de-connexion")
    device.refresh_from_db()
    page.get_by_label("Code à usage unique").fill(current_code(device, offset=1))
    page.get_by_role("button", name="Valider").click()
    expect(page.get_by_role("region", name="Tâches nocturnes")).to_be_visible()


def current_code(device, offset=0):
    """The device's TOTP code, ``offset`` steps ahead (a code already used is refused)."""
    t0 = device.t0 - offset * device.step
    return f"{totp(device.bin_key, step=device.step, t0=t0, digits=device.digits):06d}"
