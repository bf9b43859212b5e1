"""The bench database: named after the dataset's generators and parameters, built once, migrated forward.

``plie_bench_p100000_k10_s42_e40_t4_r90_<hash>``: the hash covers what *generates* the data —
every demo builder (``plie/core/demo.py``, ``<app>/demo.py``, which hold the demo's reference
date), the ``register_demo_step`` lines of every ``apps.py`` (the steps and their order),
``seed_demo``, :mod:`bench.densify`, :data:`DATASET_VERSION` and the parameters — and not the
migrations: a merge that only adds migrations keeps the cached database, which :func:`migrate_forward`
brings to the current schema with ``migrate`` (printing what it applied, recording the applied
state in the metadata). A change in the generators gives a new database instead of measuring a
stale one; a migration that cannot be applied to the cached copy (a renumbered migration, say)
makes it rebuilt.

The database is created on the server of ``DATABASE_URL`` (default
``postgres://postgres@127.0.0.1:5432/``), migrated and seeded with ``seed_demo``; the table
``bench_dataset`` records the parameters, the seed time and the applied migrations, and its
presence is what marks the dataset as complete (a seed interrupted half-way is rebuilt).

The functions before :func:`seed` run before ``django.setup()`` (plain psycopg2).
"""

import hashlib
import json
import os
import re
import time
from pathlib import Path
from urllib.parse import urlsplit

BASE_DIR = Path(__file__).resolve().parent.parent
DEFAULT_SERVER_URL = "postgres://postgres@127.0.0.1:5432/"
# Whole files that generate the dataset.
GENERATOR_PATTERNS = (
    "*/demo.py",
    "*/*/demo.py",
    "plie/core/management/commands/seed_demo.py",
    "bench/densify.py",
)
# Files of which only the demo-step registrations count (the rest — signals, other registries —
# does not change the data).
REGISTRATION_PATTERNS = ("*/apps.py", "*/*/apps.py")
REGISTRATION_LINE = re.compile(r"^\s*registry\.register_demo_step\(.*$", re.MULTILINE)
# Bump when :func:`seed` changes what it builds (not when only the harness changes).
DATASET_VERSION = 1
METADATA_TABLE = "bench_dataset"


def _project_files(base_dir, patterns):
    files = {
        path
        for pattern in patterns
        for path in Path(base_dir).glob(pattern)
        if not any(part.startswith(".") for part in path.relative_to(base_dir).parts)
    }
    return sorted(files, key=lambda path: path.relative_to(base_dir).as_posix())


def state_files(base_dir=BASE_DIR):
    """The generator files (sorted, no hidden folders): demo builders, ``seed_demo``, densify."""
    return _project_files(base_dir, GENERATOR_PATTERNS)


def registration_files(base_dir=BASE_DIR):
    """The ``apps.py`` files registering demo steps (only those lines count)."""
    return [
        path
        for path in _project_files(base_dir, REGISTRATION_PATTERNS)
        if REGISTRATION_LINE.search(path.read_text())
    ]


def state_hash(base_dir=BASE_DIR, length=10, *, parameters=None):
    """A short hash of the generators (content and path of :func:`state_files`, the demo-step
    registrations of :func:`registration_files`), :data:`DATASET_VERSION` and ``parameters``
    (a JSON-able dict: a reference date of the demo, say). Migrations are not in it."""
    digest = hashlib.sha256()
    digest.update(f"dataset-version {DATASET_VERSION}\0".encode())
    for path in state_files(base_dir):
        digest.update(path.relative_to(base_dir).as_posix().encode())
        digest.update(b"\0")
        digest.update(path.read_bytes())
        digest.update(b"\0")
    for path in registration_files(base_dir):
        digest.update(path.relative_to(base_dir).as_posix().encode())
        digest.update(b"\0")
        lines = (line.strip() for line in REGISTRATION_LINE.findall(path.read_text()))
        digest.update("\n".join(lines).encode())
        digest.update(b"\0")
    if parameters:
        digest.update(json.dumps(parameters, sort_keys=True, default=str).encode())
    return digest.hexdigest()[:length]


def database_name(*, participants, plies, seed, state, entretiens=40, etapes=4, per_referent=90):
    """Named after every parameter of the dataset: another density is another database."""
    return f"plie_bench_p{participants}_k{plies}_s{seed}_e{entretiens}_t{etapes}_r{per_referent}_{state}"


def server_url(database_url=None):
    """The PostgreSQL server of ``database_url`` (its database part removed), else the default."""
    if database_url and urlsplit(database_url).scheme in ("postgres", "postgresql"):
        return urlsplit(database_url)._replace(path="/").geturl()
    return DEFAULT_SERVER_URL


def with_database(url, name):
    return urlsplit(url)._replace(path=f"/{name}").geturl()


def _connect(url):
    import psycopg2

    connection = psycopg2.connect(url)
    connection.autocommit = True
    return connection


def database_exists(server, name):
    connection = _connect(with_database(server, "postgres"))
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
            return cursor.fetchone() is not None
    finally:
        connection.close()


def read_metadata(url):
    """The recorded metadata of a complete dataset, or ``None`` (no table: seed never finished)."""
    import psycopg2

    connection = _connect(url)
    try:
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT metadata FROM {METADATA_TABLE} WHERE id = 1")
            row = cursor.fetchone()
    except psycopg2.errors.UndefinedTable:
        return None
    finally:
        connection.close()
    return row[0] if row else None


def drop_database(server, name):
    from psycopg2 import sql

    connection = _connect(with_database(server, "postgres"))
    try:
        with connection.cursor() as cursor:
            cursor.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
    finally:
        connection.close()


