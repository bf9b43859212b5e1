"""The bench database: named after its parameters and the migration state, built once.

``plie_bench_p100000_k10_s42_<hash>``: the hash covers every migration file, every demo
builder (``plie/core/demo.py``, ``<app>/demo.py``) and every ``apps.py`` (which registers the
demo steps, in order), so a new migration or a change in the demo data gives a new database
instead of measuring a stale one. The database is created on the
server of ``DATABASE_URL`` (default ``postgres://postgres@127.0.0.1:5432/``), migrated and
seeded with ``seed_demo``; the table ``bench_dataset`` records the parameters and the seed time,
and its presence is what marks the dataset as complete (a seed interrupted half-way is rebuilt).

The functions before :func:`seed` run before ``django.setup()`` (plain psycopg2).
"""

import hashlib
import json
import os
import time
from pathlib import Path
from urllib.parse import urlsplit

BASE_DIR = Path(__file__).resolve().parent.parent
DEFAULT_SERVER_URL = "postgres://postgres@127.0.0.1:5432/"
STATE_PATTERNS = (
    "*/migrations/*.py",
    "*/*/migrations/*.py",
    "*/demo.py",
    "*/*/demo.py",
    "*/apps.py",
    "*/*/apps.py",
)
METADATA_TABLE = "bench_dataset"


def state_files(base_dir=BASE_DIR):
    """The migration files, demo builders and app configs of the project (sorted, no hidden folders)."""
    files = {
        path
        for pattern in STATE_PATTERNS
        for path in Path(base_dir).glob(pattern)
        if not any(part.startswith(".") for part in path.relative_to(base_dir).parts)
    }
    return sorted(files, key=lambda path: path.relative_to(base_dir).as_posix())


def state_hash(base_dir=BASE_DIR, length=10):
    """A short hash of the content (and path) of :func:`state_files`."""
    digest = hashlib.sha256()
    for path in state_files(base_dir):
        digest.update(path.relative_to(base_dir).as_posix().encode())
        digest.update(b"\0")
        digest.update(path.read_bytes())
        digest.update(b"\0")
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
    from django.db import connection
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
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")  # fresh statistics, as a database in service would have
    analyze_seconds = time.perf_counter() - started
    metadata = {
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
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE TABLE {METADATA_TABLE} (id integer PRIMARY KEY, metadata jsonb NOT NULL)")
        cursor.execute(f"INSERT INTO {METADATA_TABLE} VALUES (1, %s)", [json.dumps(metadata)])
    return metadata
