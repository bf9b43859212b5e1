"""A read replica when there is one, and timeouts on every PostgreSQL connection (issue 17).

The ``replica`` alias is added here as settings would with ``DATABASE_REPLICA_URL``: a second
connection to the same test database (``TEST: MIRROR``), so which alias each query went to is
observable while the data is the same."""

import copy
import os
import subprocess
import sys

import psycopg2
import pytest
from django.conf import settings
from django.db import connections, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from plie.core import routers
from plie.core.routers import REPLICA, ReplicaRouter, read_alias, replica_reads
from reporting.bilan import bilan_annuel
from reporting.services import snapshot_refresh
from tests.conftest import require_postgres_and_redis
from tests.core.test_settings_env import ROOT, clean_environ
from tests.reporting.conftest import D, make_parcours
from tests.services import database_url_of_test_db

# The replica alias exists only on PostgreSQL (DATABASE_URL): elsewhere its tests are skipped,
# and in CI (PLIE_REQUIRE_SERVICES=1) they fail instead (tests.conftest.require_postgres_and_redis).
ON_POSTGRES = settings.DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql"
needs_postgres = pytest.mark.skipif(
    not ON_POSTGRES and os.environ.get("PLIE_REQUIRE_SERVICES") != "1", reason="nécessite PostgreSQL"
)


@pytest.fixture(scope="module", autouse=True)
def replica_alias(django_db_setup, django_db_blocker):
    """``replica``: the test database through a second connection (as ``DATABASE_REPLICA_URL``
    and its ``TEST: MIRROR`` give)."""
    if connections["default"].vendor != "postgresql":
        yield
        return
    replica = copy.deepcopy(connections["default"].settings_dict)
    replica["TEST"] = {**replica.get("TEST", {}), "MIRROR": "default"}
    connections.settings[REPLICA] = replica
    yield
    with django_db_blocker.unblock():
        connections[REPLICA].close()
    del connections[REPLICA]
    del connections.settings[REPLICA]


# --- the router ---------------------------------------------------------------------------------


@needs_postgres
@pytest.mark.django_db(transaction=True, databases=["default", REPLICA])
@pytest.mark.parametrize(
    ("in_reporting", "in_transaction", "with_replica", "expected"),
    [
        (False, False, True, "default"),  # an ordinary read
        (True, False, True, REPLICA),  # a reporting read
        (True, True, True, "default"),  # inside a transaction: must see its own writes
        (True, False, False, "default"),  # no replica configured
    ],
)
def test_where_a_read_goes(monkeypatch, in_reporting, in_transaction, with_replica, expected):
    require_postgres_and_redis()
    if not with_replica:
        monkeypatch.setattr(routers, "replica_configured", lambda: False)
    atomic = transaction.atomic() if in_transaction else _nothing()
    with atomic, replica_reads() if in_reporting else _nothing():
        assert read_alias() == expected
        assert ReplicaRouter().db_for_read(None) == expected
    router = ReplicaRouter()
    assert router.db_for_write(None) == "default"
    assert router.allow_migrate(REPLICA, "core") is False and router.allow_migrate("default", "core")


class _nothing:
    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False


# --- the reporting reads go to the replica ------------------------------------------------------


@needs_postgres
@pytest.mark.django_db(transaction=True, databases=["default", REPLICA])
def test_bilan_dashboard_and_consolidation_read_the_replica(client, world):
    require_postgres_and_redis()
    make_parcours(world.plie_a, D(2015, 6, 1))
    make_parcours(world.plie_a, D(2016, 2, 1))
    with (
        CaptureQueriesContext(connections["default"]) as on_default,
        CaptureQueriesContext(connections[REPLICA]) as on_replica,
    ):
        bilan = bilan_annuel(world.plie_a, 2016)
    assert bilan["flux"]["entrees"] == 1
    assert len(on_replica) > 0 and len(on_default) == 0

    with (
        CaptureQueriesContext(connections["default"]) as on_default,
        CaptureQueriesContext(connections[REPLICA]) as on_replica,
    ):
        snapshot = snapshot_refresh(plie_id=world.plie_a.pk, jour=D(2016, 12, 31))
    assert snapshot.en_parcours == 2
    # 6 aggregates on the replica (reporting.services.snapshot_refresh), the one upsert on the primary
    assert len(on_replica) == 6
    assert [q["sql"].split()[0] for q in on_default if q["sql"] not in ("BEGIN", "COMMIT")] == ["INSERT"]

    client.force_login(world.direction_a)
    with CaptureQueriesContext(connections[REPLICA]) as on_replica:
        assert client.get(reverse("reporting:dashboard")).status_code == 200
    assert len(on_replica) > 0


# --- timeouts -------------------------------------------------------------------------------------


def run_query(sql, **environ):
    """Run ``sql`` through Django's connection in a fresh process configured by ``environ``;
    returns its output (the exception's class and message when it fails)."""
    code = (
        "import django; django.setup()\n"
        "from django.db import connection\n"
        "try:\n"
        f"    connection.cursor().execute({sql!r}); print('ok')\n"
        "except Exception as error:\n"
        "    print(type(error.__cause__ or error).__name__, error)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env=clean_environ(DATABASE_URL=database_url_of_test_db(), **environ),
        capture_output=True,
        text=True,
        timeout=60,
    )
    return result.stdout.strip() + result.stderr.strip()


def test_a_runaway_query_is_cancelled(django_db_setup):
    require_postgres_and_redis()
    output = run_query("SELECT pg_sleep(5)", DB_STATEMENT_TIMEOUT_MS="200")
    assert output.startswith("QueryCanceled") and "statement timeout" in output, output
    assert run_query("SELECT pg_sleep(0.01)", DB_STATEMENT_TIMEOUT_MS="200") == "ok"


def test_a_lock_held_too_long_is_given_up(django_db_setup):
    require_postgres_and_redis()
    holder = psycopg2.connect(database_url_of_test_db())
    try:
        with holder.cursor() as cursor:
            cursor.execute("LOCK TABLE core_taskrun IN ACCESS EXCLUSIVE MODE")
        output = run_query("SELECT count(*) FROM core_taskrun", DB_LOCK_TIMEOUT_MS="200")
    finally:
        holder.rollback()
        holder.close()
    assert output.startswith("LockNotAvailable") and "lock timeout" in output, output


def test_the_timeouts_are_on_by_default(settings):
    require_postgres_and_redis()
    options = settings.DATABASES["default"]["OPTIONS"]["options"]
    assert "-c statement_timeout=60000" in options and "-c lock_timeout=10000" in options


def test_database_replica_url_declares_the_replica_alias():
    code = (
        "import django; django.setup(); from django.conf import settings; d = settings.DATABASES;"
        "print(sorted(d), d['replica']['HOST'], d['replica']['TEST']['MIRROR'], 'statement_timeout' in"
        " d['replica']['OPTIONS']['options'], settings.DATABASE_ROUTERS)"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env=clean_environ(
            DATABASE_URL="postgres://plie@primaire:5432/plie",
            DATABASE_REPLICA_URL="postgres://plie@replique:5432/plie",
        ),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.stdout.strip() == (
        "['default', 'replica'] replique default True ['plie.core.routers.ReplicaRouter']"
    ), result.stderr
