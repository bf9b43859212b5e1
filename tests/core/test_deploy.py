"""The production deployment: Dockerfile, docker-compose.yml and deploy/.

No Docker engine runs where this suite runs, so the compose file is validated by parsing it and
checking every reference against the project; the pieces it runs (the entrypoint, gunicorn with
its configuration, the healthchecks, the settings in production) are run here directly.
"""

import importlib
import os
import re
import runpy
import secrets
import shlex
import socket
import stat
import subprocess
import sys
import time
from types import ModuleType

import pytest
import yaml
from celery import Celery
from django.test import override_settings

from tests.core.test_settings_env import ROOT, clean_environ, run_manage

COMPOSE = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
SERVICES = COMPOSE["services"]
APP_SERVICES = ("web", "worker", "beat")
PRODUCTION_REQUIRED = ("DJANGO_ENV", "SECRET_KEY", "ALLOWED_HOSTS", "DATABASE_URL", "REDIS_URL")
APP_DIR = "/app"  # WORKDIR of the image: where the project's files are


def dockerfile_instructions():
    """[(INSTRUCTION, arguments)] of the Dockerfile, continuation lines joined, comments dropped."""
    logical, current = [], ""
    for line in (ROOT / "Dockerfile").read_text().splitlines():
        if line.lstrip().startswith("#"):
            continue
        if line.rstrip().endswith("\\"):
            current += line.rstrip()[:-1] + " "
            continue
        current += line
        if current.strip():
            logical.append(current.strip())
        current = ""
    return [tuple(item.split(None, 1)) if " " in item else (item, "") for item in logical]


def dockerfile(instruction):
    return [args for name, args in dockerfile_instructions() if name.upper() == instruction]


def image_environment():
    environ = {}
    for args in dockerfile("ENV"):
        environ.update(item.split("=", 1) for item in shlex.split(args))
    return environ


def exec_form(args):
    """The JSON (exec) form of CMD / ENTRYPOINT."""
    return yaml.safe_load(args)


def project_path(container_path):
    """The file of the repository that the image has at ``container_path``."""
    path = container_path.removeprefix(APP_DIR + "/")
    assert not path.startswith("/"), f"{container_path} n'est pas sous {APP_DIR}"
    return ROOT / path


def service_environment(name):
    return {key: str(value) for key, value in (SERVICES[name].get("environment") or {}).items()}


def named_mounts(name):
    """{volume name: target} of a service's named volumes."""
    mounts = {}
    for volume in SERVICES[name].get("volumes", []):
        source, target = volume.split(":")[:2]
        mounts[source] = target
    return mounts


def read_env_file(path):
    values = {}
    for line in path.read_text().splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            key, _, value = line.partition("=")
            values[key.strip()] = value.strip()
    return values


def load_healthcheck():
    return runpy.run_path(str(ROOT / "deploy" / "healthcheck.py"))


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def production_environ(**overrides):
    """A realistic production configuration (the database is a SQLite file, never created)."""
    values = {
        "DJANGO_ENV": "production",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "plie.example.org",
        "CSRF_TRUSTED_ORIGINS": "https://plie.example.org",
        "DATABASE_URL": "sqlite:////tmp/x.sqlite3",
        "REDIS_URL": "redis://127.0.0.1:6379/0",
    }
    return clean_environ(**values | overrides)


# --- docker-compose.yml ------------------------------------------------------------------------------


def test_the_five_services_exist():
    assert set(SERVICES) >= {"web", "worker", "beat", "postgres", "redis"}


@pytest.mark.parametrize("name", ["web", "worker", "beat", "postgres", "redis"])
def test_each_service_has_a_healthcheck(name):
    healthcheck = SERVICES[name]["healthcheck"]
    test = healthcheck["test"]
    assert test[0] in ("CMD", "CMD-SHELL") and len(test) > 1
    assert not healthcheck.get("disable")
    for key in ("interval", "timeout", "retries"):
        assert key in healthcheck, f"{name}: healthcheck sans {key}"
    assert SERVICES[name].get("restart") == "unless-stopped"


def test_backing_services_images_and_checks():
    assert SERVICES["postgres"]["image"].startswith("postgres:16")
    assert "pg_isready" in " ".join(SERVICES["postgres"]["healthcheck"]["test"])
    assert SERVICES["redis"]["image"].startswith("redis:7")
    assert SERVICES["redis"]["healthcheck"]["test"][1:] == ["redis-cli", "ping"]
    assert named_mounts("postgres") == {"postgres-data": "/var/lib/postgresql/data"}
    assert named_mounts("redis") == {"redis-data": "/data"}


