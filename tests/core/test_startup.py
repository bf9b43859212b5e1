"""A set-up that explains itself: an unreachable PostgreSQL or Redis stops ``manage.py`` on one
French line naming the variable and the host; production lists every missing variable at once;
one log line per event; the system packages the README lists are the ones CI installs."""

import re
import subprocess
import sys

import pytest
from django.conf import settings

from plie.startup import needs_services
from tests.core.test_deploy import free_port
from tests.core.test_settings_env import ROOT, clean_environ, run_manage


def assert_one_french_line(result, *fragments):
    assert result.returncode != 0
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "Traceback" not in result.stderr
    for fragment in fragments:
        assert fragment in lines[0], lines[0]
    return lines[0]


def test_unreachable_database_is_one_french_line_naming_the_variable_and_the_host():
    port = free_port()  # closed again: nothing listens there
    result = run_manage(
        "check", environ=clean_environ(DATABASE_URL=f"postgres://plie:secret@127.0.0.1:{port}/plie")
    )
    line = assert_one_french_line(result, "Base de données injoignable", "DATABASE_URL", f"127.0.0.1:{port}")
    assert "connexion refusée" in line
    assert "secret" not in line  # never the password


def test_unreachable_redis_is_one_french_line_naming_the_variable_and_the_host(tmp_path):
    port = free_port()
    environ = clean_environ(
        DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}", REDIS_URL=f"redis://127.0.0.1:{port}/0"
    )
    assert_one_french_line(
        run_manage("check", environ=environ), "Redis injoignable", "REDIS_URL", f"127.0.0.1:{port}"
    )


def test_a_missing_postgres_database_says_which_createdb_to_run():
    database = settings.DATABASES["default"]
    if database["ENGINE"] != "django.db.backends.postgresql":
        pytest.skip("PostgreSQL only")
    host, port, user = database["HOST"], database["PORT"] or 5432, database["USER"] or "postgres"
    url = f"postgres://{user}@{host}:{port}/plie_base_qui_n_existe_pas"
    line = assert_one_french_line(
        run_manage("check", environ=clean_environ(DATABASE_URL=url)), "DATABASE_URL"
    )
    assert "la base « plie_base_qui_n_existe_pas » n'existe pas" in line
    assert f"createdb -h {host} -U {user} plie_base_qui_n_existe_pas" in line


def test_production_lists_every_missing_variable_at_once():
    result = run_manage("check", environ=clean_environ(DJANGO_ENV="production"))
    line = assert_one_french_line(result, "Configuration invalide — Variables d'environnement manquantes : ")
    assert line.endswith("SECRET_KEY, ALLOWED_HOSTS, DATABASE_URL, REDIS_URL.")


def test_production_lists_missing_and_invalid_variables_together():
    result = run_manage(
        "check", environ=clean_environ(DJANGO_ENV="production", SECRET_KEY="courte", DEBUG="bof")
    )
    line = assert_one_french_line(
        result, "Variables d'environnement manquantes : ALLOWED_HOSTS, DATABASE_URL, REDIS_URL."
    )
    assert "DEBUG invalide" in line and "SECRET_KEY invalide" in line


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (["manage.py"], False),
        (["manage.py", "--help"], False),
        (["manage.py", "help"], False),
        (["manage.py", "collectstatic", "--noinput"], False),  # at image build, no service
        (["manage.py", "makemigrations", "--check", "--dry-run"], False),
        (["manage.py", "check", "--deploy"], False),
        (["manage.py", "check"], True),
        (["manage.py", "migrate"], True),
        (["manage.py", "runserver"], True),
        (["manage.py", "bilan", "--plie", "x", "--annee", "2026"], True),
    ],
)
def test_which_commands_check_the_services_first(argv, expected):
    assert needs_services(argv) is expected


def test_one_log_line_per_event_and_pdf_libraries_quiet(tmp_path):
    code = (
        "import django, logging; django.setup(); "
        "logging.getLogger('django.request').warning('Page introuvable : /x'); "
        "logging.getLogger('weasyprint').info('bavard'); "
        "logging.getLogger('fontTools.subset').info('bavard')"
    )
    environ = clean_environ(DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}", PYTHONPATH=str(ROOT))
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=environ, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    assert result.stderr.splitlines() == ["Page introuvable : /x"]


def test_celerybeat_schedule_files_are_ignored():
    assert "celerybeat-schedule*" in (ROOT / ".gitignore").read_text().splitlines()


def test_readme_lists_the_system_packages_ci_installs():
    ci = (
        re.search(r"^packages=\(([^)]*)\)", (ROOT / ".ci" / "run").read_text(), re.MULTILINE).group(1).split()
    )
    readme = re.search(r"apt-get install ([^\n`]+)", (ROOT / "README.md").read_text()).group(1).split()
    assert readme == ci


def test_readme_postgresql_recipe_creates_the_database():
    readme = (ROOT / "README.md").read_text()
    recipe = readme.split("Pour travailler avec eux en local")[1].split("```")[1]
    assert recipe.index("createdb") < recipe.index("make migrate")
