"""The indexes with known fixes (issue 17), checked on the plan PostgreSQL would choose when a
sequential scan and a sort are ruled out: usable by the very SQL the app sends (no timing)."""

import pytest
from django.db import connection, transaction

from participants.models import Participant
from participants.search import search_participants
from tests.conftest import require_postgres_and_redis
from tests.factories import ParticipantFactory


def plan(queryset):
    """The EXPLAIN of ``queryset`` with sequential scans and sorts discouraged: an index the query
    can use is then used (whatever the table size)."""
    sql, params = queryset.query.sql_with_params()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_sort = off")
        cursor.execute(f"EXPLAIN {sql}", params)
        return "\n".join(row[0] for row in cursor.fetchall())


@pytest.fixture
def participants(world):
    require_postgres_and_redis()
    ParticipantFactory.create_batch(5, plie=world.plie_a)
    ParticipantFactory.create_batch(5, plie=world.plie_b)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE participants_participant")
    return world


def test_an_oi_list_first_page_reads_the_name_index(participants):
    page = Participant.objects.filter(plie_id__in=[participants.plie_a.pk, participants.plie_b.pk])[:50]
    assert "participant_nom_prenom_id_idx" in plan(page)


@pytest.mark.parametrize(
    ("query", "indexes"),
    [
        # a number: phone digits (trigram), France Travail, CAF and external identifiers
        (
            "12345678",
            {"participant_phone_trgm_idx", "participant_ift_upper_idx", "participant_caf_upper_idx"},
        ),
        ("12345678", {"participant_ext_upper_idx"}),
        # an identifier with letters: the name search, or either identifier
        (
            "1234567A",
            {"participant_search_trgm_idx", "participant_ift_upper_idx", "participant_ext_upper_idx"},
        ),
    ],
)
def test_identifier_and_phone_search_use_their_indexes(participants, query, indexes):
    """Without ordering, every arm of the OR must have its index, or the plan falls back to a
    sequential scan of the whole table."""
    found = plan(search_participants(Participant.objects.all(), query).order_by())
    assert "Seq Scan" not in found
    for index in indexes:
        assert index in found, found


def test_identifier_search_still_finds_whatever_the_case(participants):
    participant = ParticipantFactory(plie=participants.plie_a, identifiant_france_travail="1234567a")
    assert list(search_participants(Participant.objects.all(), "1234567A")) == [participant]