def test_application_services_run_the_project_image():
    images = {SERVICES[name]["image"] for name in APP_SERVICES}
    assert len(images) == 1
    for name in APP_SERVICES:
        assert SERVICES[name]["build"]["context"] == "."
        assert SERVICES[name]["env_file"] == ".env"


@pytest.mark.parametrize(
    ("name", "needs"),
    [("web", {"postgres", "redis"}), ("worker", {"postgres", "redis", "web"}), ("beat", {"redis", "web"})],
)
def test_services_wait_for_healthy_dependencies(name, needs):
    depends_on = SERVICES[name]["depends_on"]
    assert set(depends_on) == needs
    for dependency, condition in depends_on.items():
        assert condition == {"condition": "service_healthy"}
        assert "healthcheck" in SERVICES[dependency]


def test_web_migrates_then_runs_gunicorn_on_the_project_wsgi_application():
    web = SERVICES["web"]
    command = web["command"]
    assert command[0] == "gunicorn"
    config = command[command.index("--config") + 1]
    assert project_path(config).is_file()
    module_name, _, attribute = command[-1].partition(":")
    assert (module_name, attribute) == ("plie.wsgi", "application")
    assert callable(getattr(importlib.import_module(module_name), attribute))
    # The migrations run first, in the entrypoint (worker and beat wait for web to be healthy).
    assert service_environment("web")["DJANGO_MIGRATE"] == "1"
    assert "DJANGO_MIGRATE" not in service_environment("worker")
    assert "DJANGO_MIGRATE" not in service_environment("beat")
    # The image's default command is the web one, and the port is the exposed one.
    assert exec_form(dockerfile("CMD")[-1]) == command
    assert web["ports"][0].endswith(":8000")
    assert dockerfile("EXPOSE") == ["8000"]


def test_web_healthcheck_gets_sante_through_the_healthcheck_script():
    test = SERVICES["web"]["healthcheck"]["test"]
    assert test[0] == "CMD" and test[1] == "python"
    assert project_path(test[2]) == ROOT / "deploy" / "healthcheck.py"
    assert test[3] == "web"
    source = (ROOT / "deploy" / "healthcheck.py").read_text()
    assert "urllib.request" in source and "/sante/" in source
    assert SERVICES["web"]["healthcheck"]["start_period"]  # the migrations run before gunicorn


def test_celery_services_run_the_project_celery_app():
    for name, subcommand in (("worker", "worker"), ("beat", "beat")):
        command = SERVICES[name]["command"]
        assert command[:4] == ["celery", "-A", "plie", subcommand], command
    module = importlib.import_module("plie.celery")
    assert isinstance(module.app, Celery)
    assert module.app.conf.beat_schedule
    assert "celery -A plie inspect ping" in SERVICES["worker"]["healthcheck"]["test"][1]
    beat_check = SERVICES["beat"]["healthcheck"]["test"]
    assert project_path(beat_check[2]).is_file() and beat_check[3] == "beat"


def test_one_group_of_workers_per_queue():
    """Each queue of plie/celery.py has its worker service, which listens to it only and is
    otherwise the ``worker`` service (same image, volumes, dependencies, healthcheck)."""
    from plie.celery import EXPORTS, NIGHTLY

    expected = {
        "worker": "${CELERY_QUEUE:-celery}",
        "worker-exports": "${CELERY_QUEUE_EXPORTS:-exports}",
        "worker-nightly": "${CELERY_QUEUE_NIGHTLY:-nightly}",
    }
    for name, queues in expected.items():
        command = SERVICES[name]["command"]
        assert command[:4] == ["celery", "-A", "plie", "worker"], command
        assert [arg.split("=", 1)[1] for arg in command if arg.startswith("--queues=")] == [queues]
        for key in ("image", "volumes", "depends_on", "healthcheck", "environment", "stop_grace_period"):
            assert SERVICES[name][key] == SERVICES["worker"][key], (name, key)
    defaults = {queues.split(":-")[1].rstrip("}") for queues in expected.values()}
    assert defaults == {"celery", EXPORTS, NIGHTLY}


