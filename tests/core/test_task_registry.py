"""A real worker only knows the tasks of the modules Celery autodiscovers (``<app>.tasks``): a
``@shared_task`` defined anywhere else must be imported from there, or the worker rejects it as
unregistered while eager tests still pass."""

import json
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
APPS = ["plie", "participants", "parcours", "entreprises", "operations", "finances", "reporting", "rgpd"]


def _declared_tasks():
    names = set()
    for app in APPS:
        for path in (ROOT / app).rglob("*.py"):
            text = path.read_text(encoding="utf-8")
            module = ".".join(path.relative_to(ROOT).with_suffix("").parts)
            for function in re.findall(r"@shared_task(?:\([^)]*\))?\s*\ndef (\w+)", text):
                names.add(f"{module}.{function}")
    return names


def test_every_shared_task_is_registered_in_a_fresh_worker_process():
    declared = _declared_tasks()
    assert "parcours.tasks_import.run_import_parcours" in declared
    script = (
        "import json, django, os;"
        "os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'plie.settings');"
        "django.setup();"
        "from plie.celery import app;"
        "app.loader.import_default_modules();"
        "print(json.dumps(sorted(app.tasks)))"
    )
    output = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout
    registered = set(json.loads(output.strip().splitlines()[-1]))
    assert declared <= registered, sorted(declared - registered)
