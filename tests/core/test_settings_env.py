"""Configuration from the environment: the readers of ``plie/env.py`` and the start-up they guard.

A malformed or missing variable must stop the application at start-up with one French line that
names the variable (README « Configuration »), never half-work.
"""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from plie.env import EnvError, env_bool, env_int, env_list, env_str, env_url

ROOT = Path(__file__).resolve().parents[2]


def settings_variables():
    """Every variable the settings (and gunicorn's config) read: a test run must not inherit them."""
    names = set()
    for path in (ROOT / "plie" / "settings.py", ROOT / "deploy" / "gunicorn.conf.py"):
        if path.exists():
            names.update(re.findall(r"\benv_\w+[(,]\s*[\"']([A-Z][A-Z0-9_]*)[\"']", path.read_text()))
    return names | {"DJANGO_ENV", "SECRET_KEY", "DATABASE_URL", "REDIS_URL", "DJANGO_MIGRATE", "PORT"}


def clean_environ(**overrides):
    """os.environ without any configuration variable (nor Python warning flags), plus ``overrides``.

    ``DJANGO_*`` goes too: e.g. the browser tests set DJANGO_ALLOW_ASYNC_UNSAFE in this process,
    which ``check --deploy`` rightly reports.
    """
    drop = settings_variables()
    environ = {
        key: value for key, value in os.environ.items() if key not in drop and not key.startswith("DJANGO_")
    }
    environ.pop("PYTHONWARNINGS", None)
    environ["DJANGO_SETTINGS_MODULE"] = "plie.settings"
    environ["PYTHONIOENCODING"] = "utf-8"
    environ.update(overrides)
    return environ


def run_manage(*args, environ, timeout=60):
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=environ,
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=timeout,
    )


# --- the readers ---------------------------------------------------------------------------------


def test_clean_environ_drops_what_the_settings_read(monkeypatch):
    monkeypatch.setenv("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/x")
    monkeypatch.setenv("SECURE_HSTS_SECONDS", "1")
    environ = clean_environ(DEBUG="false")
    assert "DATABASE_URL" not in environ
    assert "SECURE_HSTS_SECONDS" not in environ
    assert {"DEBUG", "ALLOWED_HOSTS", "REDIS_URL", "EMAIL_PORT"} <= settings_variables()
    assert environ["DEBUG"] == "false"
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    assert "DJANGO_ALLOW_ASYNC_UNSAFE" not in clean_environ()


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (None, "défaut"),
        ("true", True),
        ("TRUE", True),
        (" 1 ", True),
        ("yes", True),
        ("on", True),
        ("oui", True),
        ("false", False),
        ("0", False),
        ("no", False),
        ("off", False),
        ("non", False),
        ("", False),
    ],
)
def test_env_bool_reads_the_usual_spellings(monkeypatch, raw, expected):
    if raw is None:
        monkeypatch.delenv("PLIE_TEST_FLAG", raising=False)
    else:
        monkeypatch.setenv("PLIE_TEST_FLAG", raw)
    assert env_bool("PLIE_TEST_FLAG", default="défaut") == expected


@pytest.mark.parametrize(("raw", "expected"), [(None, 7), ("", 7), ("42", 42), (" 8 ", 8), ("-3", -3)])
def test_env_int_reads_integers(monkeypatch, raw, expected):
    if raw is None:
        monkeypatch.delenv("PLIE_TEST_INT", raising=False)
    else:
        monkeypatch.setenv("PLIE_TEST_INT", raw)
    assert env_int("PLIE_TEST_INT", 7) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (None, ["defaut"]),
        ("", ["defaut"]),
        ("a.fr", ["a.fr"]),
        (" a.fr , b.fr ,, ", ["a.fr", "b.fr"]),
        ("https://a.fr,https://b.fr", ["https://a.fr", "https://b.fr"]),
    ],
)
def test_env_list_splits_on_commas(monkeypatch, raw, expected):
    if raw is None:
        monkeypatch.delenv("PLIE_TEST_LIST", raising=False)
    else:
        monkeypatch.setenv("PLIE_TEST_LIST", raw)
    assert env_list("PLIE_TEST_LIST", ["defaut"]) == expected


@pytest.mark.parametrize(
    ("raw", "schemes"),
    [
        ("redis://127.0.0.1:6379/0", ("redis", "rediss")),
        ("rediss://:secret@cache.example.org:6380/1", ("redis", "rediss")),
        ("postgres://u:p@db:5432/plie", ("postgres", "postgresql", "sqlite")),
        (" postgresql://db/plie ", ("postgres", "postgresql", "sqlite")),
        ("sqlite:////tmp/x.sqlite3", ("postgres", "postgresql", "sqlite")),
    ],
)
def test_env_url_accepts_the_allowed_schemes(monkeypatch, raw, schemes):
    monkeypatch.setenv("PLIE_TEST_URL", raw)
    assert env_url("PLIE_TEST_URL", schemes) == raw.strip()


@pytest.mark.parametrize("raw", [None, "", "  "])
def test_env_url_absent_is_none_unless_required(monkeypatch, raw):
    if raw is None:
        monkeypatch.delenv("PLIE_TEST_URL", raising=False)
    else:
        monkeypatch.setenv("PLIE_TEST_URL", raw)
    assert env_url("PLIE_TEST_URL", ("redis",)) is None