def test_beat_keeps_its_schedule_in_a_volume():
    command = SERVICES["beat"]["command"]
    (schedule,) = [arg.split("=", 1)[1] for arg in command if arg.startswith("--schedule=")]
    mounts = named_mounts("beat")
    assert any(schedule.startswith(target + "/") for target in mounts.values()), (schedule, mounts)
    assert set(mounts) <= set(COMPOSE["volumes"])


def test_media_volume_is_shared_by_web_and_worker_at_media_root():
    media_root = image_environment()["MEDIA_ROOT"]
    for name in ("web", "worker"):
        assert service_environment(name)["MEDIA_ROOT"] == media_root
        assert named_mounts(name).get("media") == media_root
    assert "media" in COMPOSE["volumes"]
    # The non-root user owns the mount point, so a new volume is writable.
    run_lines = " ".join(dockerfile("RUN"))
    assert re.search(rf"chown plie:plie {re.escape(media_root)}\b", run_lines)


def test_compose_interpolations_have_a_default_or_are_documented():
    documented = read_env_file(ROOT / "deploy" / "env.example")
    text = (ROOT / "docker-compose.yml").read_text()
    for name, modifier in re.findall(r"(?<!\$)\$\{([A-Z_][A-Z0-9_]*)(:[-?])?", text):
        assert modifier or name in documented, f"${{{name}}} sans défaut ni documentation"


# --- .env -----------------------------------------------------------------------------------------------


def test_env_example_documents_the_production_variables():
    example = read_env_file(ROOT / "deploy" / "env.example")
    for name in (*PRODUCTION_REQUIRED, "CSRF_TRUSTED_ORIGINS", "POSTGRES_PASSWORD"):
        assert name in example, f"{name} absent de deploy/env.example"
    assert example["DJANGO_ENV"] == "production"
    assert example["SECRET_KEY"] == "", "pas de clé d'exemple réutilisable telle quelle"
    assert example["DATABASE_URL"].startswith("postgres://") and "@postgres:5432/" in example["DATABASE_URL"]
    assert example["REDIS_URL"].startswith("redis://redis:6379/")


def test_env_example_names_only_variables_that_something_reads():
    readers = "\n".join(
        (ROOT / path).read_text()
        for path in ("plie/settings.py", "plie/env.py", "deploy/gunicorn.conf.py", "docker-compose.yml")
    )
    commented = re.findall(r"^# ?([A-Z][A-Z0-9_]+)=", (ROOT / "deploy" / "env.example").read_text(), re.M)
    for name in [*read_env_file(ROOT / "deploy" / "env.example"), *commented]:
        assert re.search(rf"[\"'{{]{name}\b", readers), f"{name} n'est lu nulle part"


def test_secrets_stay_out_of_the_image():
    ignored = (ROOT / ".dockerignore").read_text().split()
    for entry in (".env", ".git", ".venv", "var"):
        assert entry in ignored


# --- Dockerfile -------------------------------------------------------------------------------------------


def test_dockerfile_base_image_and_system_libraries():
    assert dockerfile("FROM") == ["python:3.11-slim-bookworm"]
    run_lines = " ".join(dockerfile("RUN"))
    for package in ("libpango-1.0-0", "libpangoft2-1.0-0", "libharfbuzz-subset0", "fonts-dejavu-core"):
        assert re.search(rf"apt-get install[^&]*\s{re.escape(package)}\b", run_lines), package


def test_dockerfile_installs_the_project_with_the_lock_and_without_dev_extras():
    run_lines = " ".join(dockerfile("RUN"))
    assert re.search(r"pip install (--\S+ )*-c requirements\.lock \.(\s|$)", run_lines)
    assert "[dev]" not in run_lines
    assert (ROOT / "requirements.lock").is_file()


def test_dockerfile_runs_as_a_non_root_user():
    names = [name.upper() for name, _ in dockerfile_instructions()]
    users = dockerfile("USER")
    assert users and users[-1] not in ("root", "0")
    assert names.index("USER") < names.index("ENTRYPOINT")
    assert f"--uid 1000 --gid {users[-1]}" in " ".join(dockerfile("RUN"))


