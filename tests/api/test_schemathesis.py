"""Schemathesis against the live test server: every operation of /api/schema/ called with a
valid read-write token and a few generated inputs (bounded: ``max_examples``, no deadline).
No answer may be a 5xx, and every answer must match the schema (status, body, content type).
Part of ``make test`` (no marker to skip it)."""

import pytest
import schemathesis
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)

from plie.core.scoping import scope_for
from plie.core.tokens import token_create
from tests.factories import ParticipantFactory, SituationEntreeFactory
from tests.operations.factories import InscriptionFactory
from tests.parcours.factories import EntretienFactory, EtapeFactory, ParcoursFactory, TypeSortieFactory

MAX_EXAMPLES = 5
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]


@pytest.fixture
def api_context(transactional_db, live_server, world, settings):
    """Some rows of PLIE A (so that lists and details answer with data) and a token of its référent."""
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {"token": "100000/min"}}
    parcours = ParcoursFactory(plie=world.plie_a, participant__plie=world.plie_a, en_parcours=True)
    SituationEntreeFactory(participant=parcours.participant)
    EntretienFactory(parcours=parcours)
    EtapeFactory(parcours=parcours)
    InscriptionFactory(participant=parcours.participant, parcours=parcours, operation__plie=world.plie_a)
    TypeSortieFactory(plie=world.plie_a)
    ParticipantFactory(plie=world.plie_b)
    _, secret = token_create(
        scope=scope_for(world.referent_a), owner=world.referent_a, nom="schemathesis", ecriture=True
    )
    return {"base_url": live_server.url, "headers": {"Authorization": f"Bearer {secret}"}}


def test_api_answers_by_its_schema(api_context):
    """Each operation in turn, ``MAX_EXAMPLES`` generated cases (schemathesis' pytest loader
    ``from_fixture`` does not run under pytest 9, hence the loop over the operations)."""
    schema = schemathesis.openapi.from_url(f"{api_context['base_url']}/api/schema/?format=json")
    failures = []
    operations = 0
    for result in schema.get_all_operations():
        operation = result.ok()
        operations += 1

        @given(case=operation.as_strategy())
        @hypothesis_settings(
            max_examples=MAX_EXAMPLES,
            deadline=None,
            database=None,
            derandomize=True,  # the same cases on every run: CI is reproducible
            suppress_health_check=list(HealthCheck),
        )
        def check(case):
            case.call_and_validate(
                base_url=api_context["base_url"], headers=api_context["headers"], checks=CHECKS
            )

        try:
            check()
        except Exception as error:  # collect every operation's failure, then report them all
            failures.append(f"{operation.method.upper()} {operation.path}: {error}")
    assert operations > 20
    assert failures == [], "\n\n".join(failures)
