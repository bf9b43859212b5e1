"""Browser journey of the long exports and the monthly reporting (issue 7): the job page polls
its progress until the download link, the file downloads, the monthly page answers the month
picker."""

from django.urls import reverse
from playwright.sync_api import expect

from reporting import jobs
from reporting.models import ExportDemande
from tests.e2e.conftest import screenshot
from tests.factories import DEFAULT_PASSWORD
from tests.reporting.conftest import D, make_parcours

Kind = ExportDemande.Kind
Status = ExportDemande.Status


def test_the_job_page_polls_until_the_download_link(page, world):
    """In a browser: the job page shows the progress bar, htmx polls every 2 s, and when the job
    is done the download link replaces the bar, without reloading the page."""
    make_parcours(world.plie_a, D(2016, 2, 1))
    demande = ExportDemande.objects.create(
        user=world.gestionnaire_a,
        kind=Kind.PARTICIPANTS_XLSX,
        params={"plie_ids": [world.plie_a.pk]},
        libelle="Participants — PLIE A",
        status=Status.RUNNING,
        progress=30,
    )
    page.goto("/connexion/")
    page.get_by_label("Adresse électronique").fill(world.gestionnaire_a.email)
    page.get_by_label("Mot de passe").fill(DEFAULT_PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    page.goto(reverse("rapports:export_detail", args=[demande.pk]))
    bar = page.get_by_role("progressbar", name="Progression de l'export")
    expect(bar).to_have_attribute("aria-valuenow", "30")
    ExportDemande.objects.filter(pk=demande.pk).update(progress=60)
    expect(bar).to_have_attribute("aria-valuenow", "60")
    screenshot(page, "export-en-cours")
    jobs.executer(demande.pk)
    link = page.get_by_role("link", name="Télécharger le fichier")
    expect(link).to_be_visible()
    screenshot(page, "export-termine")
    with page.expect_download() as download:
        link.click()
    assert download.value.suggested_filename == "participants-plie-a.xlsx"
    page.goto(reverse("rapports:export_list"))
    expect(page.get_by_role("cell", name="Participants — PLIE A")).to_be_visible()
    # the monthly reporting, from the page's month picker
    page.goto(reverse("rapports:mensuel"))
    page.get_by_label("Mois").fill("2016-02")
    page.get_by_role("button", name="Afficher").click()
    expect(page.get_by_role("heading", name="PLIE A — février 2016")).to_be_visible()
    entrees = page.get_by_role("row", name="Entrées dans le mois")
    expect(entrees.get_by_role("cell")).to_have_text("1")
    screenshot(page, "reporting-mensuel")