def test_env_str_strips_and_defaults(monkeypatch):
    monkeypatch.setenv("PLIE_TEST_STR", "  valeur  ")
    assert env_str("PLIE_TEST_STR") == "valeur"
    monkeypatch.setenv("PLIE_TEST_STR", "   ")
    assert env_str("PLIE_TEST_STR", "défaut") == "défaut"
    monkeypatch.delenv("PLIE_TEST_STR")
    assert env_str("PLIE_TEST_STR", "défaut") == "défaut"


@pytest.mark.parametrize(
    ("reader", "raw", "fragment"),
    [
        (lambda name: env_bool(name), "peut-etre", "« peut-etre » n'est pas un booléen"),
        (lambda name: env_bool(name), "2", "n'est pas un booléen"),
        (lambda name: env_int(name, 0), "douze", "« douze » n'est pas un nombre entier"),
        (lambda name: env_int(name, 0), "1.5", "n'est pas un nombre entier"),
        (
            lambda name: env_url(name, ("redis", "rediss")),
            "nothing",
            "le schéma doit être redis://, rediss://",
        ),
        (lambda name: env_url(name, ("redis",)), "http://cache:6379", "le schéma doit être redis://"),
        (
            lambda name: env_url(name, ("postgres", "postgresql", "sqlite")),
            "mysql://x",
            "le schéma doit être postgres://, postgresql://, sqlite://",
        ),
        (lambda name: env_url(name, ("postgres",)), "postgres:///plie", "aucun hôte"),
        (lambda name: env_str(name, required=True), None, "manquante"),
        (lambda name: env_str(name, required=True), "  ", "manquante"),
        (lambda name: env_url(name, ("redis",), required=True), None, "manquante"),
    ],
)
def test_malformed_or_missing_values_raise_a_french_message_naming_the_variable(
    monkeypatch, reader, raw, fragment
):
    if raw is None:
        monkeypatch.delenv("PLIE_TEST_VAR", raising=False)
    else:
        monkeypatch.setenv("PLIE_TEST_VAR", raw)
    with pytest.raises(EnvError) as excinfo:
        reader("PLIE_TEST_VAR")
    message = str(excinfo.value)
    assert message.startswith("Variable d'environnement PLIE_TEST_VAR ")
    assert fragment in message
    assert "\n" not in message


# --- start-up stops, with one line naming the variable ---------------------------------------------

STARTUP_CASES = {
    "database-mysql": ({"DATABASE_URL": "mysql://x"}, "DATABASE_URL"),
    "redis-without-scheme": ({"REDIS_URL": "nothing"}, "REDIS_URL"),
    "debug-not-a-boolean": ({"DEBUG": "peut-etre"}, "DEBUG"),
    "production-without-secret-key": (
        {
            "DJANGO_ENV": "production",
            "ALLOWED_HOSTS": "plie.example.org",
            "DATABASE_URL": "sqlite:////tmp/x.sqlite3",
            "REDIS_URL": "redis://127.0.0.1:6379/0",
        },
        "SECRET_KEY",
    ),
    "production-short-secret-key": (
        {
            "DJANGO_ENV": "production",
            "SECRET_KEY": "trop-courte",
            "ALLOWED_HOSTS": "plie.example.org",
            "DATABASE_URL": "sqlite:////tmp/x.sqlite3",
            "REDIS_URL": "redis://127.0.0.1:6379/0",
        },
        "SECRET_KEY",
    ),
    "unknown-environment": ({"DJANGO_ENV": "staging"}, "DJANGO_ENV"),
}


@pytest.mark.parametrize(("overrides", "variable"), STARTUP_CASES.values(), ids=STARTUP_CASES.keys())
def test_bad_configuration_stops_start_up_with_one_line_naming_the_variable(overrides, variable):
    result = run_manage("check", environ=clean_environ(**overrides))

    assert result.returncode != 0
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert variable in lines[0]
    assert lines[0].startswith("Configuration invalide — Variable d'environnement ")
    assert "Traceback" not in result.stderr
    assert result.stdout == ""


def test_postgres_connections_set_the_search_threshold_and_turn_jit_off(db):
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL only")
    with connection.cursor() as cursor:
        cursor.execute("SHOW jit")
        assert cursor.fetchone()[0] == "off"
        cursor.execute("SHOW pg_trgm.word_similarity_threshold")
        assert cursor.fetchone()[0] == "0.5"


@pytest.mark.django_db(transaction=True)
def test_the_search_threshold_survives_a_parallel_operation_of_the_session():
    """pg_trgm loaded in parallel mode cannot apply the start-up option (« cannot be set during a
    parallel operation ») and the session would search at pg_trgm's 0.6: each new session loads
    it first (participants.apps.load_pg_trgm). Reproduced with a parallel index VACUUM."""
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL only")

    def execute(*statements):
        with connection.cursor() as cursor:
            for statement in statements:
                cursor.execute(statement)
            return cursor.fetchone()[0] if cursor.description else None

    execute(
        "CREATE TABLE test_vacuum_trgm (t text, u text)",
        "CREATE INDEX ON test_vacuum_trgm USING gin (t gin_trgm_ops)",
        "CREATE INDEX ON test_vacuum_trgm USING gin (u gin_trgm_ops)",
        "INSERT INTO test_vacuum_trgm SELECT 'auger roger ' || g, 'x' || g FROM generate_series(1, 500) g",
        "DELETE FROM test_vacuum_trgm WHERE t LIKE '%5'",
    )
    try:
        connection.close()  # a new session
        execute("SET min_parallel_index_scan_size = 0", "VACUUM (PARALLEL 2) test_vacuum_trgm")
        assert execute("SHOW pg_trgm.word_similarity_threshold") == "0.5"
    finally:
        execute("DROP TABLE test_vacuum_trgm")
