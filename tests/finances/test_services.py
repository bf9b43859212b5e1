"""Writing time sheets and assignments: refusals name the day and line, nothing half-saved; the
signature workflow freezes a sheet; a correction is a new version."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from finances import services
from finances.enums import ModeAffectation, StatutFiche
from finances.models import Affectation, FicheTemps, LigneTemps
from finances.temps import Saisie
from plie.core.scoping import scope_for
from tests.finances.factories import AffectationFactory, PersonnelFactory
from tests.operations.factories import OperationFactory

D = datetime.date
LUNDI = D(2026, 3, 2)


@pytest.fixture
def affectation(world):
    personnel = PersonnelFactory(plie=world.plie_a, user=world.referent_a, responsable=world.animateur_a)
    return AffectationFactory(personnel=personnel, operation__code="ACC-1")


def save(world, affectation, *saisies):
    return services.fiche_save(
        scope=scope_for(world.referent_a),
        personnel=affectation.personnel,
        semaine=LUNDI,
        saisies=list(saisies),
    )


def test_a_week_is_saved_then_replaced_as_a_whole(world, affectation):
    op = affectation.operation_id
    fiche = save(world, affectation, Saisie(LUNDI, op, Decimal("5")), Saisie(LUNDI, None, Decimal("2")))
    assert set(fiche.lignes.values_list("operation_id", "heures")) == {
        (op, Decimal("5.00")),
        (None, Decimal("2.00")),
    }
    save(world, affectation, Saisie(D(2026, 3, 3), op, Decimal("6")))
    assert list(LigneTemps.objects.values_list("jour", "heures")) == [(D(2026, 3, 3), Decimal("6.00"))]
    assert FicheTemps.objects.count() == 1


def test_a_bad_day_refuses_the_whole_week(world, affectation):
    op = affectation.operation_id
    save(world, affectation, Saisie(LUNDI, op, Decimal("3")))
    with pytest.raises(ValidationError) as error:
        save(world, affectation, Saisie(LUNDI, op, Decimal("4")), Saisie(D(2026, 3, 3), op, Decimal("11")))
    assert error.value.messages == [
        "Mardi 03/03/2026 : 11,00 h saisies, au-delà du maximum de 10,00 h par jour."
    ]
    assert list(LigneTemps.objects.values_list("heures", flat=True)) == [Decimal("3.00")]  # unchanged


def test_hours_outside_the_operation_or_the_assignment_are_refused(world, affectation):
    affectation.date_fin = D(2026, 3, 3)
    affectation.save()
    autre = OperationFactory(plie=world.plie_a, code="AUTRE", date_debut=D(2026, 3, 4))
    AffectationFactory(personnel=affectation.personnel, operation=autre)
    with pytest.raises(ValidationError) as error:
        save(
            world,
            affectation,
            Saisie(D(2026, 3, 4), affectation.operation_id, Decimal("2")),
            Saisie(D(2026, 3, 3), autre.pk, Decimal("2")),
        )
    assert error.value.messages == [
        "Mardi 03/03/2026, ligne « AUTRE » : ce jour est hors de la période de l'opération "
        "(du 04/03/2026 au 31/12/2026).",
        "Mercredi 04/03/2026, ligne « ACC-1 » : ce jour est hors de l'affectation de la personne "
        "à l'opération.",
    ]
    assert not FicheTemps.objects.exists()


def test_a_colleague_cannot_fill_someone_elses_sheet(world, affectation):
    with pytest.raises(PermissionDenied):
        services.fiche_save(
            scope=scope_for(world.gestionnaire_a), personnel=affectation.personnel, semaine=LUNDI, saisies=[]
        )


def test_signature_workflow_freezes_the_sheet(world, affectation):
    op = affectation.operation_id
    fiche = save(world, affectation, Saisie(LUNDI, op, Decimal("7")))
    with pytest.raises(PermissionDenied):
        services.fiche_validate(scope=scope_for(world.animateur_a), fiche=fiche)  # not signed yet
    with pytest.raises(PermissionDenied):
        services.fiche_sign(scope=scope_for(world.gestionnaire_a), fiche=fiche)  # not theirs
    fiche = services.fiche_sign(scope=scope_for(world.referent_a), fiche=fiche)
    assert (fiche.statut, fiche.signee_par) == (StatutFiche.SIGNEE, world.referent_a) and fiche.signee_le
    with pytest.raises(ValidationError, match="est signée : elle ne peut plus changer"):
        save(world, affectation, Saisie(LUNDI, op, Decimal("1")))
    with pytest.raises(PermissionDenied):
        services.fiche_validate(scope=scope_for(world.referent_a), fiche=fiche)  # not their own
    with pytest.raises(PermissionDenied):
        services.fiche_validate(scope=scope_for(world.gestionnaire_a), fiche=fiche)  # not the manager
    fiche = services.fiche_validate(scope=scope_for(world.animateur_a), fiche=fiche)
    assert (fiche.statut, fiche.validee_par) == (StatutFiche.VALIDEE, world.animateur_a) and fiche.validee_le
    assert list(fiche.lignes.values_list("heures", flat=True)) == [Decimal("7.00")]


def test_a_correction_is_a_new_version(world, affectation):
    op = affectation.operation_id
    fiche = save(world, affectation, Saisie(LUNDI, op, Decimal("7")))
    services.fiche_sign(scope=scope_for(world.referent_a), fiche=fiche)
    nouvelle = services.fiche_correct(scope=scope_for(world.referent_a), fiche=fiche)
    assert (nouvelle.version, nouvelle.statut) == (2, StatutFiche.BROUILLON)
    fiche.refresh_from_db()
    assert fiche.statut == StatutFiche.REMPLACEE and fiche.signee_par == world.referent_a
    save(world, affectation, Saisie(LUNDI, op, Decimal("6")))
    assert list(fiche.lignes.values_list("heures", flat=True)) == [Decimal("7.00")]  # the signed one kept
    assert list(nouvelle.lignes.values_list("heures", flat=True)) == [Decimal("6.00")]


def test_an_empty_sheet_is_not_signed(world, affectation):
    fiche = save(world, affectation)
    with pytest.raises(ValidationError, match="La fiche est vide"):
        services.fiche_sign(scope=scope_for(world.referent_a), fiche=fiche)


def test_an_assignment_keeps_its_proof_through_the_storage(world):
    personnel = PersonnelFactory(plie=world.plie_a, user=world.referent_a)
    operation = OperationFactory(plie=world.plie_a)
    affectation = services.affectation_save(
        scope=scope_for(world.gestionnaire_a),
        personnel=personnel,
        operation=operation,
        mode=ModeAffectation.POURCENTAGE,
        pourcentage=Decimal("40"),
        date_debut=D(2026, 1, 1),
        date_fin=D(2026, 6, 30),
        justificatif=SimpleUploadedFile("fiche de poste.pdf", b"%PDF-1.4 x", content_type="application/pdf"),
    )
    assert affectation.justificatif_nom == "fiche de poste.pdf"
    with affectation.justificatif.open("rb") as fichier:
        assert fichier.read() == b"%PDF-1.4 x"
    assert affectation.created_by == world.gestionnaire_a


@pytest.mark.parametrize(
    "changes, field, message",
    [
        ({"pourcentage": None}, "pourcentage", "Pourcentage mensuel : entre 0 et 100"),
        (
            {"mode": ModeAffectation.TEMPS_PLEIN},
            "pourcentage",
            "seulement pour une affectation à pourcentage fixe",
        ),
        (
            {"date_fin": D(2027, 1, 31)},
            "date_debut",
            "dans la période de l'opération (du 01/01/2026 au 31/12/2026)",
        ),
        ({"date_fin": D(2025, 12, 1)}, "date_fin", "la fin de l'affectation précède son début"),
    ],
)
def test_a_bad_assignment_is_refused(world, changes, field, message):
    personnel = PersonnelFactory(plie=world.plie_a, user=world.referent_a)
    values = {
        "operation": OperationFactory(plie=world.plie_a),
        "mode": ModeAffectation.POURCENTAGE,
        "pourcentage": Decimal("40"),
        "date_debut": D(2026, 1, 1),
        "date_fin": D(2026, 6, 30),
        **changes,
    }
    with pytest.raises(ValidationError) as error:
        services.affectation_save(scope=scope_for(world.gestionnaire_a), personnel=personnel, **values)
    assert message in " ".join(error.value.message_dict[field])
    assert not Affectation.objects.exists()


def test_only_the_managers_assign(world):
    personnel = PersonnelFactory(plie=world.plie_a, user=world.referent_a)
    with pytest.raises(PermissionDenied):
        services.affectation_save(
            scope=scope_for(world.direction_a),
            personnel=personnel,
            operation=OperationFactory(plie=world.plie_a),
            mode=ModeAffectation.TEMPS_PLEIN,
            date_debut=D(2026, 1, 1),
            date_fin=D(2026, 6, 30),
        )