def test_dockerfile_collects_static_files_in_production_with_build_time_values():
    environ = image_environment()
    assert environ["DJANGO_ENV"] == "production"
    assert environ["PYTHONPATH"] == APP_DIR
    assert dockerfile("WORKDIR") == [APP_DIR]
    (collect,) = [line for line in dockerfile("RUN") if "collectstatic" in line]
    build_values = dict(re.findall(r"([A-Z_]+)=(\S+)", collect.split("python manage.py collectstatic")[0]))
    assert set(PRODUCTION_REQUIRED) - {"DJANGO_ENV"} <= set(build_values)
    # Those placeholders must satisfy the production settings, or the build would stop.
    result = subprocess.run(
        [sys.executable, "-c", "import plie.settings as s; assert s.PRODUCTION; print(s.STATIC_ROOT)"],
        cwd=ROOT,
        env=clean_environ(**environ | build_values | {"PYTHONPATH": str(ROOT)}),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == environ["STATIC_ROOT"]


# --- deploy/entrypoint.sh ----------------------------------------------------------------------------------


def test_entrypoint_exists_and_is_executable():
    (entrypoint,) = exec_form(dockerfile("ENTRYPOINT")[-1])
    path = project_path(entrypoint)
    assert path == ROOT / "deploy" / "entrypoint.sh"
    assert path.read_text().startswith("#!/bin/sh\n")
    assert path.stat().st_mode & stat.S_IXUSR and os.access(path, os.X_OK)
    assert subprocess.run(["sh", "-n", str(path)], capture_output=True).returncode == 0


@pytest.fixture
def fake_python(tmp_path):
    """A ``python`` on PATH that records its arguments (the entrypoint calls ``python manage.py``)."""
    log = tmp_path / "python.log"
    script = tmp_path / "bin" / "python"
    script.parent.mkdir()
    script.write_text(f'#!/bin/sh\necho "$*" >> {log}\nexit "${{FAKE_PYTHON_EXIT:-0}}"\n')
    script.chmod(0o755)

    def run(**environ):
        result = subprocess.run(
            [str(ROOT / "deploy" / "entrypoint.sh"), "echo", "commande lancée"],
            env={"PATH": f"{script.parent}:/usr/bin:/bin", **environ},
            capture_output=True,
            text=True,
            timeout=10,
        )
        calls = log.read_text().splitlines() if log.exists() else []
        return result, calls

    return run


def test_entrypoint_migrates_when_asked_then_runs_the_command(fake_python):
    result, calls = fake_python(DJANGO_MIGRATE="1")
    assert result.returncode == 0, result.stderr
    assert calls == ["manage.py migrate --noinput"]
    assert result.stdout == "commande lancée\n"


def test_entrypoint_only_runs_the_command_without_django_migrate(fake_python):
    result, calls = fake_python()
    assert (result.returncode, calls, result.stdout) == (0, [], "commande lancée\n")


def test_entrypoint_does_not_start_when_the_migrations_fail(fake_python):
    result, calls = fake_python(DJANGO_MIGRATE="1", FAKE_PYTHON_EXIT="1")
    assert result.returncode != 0
    assert calls == ["manage.py migrate --noinput"]
    assert result.stdout == ""


# --- deploy/gunicorn.conf.py -------------------------------------------------------------------------------


def test_gunicorn_config_is_valid_python_with_known_settings(monkeypatch):
    from gunicorn.config import Config

    for name in ("PORT", "GUNICORN_WORKERS", "GUNICORN_THREADS", "GUNICORN_TIMEOUT", "FORWARDED_ALLOW_IPS"):
        monkeypatch.delenv(name, raising=False)
    namespace = runpy.run_path(str(ROOT / "deploy" / "gunicorn.conf.py"))
    values = {
        key: value
        for key, value in namespace.items()
        if not key.startswith("_") and not isinstance(value, ModuleType) and not callable(value)
    }
    config = Config()
    unknown = set(values) - set(config.settings)
    assert not unknown, f"réglages gunicorn inconnus : {unknown}"
    for key, value in values.items():
        config.set(key, value)  # runs gunicorn's validator of each setting
    assert config.bind == ["0.0.0.0:8000"]
    assert config.wsgi_app == "plie.wsgi:application"
    assert config.workers >= 1


def test_gunicorn_access_log_carries_no_query_string():
    """A search or a filter may hold a name or a birth date: the access log writes the path
    alone (``%(U)s``), never the request line, the query or the referer."""
    from gunicorn.config import Config

    namespace = runpy.run_path(str(ROOT / "deploy" / "gunicorn.conf.py"))
    config = Config()
    config.set("access_log_format", namespace["access_log_format"])
    fmt = config.access_log_format
    assert "%(U)s" in fmt
    for leaky in ("%(r)s", "%(q)s", "%(f)s", "%({raw_uri}e)s"):
        assert leaky not in fmt
    # the containers run gunicorn with this file (web service and image)
    assert SERVICES["web"]["command"][:3] == ["gunicorn", "--config", "deploy/gunicorn.conf.py"]


def test_gunicorn_config_reads_the_environment(monkeypatch):
    monkeypatch.setenv("PORT", "9000")
    monkeypatch.setenv("GUNICORN_WORKERS", "3")
    namespace = runpy.run_path(str(ROOT / "deploy" / "gunicorn.conf.py"))
    assert (namespace["bind"], namespace["workers"]) == (["0.0.0.0:9000"], 3)
    monkeypatch.setenv("GUNICORN_WORKERS", "beaucoup")
    with pytest.raises(SystemExit, match="GUNICORN_WORKERS"):
        runpy.run_path(str(ROOT / "deploy" / "gunicorn.conf.py"))


# --- deploy/healthcheck.py ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("allowed_hosts", "host"),
    [
        ("plie.example.org", "plie.example.org"),
        (" plie.example.org , autre.example.org", "plie.example.org"),
        (".example.org", "example.org"),
        ("*", "localhost"),
        ("*,plie.example.org", "plie.example.org"),
        ("", "localhost"),
    ],
)
def test_web_healthcheck_request_uses_an_allowed_host_and_https(allowed_hosts, host):
    request = load_healthcheck()["health_request"]({"ALLOWED_HOSTS": allowed_hosts})
    assert request.full_url == "http://127.0.0.1:8000/sante/"
    assert request.get_header("Host") == host
    assert request.get_header("X-forwarded-proto") == "https"


