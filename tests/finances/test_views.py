"""The time sheet pages: the weekly grid pre-filled from what the person recorded, saved, signed
and countersigned through the page; who sees whose sheet (404 otherwise); query counts pinned."""

import datetime
from decimal import Decimal

import pytest
import time_machine
from django.urls import reverse

from finances.enums import StatutFiche
from finances.models import FicheTemps
from parcours.enums import ObjetPassage, StatutCommission
from tests.finances.factories import (
    AffectationFactory,
    FicheTempsFactory,
    LigneTempsFactory,
    PersonnelFactory,
)
from tests.operations.factories import ActionCollectiveFactory, InscriptionFactory, OperationFactory
from tests.parcours.factories import CommissionFactory, EntretienFactory, ParcoursFactory

D = datetime.date
LUNDI = D(2026, 3, 9)


def url(personnel, monday=LUNDI):
    return reverse("finances:fiche_semaine", args=[personnel.pk, monday.isoformat()])


@pytest.fixture
def affectation(world):
    world.referent_a.first_name, world.referent_a.last_name = "Claire", "Martin"
    world.referent_a.save()
    personnel = PersonnelFactory(plie=world.plie_a, user=world.referent_a, responsable=world.animateur_a)
    return AffectationFactory(personnel=personnel, operation__code="ACC-1")


@pytest.fixture
def semaine_chargee(world, affectation):
    """Référent A's week of 9 March 2026: two entretiens (45 + 30 min) with a participant
    enrolled on ACC-1, one (60 min) with a participant on no operation, a collective session of
    2 h 30 they ran on ACC-1, a commission held on Friday with one of their parcours."""
    operation = affectation.operation
    parcours = ParcoursFactory(
        plie=world.plie_a, participant__plie=world.plie_a, en_parcours=True, referent=world.referent_a
    )
    InscriptionFactory(operation=operation, participant=parcours.participant, parcours=parcours)
    EntretienFactory(parcours=parcours, date=D(2026, 3, 10), duree_minutes=45)
    EntretienFactory(parcours=parcours, date=D(2026, 3, 10), duree_minutes=30)
    seul = ParcoursFactory(
        plie=world.plie_a, participant__plie=world.plie_a, en_parcours=True, referent=world.referent_a
    )
    EntretienFactory(parcours=seul, date=D(2026, 3, 11), duree_minutes=60)
    ActionCollectiveFactory(operation=operation, date=D(2026, 3, 12), animateur="claire martin")
    commission = CommissionFactory(plie=world.plie_a, date=D(2026, 3, 13), status=StatutCommission.TENUE)
    commission.decisions.create(parcours=parcours, objet=ObjetPassage.values[0])
    # not theirs: another référent's entretien, another PLIE's commission
    EntretienFactory(
        parcours__plie=world.plie_a, parcours__participant__plie=world.plie_a, date=D(2026, 3, 10)
    )
    return affectation


def test_the_week_is_prefilled_from_what_they_recorded(client, world, semaine_chargee):
    client.force_login(world.referent_a)
    response = client.get(url(semaine_chargee.personnel))
    assert response.status_code == 200
    grille = response.context["grille"]
    op = semaine_chargee.operation_id
    assert grille.prerempli and grille.fiche is None
    assert grille.valeurs == {
        (D(2026, 3, 10), op): Decimal("1.25"),
        (D(2026, 3, 11), None): Decimal("1.00"),
        (D(2026, 3, 12), op): Decimal("2.50"),
        (D(2026, 3, 13), None): Decimal("2.00"),
    }
    html = response.content.decode()
    assert f'name="h-{op}-2026-03-10" aria-label="ACC-1, mardi 10/03/2026" value="1,25"' in html
    assert "Pré-remplie à partir de vos entretiens" in html


def test_the_grid_queries_are_pinned(client, world, semaine_chargee, django_assert_num_queries):
    client.force_login(world.referent_a)
    client.get(url(semaine_chargee.personnel))
    # session, user, memberships (scope) + personnel, assignments, current sheet, entretiens,
    # their enrolments, collective sessions, commissions, replaced versions, [weeks pending:
    # traced assignments, current sheets]
    with django_assert_num_queries(13):
        client.get(url(semaine_chargee.personnel))
    FicheTempsFactory(personnel=semaine_chargee.personnel, semaine=LUNDI)
    for jour in range(5):
        LigneTempsFactory(
            fiche__personnel=semaine_chargee.personnel,
            fiche=FicheTemps.objects.get(),
            jour=LUNDI + datetime.timedelta(days=jour),
        )
    # a sheet exists: no pre-fill, its lines in one query
    with django_assert_num_queries(10):
        client.get(url(semaine_chargee.personnel))


def post_grid(client, personnel, values, action):
    data = {"action": action, **values}
    return client.post(url(personnel), data)


