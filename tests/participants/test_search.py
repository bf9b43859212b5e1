import datetime

import pytest

from participants.models import Participant
from participants.search import parse_date, search_participants
from plie.core.scoping import scope_for
from tests.factories import ParticipantFactory


@pytest.fixture
def people(world):
    return {
        "helene": ParticipantFactory(
            plie=world.plie_a, nom="Lefèvre", prenom="Hélène", date_naissance=datetime.date(1979, 4, 2),
            telephone="06 11 22 33 44", identifiant_france_travail="1234567A",
        ),
        "jp": ParticipantFactory(plie=world.plie_a, nom="Martin-Durand", prenom="Jean-Pierre"),
        "fatou": ParticipantFactory(plie=world.plie_a, nom="Diop", prenom="Fatoumata", nom_naissance="Sarr"),
        "other_plie": ParticipantFactory(plie=world.plie_b, nom="Lefevre", prenom="Helene"),
    }  # fmt: skip


def found(user, query):
    return list(search_participants(Participant.objects.visible_to(scope_for(user)), query))


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("lefevre", ["helene"]),  # no accent typed
        ("LEFÈVRE hélène", ["helene"]),
        ("hélène", ["helene"]),
        ("lef", ["helene"]),  # partial
        ("durand", ["jp"]),  # part of a double-barrelled name
        ("jean pierre", ["jp"]),
        ("pierre martin", ["jp"]),  # any order
        ("sarr", ["fatou"]),  # maiden name
        ("Lefebvre", ["helene"]),  # misspelt
        ("Fatoumatta Diop", ["fatou"]),  # misspelt
        ("02/04/1979", ["helene"]),
        ("1979-04-02", ["helene"]),
        ("06 11 22 33 44", ["helene"]),
        ("+33611223344", ["helene"]),
        ("1122", []),  # too short to be a phone
        ("1234567A", ["helene"]),  # France Travail identifier
        ("zzzz", []),
    ],
)
def test_one_search_box(world, people, query, expected):
    assert found(world.referent_a, query) == [people[key] for key in expected]


def test_search_never_leaves_the_scope(world, people):
    assert found(world.referent_b, "lefevre") == [people["other_plie"]]
    assert found(world.financeur, "lefevre") == []


def test_empty_query_returns_everything_in_scope(world, people):
    assert len(found(world.referent_a, "  ")) == 3


@pytest.mark.parametrize(
    ("text", "date"),
    [
        ("02/04/1979", datetime.date(1979, 4, 2)),
        ("2/4/1979", datetime.date(1979, 4, 2)),
        ("31/02/1979", None),
        ("abc", None),
    ],
)
def test_parse_date(text, date):
    assert parse_date(text) == date