def create_database(server, name):
    from psycopg2 import sql

    connection = _connect(with_database(server, "postgres"))
    try:
        with connection.cursor() as cursor:
            cursor.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    finally:
        connection.close()


def prepare(server, name, *, rebuild=False, log=print):
    """Make sure the database ``name`` exists; returns its metadata, ``None`` if it must be seeded."""
    url = with_database(server, name)
    if database_exists(server, name):
        metadata = None if rebuild else read_metadata(url)
        if metadata is not None:
            return metadata
        log(f"Base {name} {'reconstruite (--rebuild)' if rebuild else 'incomplète : reconstruite'}.")
        drop_database(server, name)
    create_database(server, name)
    return None


def seed(*, participants, plies, seed, state, stdout, entretiens=40, etapes=4, per_referent=90):
    """Migrate and seed the (new, empty) database Django points at; record and return the metadata.

    Runs after ``django.setup()``."""
    from django.core.management import call_command
    from django.utils import timezone

    started = time.perf_counter()
    call_command("migrate", verbosity=0, interactive=False)
    migrate_seconds = time.perf_counter() - started
    started = time.perf_counter()
    from plie.core.demo import PINNED_DATE

    # the same world whatever the day it is built (the demo's reference day pinned), and no
    # nightly jobs: the benchmarks measure them, on the data they set up
    call_command(
        "seed_demo",
        participants=participants,
        plie=plies,
        seed=seed,
        date=PINNED_DATE.isoformat(),
        sans_nocturne=True,
        stdout=stdout,
    )
    seed_seconds = time.perf_counter() - started
    started = time.perf_counter()
    from bench.densify import densify

    reached = densify(entretiens=entretiens, etapes=etapes, per_referent=per_referent)
    densify_seconds = time.perf_counter() - started
    started = time.perf_counter()
    vacuum_analyze()  # fresh statistics and visibility map, as a database in service would have
    analyze_seconds = time.perf_counter() - started
    metadata = {
        "dataset_version": DATASET_VERSION,
        "migrations": applied_migrations(),
        "participants": participants,
        "plie": plies,
        "seed": seed,
        "state": state,
        "seeded_at": timezone.now().isoformat(timespec="seconds"),
        "migrate_seconds": round(migrate_seconds, 1),
        "seed_seconds": round(seed_seconds, 1),
        "densify_seconds": round(densify_seconds, 1),
        "densities": {"entretiens": entretiens, "etapes": etapes, "parcours_par_referent": per_referent},
        **reached,
        "analyze_seconds": round(analyze_seconds, 1),
        "nproc": os.cpu_count(),
    }
    write_metadata(metadata)
    return metadata


def write_metadata(metadata):
    """Record ``metadata`` in the database Django points at (creating the table the first time)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            f"CREATE TABLE IF NOT EXISTS {METADATA_TABLE} (id integer PRIMARY KEY, metadata jsonb NOT NULL)"
        )
        cursor.execute(
            f"INSERT INTO {METADATA_TABLE} VALUES (1, %s) "
            "ON CONFLICT (id) DO UPDATE SET metadata = EXCLUDED.metadata",
            [json.dumps(metadata)],
        )


def applied_migrations():
    """``["app.name", …]``: the migrations recorded as applied in the database Django points at."""
    from django.db import connection
    from django.db.migrations.recorder import MigrationRecorder

    return sorted(f"{app}.{name}" for app, name in MigrationRecorder(connection).applied_migrations())


def pending_migrations():
    """``["app.name", …]``: the migrations ``migrate`` would apply, in order. Raises
    ``InconsistentMigrationHistory`` when an applied migration depends on one that is not (a
    renumbered migration, say)."""
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connection)
    executor.loader.check_consistent_history(connection)
    plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    return [f"{migration.app_label}.{migration.name}" for migration, _backwards in plan]


def vacuum_analyze(table=""):
    """``VACUUM ANALYZE`` the whole database, or ``table`` (outside a transaction)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(f"VACUUM ANALYZE {connection.ops.quote_name(table)}" if table else "VACUUM ANALYZE")


def migrate_forward(metadata, *, log=print):
    """Bring a cached dataset to the project's migrations (after ``django.setup()``).

    Nothing pending: ``metadata`` unchanged. Otherwise ``migrate`` runs, the applied migrations
    are printed and recorded (``migrations`` and, appended, ``migrated``: when and what), the
    database vacuumed and its statistics refreshed (``VACUUM ANALYZE``: a backfill rewrites every
    row of a table; autovacuum, off on the bench server, would clear the dead rows and set the
    visibility map the index-only scans rely on), and the new metadata returned. ``None`` when the cached
    copy cannot be migrated (inconsistent history, a migration failing on it): the caller rebuilds."""
    from django.core.management import call_command
    from django.db import DatabaseError
    from django.db.migrations.exceptions import InconsistentMigrationHistory
    from django.utils import timezone

    try:
        pending = pending_migrations()
    except InconsistentMigrationHistory as error:
        log(f"Historique des migrations incohérent avec le projet ({error}) : base reconstruite.")
        return None
    if not pending:
        return metadata
    log(f"Base en cache migrée ({len(pending)} migration(s)) : {', '.join(pending)}.")
    started = time.perf_counter()
    try:
        call_command("migrate", verbosity=0, interactive=False)
    except DatabaseError as error:
        log(f"Migration impossible sur la base en cache ({str(error).strip()}) : base reconstruite.")
        return None
    vacuum_analyze()
    metadata = {
        **metadata,
        "migrations": applied_migrations(),
        "migrated": [
            *metadata.get("migrated", []),
            {
                "at": timezone.now().isoformat(timespec="seconds"),
                "applied": pending,
                "seconds": round(time.perf_counter() - started, 1),
            },
        ],
    }
    write_metadata(metadata)
    return metadata
