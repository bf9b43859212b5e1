import datetime

import pytest
from django.db import IntegrityError, transaction

from operations.models import Inscription
from participants.models import SituationEntree
from tests.operations.factories import InscriptionFactory, PresenceFactory

pytestmark = pytest.mark.django_db


def test_inscription_shares_the_entry_questionnaire_fields_with_the_situation_at_entry():
    assert Inscription.answer_fields() == SituationEntree.answer_fields()
    assert "statut_emploi" in Inscription.answer_fields()
    assert "menage_monoparental" in Inscription.answer_fields()
    assert "date_entree" not in Inscription.answer_fields()


def test_database_refuses_a_second_open_enrolment_in_the_same_operation():
    first = InscriptionFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        InscriptionFactory(operation=first.operation, participant=first.participant)


def test_database_refuses_an_exit_before_the_entry():
    with pytest.raises(IntegrityError), transaction.atomic():
        InscriptionFactory(date_sortie=datetime.date(2026, 1, 1))


def test_presence_str_names_participant_and_session():
    presence = PresenceFactory()
    assert "Atelier CV" in str(presence)