@pytest.mark.django_db
@override_settings(
    ALLOWED_HOSTS=[".example.org"],
    SECURE_SSL_REDIRECT=True,
    SECURE_PROXY_SSL_HEADER=("HTTP_X_FORWARDED_PROTO", "https"),
)
def test_web_healthcheck_request_passes_the_production_security_settings(client):
    request = load_healthcheck()["health_request"]({"ALLOWED_HOSTS": ".example.org"})
    headers = {name.lower(): value for name, value in request.header_items()}
    assert client.get("/sante/").status_code == 400  # testserver is not allowed here
    response = client.get("/sante/", headers=headers)
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_healthchecks_fail_when_nothing_answers():
    main = load_healthcheck()["main"]
    port = free_port()  # closed again: nothing listens there
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("PORT", str(port))
        patch.setenv("REDIS_URL", f"redis://127.0.0.1:{port}/0")
        assert main(["web"]) == 1
        assert main(["beat"]) == 1
    assert main(["inconnu"]) == 2


def test_gunicorn_serves_sante_in_production_and_the_healthcheck_sees_it(tmp_path):
    """The web container's command, configuration and healthcheck, run for real (on SQLite)."""
    port = free_port()
    environ = production_environ(
        PORT=str(port),
        GUNICORN_WORKERS="1",
        DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}",
        STATIC_ROOT=str(tmp_path / "static"),
        MEDIA_ROOT=str(tmp_path / "media"),
        PYTHONWARNINGS="ignore",  # whitenoise warns that STATIC_ROOT was not collected
    )
    (tmp_path / "static").mkdir()
    command = SERVICES["web"]["command"]
    healthcheck = SERVICES["web"]["healthcheck"]["test"][1:]
    with subprocess.Popen(
        [sys.executable, "-m", *command],
        cwd=ROOT,
        env=environ,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    ) as server:
        try:
            deadline = time.monotonic() + 30
            while True:
                check = subprocess.run(
                    [sys.executable, *healthcheck[1:]], cwd=ROOT, env=environ, capture_output=True, text=True
                )
                if check.returncode == 0 or time.monotonic() > deadline or server.poll() is not None:
                    break
                time.sleep(0.2)
        finally:
            server.terminate()
            _, errors = server.communicate(timeout=30)
    assert check.returncode == 0, check.stderr + errors
    assert f"Listening at: http://0.0.0.0:{port}" in errors


# --- the settings in production --------------------------------------------------------------------------


def test_check_deploy_passes_without_warning_in_production():
    result = run_manage("check", "--deploy", "--fail-level", "WARNING", environ=production_environ())
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "WARNING" not in output and "?: (security." not in output
    assert "System check identified no issues" in output
