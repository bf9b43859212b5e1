"""The financial bilan d'exécution (HTML, PDF read back with pypdf, XLSX read back with openpyxl),
its « contrôle de service fait » checklist, and the monthly time state PDF."""

import datetime
import io
from decimal import Decimal

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook
from pypdf import PdfReader

from finances import bilan, services
from finances.enums import CategorieDepense, Financeur, Nature, StatutFiche
from finances.models import Salaire
from plie.core.scoping import scope_for
from tests.finances.factories import (
    AffectationFactory,
    FicheTempsFactory,
    LigneTempsFactory,
    PersonnelFactory,
)

D = datetime.date
H = Decimal
NB = "\u00a0"


def pdf_text(content):
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


@pytest.fixture(autouse=True)
def _25_mars_2026():
    with time_machine.travel(datetime.datetime(2026, 3, 25, 9, 0), tick=False):
        yield


@pytest.fixture
def operation_chiffree(world):
    """ACC-1 over March 2026: référent A traced 13 h (validated) on it, salary 3 000 € for
    151,67 h; a forecast of 10 000 € of staff, FSE 6 000 € forecast; one realised invoice without
    its proof."""
    personnel = PersonnelFactory(plie=world.plie_a, user=world.referent_a, responsable=world.animateur_a)
    affectation = AffectationFactory(personnel=personnel, operation__code="ACC-1")
    operation = affectation.operation
    Salaire.objects.create(
        personnel=personnel,
        mois=D(2026, 3, 1),
        brut=H("2300"),
        charges=H("700"),
        heures_travaillees=H("151.67"),
    )
    for semaine, heures in ((D(2026, 3, 2), H("7")), (D(2026, 3, 9), H("6"))):
        fiche = FicheTempsFactory(personnel=personnel, semaine=semaine)
        LigneTempsFactory(fiche=fiche, jour=semaine, operation=operation, heures=heures)
        services.fiche_sign(scope=scope_for(world.referent_a), fiche=fiche)
        services.fiche_validate(scope=scope_for(world.animateur_a), fiche=fiche)
    scope = scope_for(world.gestionnaire_a)
    services.depense_add(
        scope=scope,
        operation=operation,
        categorie=CategorieDepense.PERSONNEL,
        nature=Nature.PREVU,
        libelle="Référents",
        montant=H("10000"),
    )
    services.depense_add(
        scope=scope,
        operation=operation,
        categorie=CategorieDepense.FONCTIONNEMENT,
        nature=Nature.REALISE,
        libelle="Location de salle",
        montant=H("250.40"),
        date=D(2026, 3, 20),
    )
    services.ressource_add(
        scope=scope,
        operation=operation,
        financeur=Financeur.FSE,
        nature=Nature.PREVU,
        montant=H("6000"),
        piece=SimpleUploadedFile("convention.pdf", b"%PDF-1.4", content_type="application/pdf"),
    )
    return operation


def test_the_staff_line_equals_validated_hours_times_rates(world, operation_chiffree):
    data = bilan.bilan_financier(operation_chiffree, D(2026, 3, 1), D(2026, 3, 31))
    staff = data["lignes"][0]
    expected = (H("3000") * H("13") / H("151.67")).quantize(H("0.01"))  # 257.14
    assert staff.realise == expected == H("257.14")
    assert staff.pieces[:2] == [
        "Fiche temps semaine du 02/03/2026 (v1), signée le 25/03/2026, validée le 25/03/2026",
        "Fiche temps semaine du 09/03/2026 (v1), signée le 25/03/2026, validée le 25/03/2026",
    ]
    assert data["total_realise"] == H("257.14") + H("250.40") + H("38.57")  # + 15 % of 257.14
    assert data["controle"] == [
        f"Affectation de {world.referent_a} (Temps tracé par jour (fiches temps)) : justificatif manquant "
        "(contrat, lettre de mission ou fiche de poste).",
        # the week of 23 February ends on Sunday 1 March, inside the period
        f"{world.referent_a} : fiche temps de la semaine du 23/02/2026 non remplie.",
        f"{world.referent_a} : fiche temps de la semaine du 16/03/2026 non remplie.",
        f"{world.referent_a} : fiche temps de la semaine du 23/03/2026 non remplie.",
        "Dépense « Location de salle » : pièce justificative manquante.",
    ]


