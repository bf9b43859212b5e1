"""Browser journey of the employer side (issue 18): the chargée de relations entreprises records
an employer (a wrong SIRET key refused first) and an offer, a référent proposes a participant and
records the hire, which creates the contract in the parcours; the tableau d'impact and the
offers extraction show them; the chargée then records the partnership convention with the
donneur d'ordre (an end before its start refused first)."""

import io
from decimal import Decimal

from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook
from playwright.sync_api import expect

from entreprises.models import Convention, Employeur, MiseEnRelation
from parcours.models import Contrat
from plie.core.enums import Role
from tests.e2e.conftest import screenshot
from tests.entreprises.factories import HeuresMoisFactory, MarcheFactory, PlacementFactory
from tests.factories import DEFAULT_PASSWORD, user_with_role
from tests.parcours.factories import ParcoursFactory, TypeEtapeFactory


def login(page, user):
    page.context.clear_cookies()
    page.goto("/connexion/")
    page.get_by_label("Adresse électronique").fill(user.email)
    page.get_by_label("Mot de passe").fill(DEFAULT_PASSWORD)
    page.get_by_role("button", name="Se connecter").click()


def test_offer_proposal_hire_impact_and_extraction(page, world):
    charge = user_with_role(Role.RELATIONS_ENTREPRISES, world.plie_a, email="entreprises.a@exemple.fr")
    parcours = ParcoursFactory(
        plie=world.plie_a,
        participant__plie=world.plie_a,
        participant__nom="Martin",
        participant__prenom="Léa",
        en_parcours=True,
        referent=world.referent_a,
    )
    TypeEtapeFactory(emploi=True, libelle="Emploi durable (CDI, CDD de 6 mois et plus)")
    today = timezone.localdate()

    # the chargée records the employer, then its offer
    login(page, charge)
    page.get_by_role("link", name="Entreprises").first.click()
    page.get_by_role("link", name="Nouvel employeur").click()
    page.get_by_label("SIRET").fill("732 829 320 00075")
    page.get_by_label("Raison sociale").fill("Bâti Sud")
    page.get_by_role("button", name="Enregistrer l'employeur").click()
    expect(page.get_by_text("La clé de ce SIRET n'est pas valide")).to_be_visible()
    assert not Employeur.objects.exists()
    page.get_by_label("SIRET").fill("732 829 320 00074")
    page.get_by_role("button", name="Enregistrer l'employeur").click()
    expect(page.get_by_role("heading", name="Bâti Sud")).to_be_visible()
    page.get_by_role("link", name="Nouvelle offre").click()
    page.get_by_label("Intitulé du poste").fill("Maçon VRD")
    page.get_by_label("Code ROME").fill("F1703")
    page.get_by_label("Type de contrat").select_option(label="CDI")
    page.get_by_label("Heures par semaine").fill("35")
    page.get_by_label("Lieu de travail").fill("Agen")
    page.get_by_role("button", name="Enregistrer l'offre").click()
    expect(page.get_by_role("heading", name="Maçon VRD")).to_be_visible()
    screenshot(page, "entreprises-offre")

    # the référent proposes Léa, then records the hire
    login(page, world.referent_a)
    page.get_by_role("link", name="Offres d'emploi").first.click()
    page.get_by_role("link", name="Maçon VRD").click()
    page.get_by_role("link", name="Proposer un participant").click()
    page.get_by_label("Participant").select_option(label="MARTIN Léa")
    page.get_by_role("button", name="Proposer").click()
    expect(page.get_by_role("row", name="MARTIN Léa")).to_be_visible()
    page.get_by_role("link", name="Embauche").click()
    page.get_by_label("Type d'étape").select_option(label="Emploi durable (CDI, CDD de 6 mois et plus)")
    page.get_by_label("Début du contrat").fill(f"{today:%d/%m/%Y}")
    page.get_by_role("button", name="Enregistrer").click()
    expect(page.get_by_text("le contrat et son étape sont créés dans le parcours")).to_be_visible()
    screenshot(page, "entreprises-embauche")
    contrat = Contrat.objects.get(etape__parcours=parcours)
    assert (contrat.employeur, contrat.type_contrat) == ("Bâti Sud", "cdi")
    assert MiseEnRelation.objects.get().status == "retenu"

    # the clause market she is placed on, and the impact table
    marche = MarcheFactory(plie=world.plie_a, attributaire=Employeur.objects.get(), reference="VRD-2026")
    placement = PlacementFactory(marche=marche, participant=parcours.participant)
    HeuresMoisFactory(placement=placement, mois=placement.date_debut.replace(day=1), heures=Decimal(140))
    login(page, charge)
    page.goto(reverse("entreprises:impact"))
    expect(page.get_by_role("row", name="Total").first).to_contain_text("140")
    screenshot(page, "entreprises-impact")

    # the offers extraction names the employer and the offer
    page.goto(reverse("entreprises:preuves"))
    with page.expect_download() as download:
        page.get_by_role("link", name="Employeurs et offres (XLSX)").click()
    workbook = load_workbook(io.BytesIO(download.value.path().read_bytes()))
    offres = list(workbook["Offres"].iter_rows(values_only=True))
    assert offres[1][:4] == ("Bâti Sud", "73282932000074", "Maçon VRD", "F1703")

    # the convention with the donneur d'ordre, from the clauses page
    page.goto(reverse("entreprises:marche_list"))
    page.get_by_role("link", name="Conventions").click()
    page.get_by_role("link", name="Nouvelle convention").click()
    page.get_by_label("Type de partenaire").select_option(label="Donneur d'ordre")
    page.get_by_label("Partenaire", exact=True).fill("Agglomération d'Agen")
    page.get_by_label("Objet").fill("Clause d'insertion des marchés de voirie")
    page.get_by_label("Signée le").fill(f"{today:%d/%m/%Y}")
    page.get_by_label("Début").fill("01/03/2026")
    page.get_by_label("Fin", exact=True).fill("28/02/2026")
    page.get_by_role("button", name="Enregistrer la convention").click()
    expect(
        page.get_by_text("La fin de la convention (28/02/2026) précède son début (01/03/2026).")
    ).to_be_visible()
    assert not Convention.objects.exists()
    page.get_by_label("Fin", exact=True).fill("31/12/2027")
    page.get_by_role("button", name="Enregistrer la convention").click()
    expect(page.get_by_role("heading", name="Convention avec Agglomération d'Agen")).to_be_visible()
    screenshot(page, "entreprises-convention")