def test_a_week_filled_signed_and_countersigned(client, world, semaine_chargee):
    personnel, op = semaine_chargee.personnel, semaine_chargee.operation_id
    client.force_login(world.referent_a)
    response = post_grid(
        client, personnel, {f"h-{op}-2026-03-10": "6,5", "h-hors-2026-03-10": "0,5"}, "signer"
    )
    assert response.status_code == 302
    fiche = FicheTemps.objects.get()
    assert (fiche.statut, fiche.signee_par) == (StatutFiche.SIGNEE, world.referent_a)
    page = client.get(url(personnel)).content.decode()
    assert "Signée par la personne" in page and 'name="h-' not in page  # frozen, no input
    assert post_grid(client, personnel, {f"h-{op}-2026-03-10": "1"}, "enregistrer").status_code == 403
    client.force_login(world.animateur_a)
    assert "Valider (responsable)" in client.get(url(personnel)).content.decode()
    assert post_grid(client, personnel, {}, "valider").status_code == 302
    fiche.refresh_from_db()
    assert (fiche.statut, fiche.validee_par) == (StatutFiche.VALIDEE, world.animateur_a)


def test_a_refused_week_says_why_and_saves_nothing(client, world, semaine_chargee):
    personnel, op = semaine_chargee.personnel, semaine_chargee.operation_id
    client.force_login(world.referent_a)
    response = post_grid(
        client,
        personnel,
        {f"h-{op}-2026-03-10": "8", "h-hors-2026-03-10": "3", "h-hors-2026-03-11": "x"},
        "enregistrer",
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert (
        "Mercredi 11/03/2026, ligne « Hors opération » : « x » n&#x27;est pas un nombre d&#x27;heures."
        in html
    )
    response = post_grid(
        client, personnel, {f"h-{op}-2026-03-10": "8", "h-hors-2026-03-10": "3"}, "enregistrer"
    )
    assert (
        "Mardi 10/03/2026 : 11,00 h saisies, au-delà du maximum de 10,00 h par jour."
        in response.content.decode()
    )
    assert not FicheTemps.objects.exists()


@pytest.mark.parametrize(
    "persona, status",
    [
        ("referent_a", 200),  # their own
        ("animateur_a", 200),  # their responsable
        ("gestionnaire_a", 200),
        ("direction_a", 200),
        ("admin_a", 200),
        ("referent_b", 404),  # PLIE B: nothing
        ("financeur", 404),
        ("referent_operateur", 404),
        ("no_role", 404),
    ],
)
def test_who_sees_a_sheet(client, world, affectation, persona, status):
    client.force_login(getattr(world, persona))
    assert client.get(url(affectation.personnel)).status_code == status


def test_a_referent_sees_only_their_own_sheets(client, world, affectation):
    collegue = PersonnelFactory(plie=world.plie_a, user=world.gestionnaire_a)
    client.force_login(world.referent_a)
    assert client.get(url(collegue)).status_code == 404
    assert client.get(reverse("finances:personnel_list")).status_code == 404
    assert client.get(reverse("finances:suivi_fiches")).status_code == 404
    assert client.get(reverse("finances:mes_fiches")).status_code == 302


@time_machine.travel(datetime.datetime(2026, 3, 18, 9, 0), tick=False)
def test_the_weeks_to_fill_or_sign(client, world, affectation, django_assert_num_queries):
    personnel = affectation.personnel
    FicheTempsFactory(personnel=personnel, semaine=D(2026, 3, 2), statut=StatutFiche.VALIDEE)
    FicheTempsFactory(personnel=personnel, semaine=D(2026, 3, 9), statut=StatutFiche.SIGNEE)
    FicheTempsFactory(personnel=personnel, semaine=D(2026, 2, 23), statut=StatutFiche.BROUILLON)
    other = PersonnelFactory(plie=world.plie_b, user=world.referent_b)
    AffectationFactory(personnel=other)
    client.force_login(world.gestionnaire_a)
    client.get(reverse("finances:suivi_fiches"))
    # session, user, memberships + staff, their traced assignments, their sheets
    with django_assert_num_queries(6):
        response = client.get(reverse("finances:suivi_fiches"))
    etats = [(ligne["semaine"], ligne["etat"]) for ligne in response.context["lignes"]]
    assert etats == [
        (D(2026, 1, 26), "non remplie"),
        (D(2026, 2, 2), "non remplie"),
        (D(2026, 2, 9), "non remplie"),
        (D(2026, 2, 16), "non remplie"),
        (D(2026, 2, 23), "à signer"),
        (D(2026, 3, 9), "à valider"),
        (D(2026, 3, 16), "non remplie"),
    ]
    assert {ligne["personnel"].pk for ligne in response.context["lignes"]} == {personnel.pk}


def test_the_staff_page_and_the_assignment_form(client, world, affectation):
    client.force_login(world.gestionnaire_a)
    response = client.get(reverse("finances:personnel_list"))
    assert response.status_code == 200 and "sans justificatif" in response.content.decode()
    operation = OperationFactory(plie=world.plie_a, code="ACC-9")
    from django.core.files.uploadedfile import SimpleUploadedFile

    response = client.post(
        reverse("finances:affectation_create", args=[affectation.personnel_id]),
        {
            "operation": operation.pk,
            "mode": "temps_plein",
            "date_debut": "2026-01-01",
            "date_fin": "2026-12-31",
            "justificatif": SimpleUploadedFile("contrat.pdf", b"%PDF-1.4", content_type="application/pdf"),
        },
    )
    assert response.status_code == 302
    nouvelle = operation.affectations.get()
    download = client.get(reverse("finances:affectation_justificatif", args=[nouvelle.pk]))
    assert download.status_code == 200 and b"".join(download.streaming_content) == b"%PDF-1.4"
    client.force_login(world.referent_a)  # their own assignment, but the proof is for the managers
    assert client.get(reverse("finances:affectation_justificatif", args=[nouvelle.pk])).status_code == 404
    client.force_login(world.direction_a)
    assert (
        client.get(reverse("finances:affectation_create", args=[affectation.personnel_id])).status_code == 403
    )


def test_salaries_page_import_and_scoping(client, world, affectation, django_assert_num_queries):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(world.gestionnaire_a)
    bad = SimpleUploadedFile("s.csv", b"email;mois;brut;charges;heures_travaillees\nx@y.fr;03/2026;1;1;1\n")
    response = client.post(reverse("finances:salaires"), {"action": "importer", "fichier": bad})
    assert response.status_code == 400
    assert (
        "Ligne 2, champ « email » : « x@y.fr » n&#x27;est pas au personnel de ce PLIE."
        in response.content.decode()
    )
    good = SimpleUploadedFile(
        "s.csv",
        b"email;mois;brut;charges;heures_travaillees\nreferent.a@exemple.fr;03/2026;2 300;700;151,67\n",
    )
    assert (
        client.post(reverse("finances:salaires"), {"action": "importer", "fichier": good}).status_code == 302
    )
    client.get(reverse("finances:salaires"))
    # session, user, memberships + staff of the form's select, salaries
    with django_assert_num_queries(5):
        html = client.get(reverse("finances:salaires")).content.decode()
    assert "3\u00a0000,00\u00a0€" in html
    client.force_login(world.direction_a)  # sees, cannot enter
    response = client.get(reverse("finances:salaires"))
    assert response.status_code == 200 and "Importer" not in response.content.decode()
    assert client.post(reverse("finances:salaires"), {"action": "saisir"}).status_code == 403
    for persona in ("referent_a", "referent_b", "financeur"):
        client.force_login(getattr(world, persona))
        assert client.get(reverse("finances:salaires")).status_code == 404
        assert client.get(reverse("finances:salaires") + f"?plie={world.plie_a.pk}").status_code == 404


def test_plan_page(client, world, affectation, django_assert_num_queries):
    operation = affectation.operation
    client.force_login(world.gestionnaire_a)
    response = client.post(
        reverse("finances:plan_financement", args=[operation.pk]),
        {
            "action": "depense",
            "d-categorie": "personnel",
            "d-nature": "prevu",
            "d-libelle": "Référents",
            "d-montant": "1000",
        },
    )
    assert response.status_code == 302
    response = client.post(
        reverse("finances:plan_financement", args=[operation.pk]),
        {"action": "ressource", "r-financeur": "fse", "r-nature": "prevu", "r-montant": "2000"},
    )
    assert response.status_code == 400
    assert (
        "Ressources prévues : 2\u00a0000,00\u00a0€ dépassent les dépenses prévues (1\u00a0150,00\u00a0€)"
        in response.content.decode()
    )
    client.get(reverse("finances:plan_financement", args=[operation.pk]))
    # session, user, memberships + operation, parameters, assignments, salaries, hours, expenses, resources
    with django_assert_num_queries(10):
        html = client.get(reverse("finances:plan_financement", args=[operation.pk])).content.decode()
    assert "1\u00a0000,00\u00a0€" in html and "150,00\u00a0€" in html
    for persona in ("referent_a", "referent_b", "financeur"):
        client.force_login(getattr(world, persona))
        assert client.get(reverse("finances:plan_financement", args=[operation.pk])).status_code == 404


def test_a_line_on_an_operation_no_longer_assigned_must_be_cleared(client, world, affectation):
    """A draft holds hours on an operation the person has since left: the row stays in the grid
    and saving it as is is refused, naming the line; emptied, the week saves."""
    ancienne = OperationFactory(plie=world.plie_a, code="ANCIENNE")
    fiche = FicheTempsFactory(personnel=affectation.personnel, semaine=LUNDI)
    LigneTempsFactory(fiche=fiche, jour=LUNDI, operation=ancienne, heures=Decimal("2"))
    client.force_login(world.referent_a)
    response = client.get(url(affectation.personnel))
    assert [ligne["libelle"] for ligne in response.context["grille"].lignes] == [
        "ACC-1",
        f"n° {ancienne.pk}",
        "Hors opération",
    ]
    response = post_grid(
        client, affectation.personnel, {f"h-{ancienne.pk}-2026-03-09": "2,00"}, "enregistrer"
    )
    assert response.status_code == 400
    assert f"Lundi 09/03/2026, ligne « n° {ancienne.pk} » : la personne n&#x27;est pas affectée" in (
        response.content.decode()
    )
    assert (
        post_grid(client, affectation.personnel, {"h-hors-2026-03-09": "2"}, "enregistrer").status_code == 302
    )
    assert list(fiche.lignes.values_list("operation_id", "heures")) == [(None, Decimal("2.00"))]


def test_a_proof_of_the_plan_is_for_the_finance_roles(client, world, affectation):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from finances import services as finances_services
    from plie.core.scoping import scope_for

    depense = finances_services.depense_add(
        scope=scope_for(world.gestionnaire_a),
        operation=affectation.operation,
        categorie="fonctionnement",
        nature="realise",
        libelle="Salle",
        date=D(2026, 3, 2),
        montant=Decimal("120"),
        piece=SimpleUploadedFile("facture.pdf", b"%PDF-1.4 f", content_type="application/pdf"),
    )
    target = reverse("finances:piece", args=["depense", depense.pk])
    client.force_login(world.direction_a)
    assert (
        target
        in client.get(reverse("finances:plan_financement", args=[affectation.operation_id])).content.decode()
    )
    response = client.get(target)
    assert response.status_code == 200 and b"".join(response.streaming_content) == b"%PDF-1.4 f"
    for persona in ("referent_a", "referent_b", "financeur"):
        client.force_login(getattr(world, persona))
        assert client.get(target).status_code == 404
    assert client.get(reverse("finances:piece", args=["autre", depense.pk])).status_code == 404


@time_machine.travel(datetime.datetime(2026, 3, 18, 9, 0), tick=False)
def test_the_person_sees_their_own_weeks_pending(client, world, affectation):
    personnel = affectation.personnel
    affectation.date_debut = D(2026, 3, 2)
    affectation.save()
    FicheTempsFactory(personnel=personnel, semaine=D(2026, 3, 2), statut=StatutFiche.SIGNEE)
    client.force_login(world.referent_a)
    response = client.get(reverse("finances:mes_fiches"), follow=True)
    assert response.redirect_chain[-1][0] == url(personnel, D(2026, 3, 16))
    assert [(w["semaine"], w["etat"]) for w in response.context["en_attente"]] == [
        (D(2026, 3, 2), "à valider"),
        (D(2026, 3, 9), "non remplie"),
    ]


def test_the_staff_record_is_created_and_changed_by_the_managers(client, world):
    client.force_login(world.gestionnaire_a)
    response = client.post(
        reverse("finances:personnel_create"),
        {
            "user": world.referent_a.pk,
            "fonction": "Référente",
            "heures_jour": "7,5",
            "responsable": world.referent_a.pk,
        },
    )
    assert response.status_code == 200
    assert "Responsable : une personne ne valide pas ses propres fiches." in response.content.decode()
    response = client.post(
        reverse("finances:personnel_create"),
        {
            "user": world.referent_a.pk,
            "fonction": "Référente",
            "heures_jour": "7,5",
            "responsable": world.direction_a.pk,
        },
    )
    assert response.status_code == 302
    from finances.models import Personnel

    personnel = Personnel.objects.get()
    assert (personnel.heures_jour, personnel.responsable) == (Decimal("7.50"), world.direction_a)
    response = client.post(
        reverse("finances:personnel_update", args=[personnel.pk]),
        {"user": world.gestionnaire_a.pk, "heures_jour": "8", "responsable": world.animateur_a.pk},
    )
    assert response.status_code == 302
    personnel.refresh_from_db()
    assert (personnel.user, personnel.heures_jour, personnel.responsable) == (
        world.referent_a,  # the person does not change
        Decimal("8.00"),
        world.animateur_a,
    )
    client.force_login(world.direction_a)
    assert client.get(reverse("finances:personnel_update", args=[personnel.pk])).status_code == 403
    client.force_login(world.referent_b)
    assert client.get(reverse("finances:personnel_update", args=[personnel.pk])).status_code == 404