def test_the_pdf_and_xlsx_read_back(client, world, operation_chiffree, django_assert_num_queries):
    client.force_login(world.gestionnaire_a)
    url = reverse("finances:bilan_export", args=[operation_chiffree.pk]) + "?du=2026-03-01&au=2026-03-31"
    response = client.get(url)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    text = pdf_text(response.content)
    assert "Bilan d’exécution — partie financière" in text
    assert f"257,14{NB}€" in text and f"10{NB}000,00{NB}€" in text
    assert "Fiche temps semaine du 09/03/2026" in text
    assert (
        "Contrôle de service fait" in text and "Location de salle » : pièce justificative manquante" in text
    )
    response = client.get(url + "&format=xlsx")
    workbook = load_workbook(io.BytesIO(response.content))
    rows = list(workbook["Dépenses"].iter_rows(values_only=True))
    assert rows[3][:4] == (
        "Dépenses directes de personnel",
        f"{world.referent_a} — Temps tracé par jour (fiches temps)",
        0,
        257.14,
    )
    assert rows[-1][:4] == ("Total des dépenses", None, 11500, 546.11)
    assert [r[0] for r in workbook["Contrôle de service fait"].iter_rows(values_only=True)][-1] == (
        "Dépense « Location de salle » : pièce justificative manquante."
    )
    client.get(reverse("finances:bilan", args=[operation_chiffree.pk]))
    # session, user, memberships + operation, [plan: parameters, assignments, salaries, validated
    # hours, expenses, resources], assignments, validated sheets, [checklist: current sheets,
    # salaries]
    with django_assert_num_queries(14):
        assert client.get(reverse("finances:bilan", args=[operation_chiffree.pk])).status_code == 200
    assert client.get(url.replace("2026-03-31", "2026-02-31")).status_code == 400


@pytest.mark.parametrize(
    "persona, status",
    [
        ("direction_a", 200),
        ("referent_a", 404),
        ("animateur_a", 404),
        ("referent_b", 404),
        ("financeur", 404),
    ],
)
def test_who_gets_the_bilan(client, world, operation_chiffree, persona, status):
    client.force_login(getattr(world, persona))
    assert client.get(reverse("finances:bilan", args=[operation_chiffree.pk])).status_code == status
    assert client.get(reverse("finances:bilan_export", args=[operation_chiffree.pk])).status_code == status


def test_the_monthly_time_state_is_ready_to_sign(client, world, operation_chiffree):
    personnel = PersonnelFactory(plie=world.plie_a, user=world.referent_a)
    url = reverse("finances:etat_mensuel", args=[personnel.pk, operation_chiffree.pk, "2026-03"])
    client.force_login(world.referent_a)
    response = client.get(url)
    assert response.status_code == 200
    text = pdf_text(response.content)
    assert "État mensuel du temps d’activité" in text
    assert "Lundi 02/03/2026 7,00" in text and "Lundi 09/03/2026 6,00" in text
    assert "Total du mois 13,00" in text
    assert "Le supérieur hiérarchique" in text and "Date et signature" in text
    for persona, status in (("animateur_a", 200), ("gestionnaire_a", 200), ("direction_a", 200)):
        client.force_login(getattr(world, persona))
        assert client.get(url).status_code == status, persona
    for persona in ("referent_b", "financeur", "referent_operateur"):
        client.force_login(getattr(world, persona))
        assert client.get(url).status_code == 404, persona
    client.force_login(world.referent_a)
    workbook = load_workbook(io.BytesIO(client.get(url + "?format=xlsx").content))
    rows = list(workbook.active.iter_rows(values_only=True))
    assert rows[2][:2] == (datetime.datetime(2026, 3, 1), 0) and rows[3][:2] == (
        datetime.datetime(2026, 3, 2),
        7,
    )
    assert rows[-1] == ("Total du mois", 13, None, 13)
    fiche = personnel.fiches.get(semaine=D(2026, 3, 2))
    assert fiche.statut == StatutFiche.VALIDEE
