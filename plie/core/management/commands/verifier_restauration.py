"""``manage.py verifier_restauration``: does a restored backup give back what was saved?

The backup procedure (docs/securite.md, « Sauvegarde et restauration »):

1. at backup time, ``manage.py verifier_restauration --enregistrer comptes.json`` writes the row
   count of every table and the number of stored files the rows point to, next to the
   ``pg_dump -Fc`` file and the copy of the media storage;
2. to check a backup, restore it into a second database on the same PostgreSQL server
   (``createdb plie_restauration && pg_restore -d plie_restauration plie.dump``) and the media
   next to it, then ``manage.py verifier_restauration --base plie_restauration --comptes
   comptes.json``: every table's count is compared (table by table), and every file the restored
   rows point to must exist in the storage. Without ``--comptes``, the restored database is
   compared with the live one (right after a dump, nothing having changed).

Exit status 0 when everything matches, an error naming each difference otherwise. The command
reads the database's own catalogue (every table, whatever the app) and the models' file fields:
it imports no app."""

import json
from pathlib import Path

from django.apps import apps
from django.core.files.storage import default_storage
from django.core.management.base import BaseCommand, CommandError
from django.db import connections
from django.utils import timezone

TABLES = "SELECT tablename FROM pg_catalog.pg_tables WHERE schemaname = current_schema() ORDER BY tablename"


def quote(name):
    return connections["default"].ops.quote_name(name)


class Base:
    """A plain DB-API connection to the database ``nom_base`` on the application's server, with
    the application's account (outside Django's connection handling: nothing else uses it);
    ``None``: the application's database itself, through Django."""

    def __init__(self, nom_base=None):
        self.nom_base = nom_base
        self.raw = None
        if nom_base is not None:
            default = connections["default"]
            params = default.get_connection_params()
            params["dbname"] = nom_base
            self.raw = default.Database.connect(**params)

    def cursor(self):
        return self.raw.cursor() if self.raw is not None else connections["default"].cursor()

    def execute(self, sql):
        with self.cursor() as cursor:
            cursor.execute(sql)
            rows = cursor.fetchall() if cursor.description else []
        if self.raw is not None:
            self.raw.commit()
        return rows

    def close(self):
        if self.raw is not None:
            self.raw.close()


def compter_tables(base):
    """``{table: rows}`` for every table of the database (one query per table)."""
    tables = [row[0] for row in base.execute(TABLES)]
    return {table: base.execute(f"SELECT count(*) FROM {quote(table)}")[0][0] for table in tables}


def fichiers_references(base):
    """The storage names the rows point to (every ``FileField`` of every model)."""
    existing = {row[0] for row in base.execute(TABLES)}
    noms = set()
    for model in apps.get_models():
        table = model._meta.db_table
        if table not in existing:
            continue
        for field in model._meta.concrete_fields:
            if field.get_internal_type() == "FileField":
                column = quote(field.column)
                rows = base.execute(f"SELECT {column} FROM {quote(table)} WHERE {column} <> ''")
                noms.update(row[0] for row in rows)
    return noms


def differences(attendu, obtenu):
    """The tables whose counts differ, as French lines (missing and extra tables included)."""
    lignes = []
    for table in sorted(set(attendu) | set(obtenu)):
        if table not in obtenu:
            lignes.append(f"{table} : table absente de la base restaurée ({attendu[table]} lignes attendues)")
        elif table not in attendu:
            lignes.append(f"{table} : table en trop dans la base restaurée ({obtenu[table]} lignes)")
        elif attendu[table] != obtenu[table]:
            lignes.append(f"{table} : {attendu[table]} lignes attendues, {obtenu[table]} restaurées")
    return lignes


class Command(BaseCommand):
    help = (
        "Enregistre le nombre de lignes de chaque table (--enregistrer), ou vérifie qu'une base "
        "restaurée (--base) redonne les mêmes comptes et que ses fichiers existent."
    )

    def add_arguments(self, parser):
        parser.add_argument("--enregistrer", metavar="FICHIER", help="écrire les comptes de la base actuelle")
        parser.add_argument("--base", metavar="NOM", help="base restaurée à vérifier (même serveur)")
        parser.add_argument("--comptes", metavar="FICHIER", help="comptes enregistrés à la sauvegarde")

    def handle(self, *args, enregistrer=None, base=None, comptes=None, **options):
        if enregistrer:
            base_actuelle = Base()
            donnees = {
                "date": timezone.now().isoformat(),
                "tables": compter_tables(base_actuelle),
                "fichiers": len(fichiers_references(base_actuelle)),
            }
            Path(enregistrer).write_text(json.dumps(donnees, indent=2, sort_keys=True), encoding="utf-8")
            self.stdout.write(f"{len(donnees['tables'])} tables comptées, écrites dans {enregistrer}.")
            return
        if not base:
            raise CommandError(
                "Indiquez --enregistrer FICHIER, ou --base NOM pour vérifier une restauration."
            )
        if comptes:
            try:
                attendu = json.loads(Path(comptes).read_text(encoding="utf-8"))["tables"]
            except (OSError, ValueError, KeyError) as exc:
                raise CommandError(f"Fichier de comptes illisible : {comptes} ({exc}).") from exc
        else:
            attendu = compter_tables(Base())
        try:
            restauree = Base(base)
        except Exception as exc:  # the driver's own error: a missing base, a refused account
            raise CommandError(f"Base restaurée inaccessible : {base} ({exc}).") from exc
        try:
            obtenu = compter_tables(restauree)
            fichiers = fichiers_references(restauree)
        finally:
            restauree.close()
        problemes = differences(attendu, obtenu)
        manquants = sorted(nom for nom in fichiers if not default_storage.exists(nom))
        problemes += [f"fichier absent du stockage : {nom}" for nom in manquants[:20]]
        if len(manquants) > 20:
            problemes.append(f"… et {len(manquants) - 20} autres fichiers absents")
        if problemes:
            raise CommandError("Restauration incomplète :\n" + "\n".join(problemes))
        self.stdout.write(
            self.style.SUCCESS(
                f"Restauration vérifiée : {len(obtenu)} tables, {sum(obtenu.values())} lignes, "
                f"{len(fichiers)} fichiers présents."
            )
        )
