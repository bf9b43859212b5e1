"""Forms for people (issue 15): the main form of a create/edit page puts the cursor in its first
field (``data-autofocus``, read by static/js/forms.js), list and filter pages do not; the long
actions (exports, PDFs and XLSX, imports, checks of a file, closings) say « Préparation en
cours… » at once (``data-busy``); a running export or import polls its status, and says how to
refresh without JavaScript. The browser side: tests/e2e/test_keyboard_journey.py."""

import datetime
import re
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.urls import reverse
from pytest_django.asserts import assertContains

from parcours.enums import StatutParcours
from reporting.models import ExportDemande
from tests.parcours.factories import CommissionFactory, ParcoursFactory

PARIS = ZoneInfo("Europe/Paris")
TEMPLATES = Path(settings.BASE_DIR) / "templates"


@pytest.fixture(autouse=True)
def frozen_today(time_machine):
    time_machine.move_to(datetime.datetime(2026, 6, 15, 10, 0, tzinfo=PARIS), tick=False)


def templates_with(marker):
    return {
        path.relative_to(TEMPLATES).as_posix(): path.read_text(encoding="utf-8").count(marker)
        for path in TEMPLATES.rglob("*.html")
        if marker in path.read_text(encoding="utf-8")
    }


def test_a_page_has_one_form_with_the_first_field_and_lists_have_none():
    marked = templates_with("data-autofocus")
    assert all(count == 1 for count in marked.values()), marked
    # every create/edit page of a dossier, an employer, an operation
    for name in (
        "participants/participant_form.html",
        "parcours/entretien_form.html",
        "parcours/etape_form.html",
        "parcours/sortie_form.html",
        "parcours/commission_form.html",
        "operations/operation_form.html",
        "entreprises/employeur_form.html",
    ):
        assert name in marked, name
    # never on a list, a filter, a dashboard or a detail page
    for name in marked:
        assert not re.search(r"(_list|workspace|dashboard|_detail)\.html$", name), name
    # the marker is on the <form> tag itself, where forms.js looks for it
    for name in marked:
        assert re.search(r"<form [^>]*data-autofocus", (TEMPLATES / name).read_text(encoding="utf-8")), name


@pytest.fixture
def parcours(world):
    return ParcoursFactory(
        participant__plie=world.plie_a,
        status=StatutParcours.EN_PARCOURS,
        en_parcours=True,
        referent=world.referent_a,
    )


def test_create_pages_carry_the_marker_and_list_pages_do_not(client, world, parcours):
    client.force_login(world.referent_a)
    for name, args in (
        ("parcours:entretien_create", [parcours.pk]),
        ("parcours:etape_create", [parcours.pk]),
        ("parcours:sortie_create", [parcours.pk]),
        ("participants:participant_create", []),
    ):
        response = client.get(reverse(name, args=args))
        assert response.status_code == 200, name
        assert response.content.decode().count("data-autofocus") == 1, name
    for name in ("parcours:workspace", "participants:participant_list", "parcours:commission_list"):
        response = client.get(reverse(name))
        assert response.status_code == 200, name
        assert "data-autofocus" not in response.content.decode(), name


def test_every_page_loads_the_forms_script(client, world):
    client.force_login(world.referent_a)
    assertContains(client.get(reverse("parcours:workspace")), 'src="/static/js/forms.js" defer')
    assert (Path(settings.BASE_DIR) / "static" / "js" / "forms.js").exists()


def test_long_actions_show_their_work(client, world, parcours):
    marked = templates_with("data-busy")
    for name in (
        "reporting/exports/includes/form.html",  # « Lancer l'export »
        "parcours/import/import_list.html",  # « Vérifier et importer »
        "operations/exports/validation_mdfse.html",  # MDFSE file, XLSX, annex PDF
        "reporting/mensuel.html",  # the monthly report's CSV, XLSX, PDF
        "finances/bilan.html",  # the financial bilan PDF/XLSX
        "parcours/commission_detail.html",  # agenda and PV PDFs
        "participants/participant_detail.html",  # the participant's PDF
    ):
        assert name in marked, name
    client.force_login(world.animateur_a)
    session = CommissionFactory(plie=world.plie_a, date=datetime.date(2026, 6, 11))
    page = client.get(reverse("parcours:commission_detail", args=[session.pk]))
    agenda = reverse("parcours:commission_agenda_pdf", args=[session.pk])
    assertContains(page, f'<a data-busy class="btn btn-outline-primary" href="{agenda}">')
    assertContains(page, 'data-busy="Clôture en cours…"')
    client.force_login(world.gestionnaire_a)
    page = client.get(reverse("rapports:export_create"))
    assertContains(page, '<form method="post" data-busy action="/rapports/exports/nouveau/"')


def test_a_running_export_polls_and_offers_a_refresh_without_javascript(client, world):
    demande = ExportDemande.objects.create(
        user=world.gestionnaire_a,
        kind=ExportDemande.Kind.BILAN_PDF,
        params={"plie_ids": [world.plie_a.pk], "annee": 2026},
        status=ExportDemande.Status.RUNNING,
        progress=40,
    )
    client.force_login(world.gestionnaire_a)
    page = client.get(reverse("rapports:export_detail", args=[demande.pk])).content.decode()
    assert f'hx-get="{reverse("rapports:export_progress", args=[demande.pk])}"' in page
    assert 'aria-valuenow="40"' in page
    assert "<noscript>" in page and "Actualiser la page" in page
