"""The data migration that merges a participant's duplicate enrolments in one operation (issue 13,
item 7): migrated back to before it, duplicates are created, then the migration merges them."""

import datetime

import pytest

from tests.factories import ParticipantFactory, UserFactory
from tests.migrer import migrer
from tests.operations.factories import OperationFactory

D = datetime.date
AVANT = [("operations", "0001_initial")]
APRES = [("operations", "0002_inscription_une_par_operation")]


@pytest.mark.django_db(transaction=True)
def test_duplicates_are_merged_into_the_earliest_entry(capsys):
    operation = OperationFactory(date_debut=D(2026, 1, 1), date_fin=D(2026, 12, 31))
    suivante = OperationFactory(
        plie=operation.plie, code="SUITE", date_debut=D(2027, 1, 1), date_fin=D(2027, 12, 31)
    )
    marie, paul = ParticipantFactory(plie=operation.plie), ParticipantFactory(plie=operation.plie)
    confirmee_par = UserFactory()
    apps = migrer(AVANT)
    Inscription = apps.get_model("operations", "Inscription")
    # Marie: entered in February (questionnaire partly answered), left in April, came back in June
    # (questionnaire complete, confirmed), left in September with exit data
    premiere = Inscription.objects.create(
        operation_id=operation.pk,
        participant_id=marie.pk,
        date_entree=D(2026, 2, 2),
        date_sortie=D(2026, 4, 30),
        statut_emploi="non",
        niveau_formation="",
        sortie_statut_emploi="non",
        sortie_renseignee_le=D(2026, 5, 2),
    )
    seconde = Inscription.objects.create(
        operation_id=operation.pk,
        participant_id=marie.pk,
        date_entree=D(2026, 6, 1),
        date_sortie=D(2026, 9, 30),
        statut_emploi="1c",
        niveau_formation="2c",
        date_questionnaire=D(2026, 6, 1),
        questionnaire_confirme_le=D(2026, 6, 3),
        questionnaire_confirme_par_id=confirmee_par.pk,
        sortie_anticipee=False,
        sortie_statut_emploi="1b",
        sortie_en_formation=False,
        sortie_recherche_emploi=False,
        sortie_qualification=True,
        sortie_renseignee_le=D(2026, 10, 5),
    )
    # the second one was carried into next year's operation: the carry-over follows the merge
    report = Inscription.objects.create(
        operation_id=suivante.pk, participant_id=marie.pk, date_entree=D(2027, 1, 1), report_de_id=seconde.pk
    )
    # Paul: left and came back, still in
    Inscription.objects.create(
        operation_id=operation.pk,
        participant_id=paul.pk,
        date_entree=D(2026, 3, 1),
        date_sortie=D(2026, 3, 31),
    )
    Inscription.objects.create(operation_id=operation.pk, participant_id=paul.pk, date_entree=D(2026, 5, 1))

    apps = migrer(APRES)

    assert "2 doublon(s) fusionné(s)" in capsys.readouterr().out
    Inscription = apps.get_model("operations", "Inscription")
    (marie_1,) = Inscription.objects.filter(operation_id=operation.pk, participant_id=marie.pk)
    assert marie_1.pk == premiere.pk  # the earliest entry is kept
    assert marie_1.date_entree == D(2026, 2, 2)
    # the latest exit and its data
    assert (marie_1.date_sortie, marie_1.sortie_statut_emploi, marie_1.sortie_qualification) == (
        D(2026, 9, 30),
        "1b",
        True,
    )
    assert marie_1.sortie_renseignee_le == D(2026, 10, 5)
    # the first questionnaire's answers, the empty ones taken from the next entry
    assert (marie_1.statut_emploi, marie_1.niveau_formation) == ("non", "2c")
    assert marie_1.questionnaire_confirme_le == D(2026, 6, 3)
    assert marie_1.questionnaire_confirme_par_id == confirmee_par.pk
    assert Inscription.objects.get(pk=report.pk).report_de_id == premiere.pk
    (paul_1,) = Inscription.objects.filter(operation_id=operation.pk, participant_id=paul.pk)
    assert paul_1.date_entree == D(2026, 3, 1) and paul_1.date_sortie is None  # still in
