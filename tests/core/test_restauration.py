"""The backup/restore check (``manage.py verifier_restauration``, docs/securite.md): a real
``pg_dump`` of the test database restored with ``pg_restore`` into a second database on the same
PostgreSQL server gives back the same count in every table, and its files exist; a lost row or a
lost file is named."""

import json
import os
import shutil
import subprocess

import pytest
from django.conf import settings
from django.core.files.storage import default_storage
from django.core.management import CommandError, call_command
from django.db import connection

from plie.core.management.commands.verifier_restauration import Base, differences
from tests.factories import DocumentFactory, ParticipantFactory

pytestmark = pytest.mark.skipif(
    not (shutil.which("pg_dump") and shutil.which("pg_restore"))
    or settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql",
    reason="nécessite PostgreSQL, pg_dump et pg_restore",
)


def test_differences_names_each_table():
    assert differences({"a": 1, "b": 2, "c": 3}, {"a": 1, "b": 5, "d": 0}) == [
        "b : 2 lignes attendues, 5 restaurées",
        "c : table absente de la base restaurée (3 lignes attendues)",
        "d : table en trop dans la base restaurée (0 lignes)",
    ]


def _pg(*args):
    settings_dict = connection.settings_dict
    env = {**os.environ, "PGPASSWORD": settings_dict.get("PASSWORD") or ""}
    base = ["-h", settings_dict["HOST"] or "127.0.0.1", "-p", str(settings_dict["PORT"] or 5432)]
    base += ["-U", settings_dict["USER"] or "postgres"]
    subprocess.run([args[0], *base, *args[1:]], check=True, env=env, capture_output=True)


@pytest.mark.django_db(transaction=True)
def test_a_restore_gives_back_the_same_counts(tmp_path, capsys):
    participant = ParticipantFactory(nom="Restauré")
    document = DocumentFactory(participant=participant)
    comptes = tmp_path / "comptes.json"
    call_command("verifier_restauration", enregistrer=str(comptes))
    enregistre = json.loads(comptes.read_text())
    assert enregistre["tables"]["participants_participant"] == 1 and enregistre["fichiers"] == 1

    source = connection.settings_dict["NAME"]
    cible = f"{source}_restauration"
    dump = tmp_path / "plie.dump"
    _pg("pg_dump", "-Fc", "-f", str(dump), source)
    _pg("dropdb", "--if-exists", cible)
    _pg("createdb", cible)
    try:
        _pg("pg_restore", "--no-owner", "-d", cible, str(dump))
        call_command("verifier_restauration", base=cible, comptes=str(comptes))
        assert "Restauration vérifiée" in capsys.readouterr().out
        call_command("verifier_restauration", base=cible)  # against the live database

        # a lost row, then a lost file: each is named
        restauree = Base(cible)
        restauree.execute("DELETE FROM participants_document")
        restauree.close()
        with pytest.raises(CommandError, match="participants_document : 1 lignes attendues, 0 restaurées"):
            call_command("verifier_restauration", base=cible, comptes=str(comptes))
        _pg("dropdb", cible)
        _pg("createdb", cible)
        _pg("pg_restore", "--no-owner", "-d", cible, str(dump))
        default_storage.delete(document.fichier.name)
        with pytest.raises(CommandError, match="fichier absent du stockage"):
            call_command("verifier_restauration", base=cible, comptes=str(comptes))
    finally:
        _pg("dropdb", "--if-exists", cible)


def test_it_needs_an_action():
    with pytest.raises(CommandError, match="--enregistrer"):
        call_command("verifier_restauration")
