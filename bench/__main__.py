"""``python -m bench [--participants 100000] [--plie 10] [--seed 42] [--runs 7] [--only NAME] [--rebuild]``

Builds (once) the bench database for the parameters, runs every registered benchmark and
prints the table; writes ``bench/results.json``. Never touches the development database.
"""

import argparse
import json
import logging
import os
import platform
import sys
from pathlib import Path

from bench import dataset

RESULTS_PATH = Path(__file__).resolve().parent / "results.json"
README_PATH = Path(__file__).resolve().parent.parent / "README.md"


def parse_args(argv=None):
    parser = argparse.ArgumentParser(
        prog="python -m bench", description="Temps des pages et travaux qui grandissent avec les données."
    )
    parser.add_argument("--participants", type=int, default=100_000, help="participants du jeu (100000)")
    parser.add_argument("--plie", type=int, default=10, help="nombre de PLIE (10)")
    parser.add_argument("--seed", type=int, default=42, help="graine de seed_demo (42)")
    parser.add_argument("--runs", type=int, default=7, help="exécutions mesurées par benchmark (7)")
    parser.add_argument("--only", help="un benchmark, un préfixe (« home ») ou un motif (« *.direction_oi »)")
    parser.add_argument("--entretiens", type=int, default=40, help="entretiens par parcours (40)")
    parser.add_argument("--etapes", type=int, default=4, help="étapes par parcours (4)")
    parser.add_argument(
        "--parcours-par-referent", type=int, default=90, help="parcours actifs par référent (90)"
    )
    parser.add_argument("--rebuild", action="store_true", help="reconstruire la base du jeu de données")
    parser.add_argument(
        "--base",
        help="mesurer sur cette base (copie d'un jeu construit : CREATE DATABASE … TEMPLATE …)"
        " au lieu de celle que nomment les paramètres ; migrée en avant, jamais reconstruite",
    )
    parser.add_argument(
        "--load", action="store_true", help="étape de charge : req/s et p50/p95/p99 à 1, 5 et 20 utilisateurs"
    )
    parser.add_argument(
        "--load-seconds", type=float, default=10, help="durée de chaque palier de charge (10 s)"
    )
    parser.add_argument("--readme", action="store_true", help="réécrire le tableau du README")
    args = parser.parse_args(argv)
    if args.participants < 0 or args.plie < 1 or args.runs < 1:
        parser.error("--participants ≥ 0, --plie ≥ 1 et --runs ≥ 1 attendus.")
    if args.entretiens < 1 or args.etapes < 1 or args.parcours_par_referent < 1 or args.load_seconds <= 0:
        parser.error("--entretiens, --etapes, --parcours-par-referent ≥ 1 et --load-seconds > 0 attendus.")
    return args


def configure_django(database_url):
    """Point Django at the bench database, Celery eager, DEBUG off — before ``django.setup()``."""
    os.environ["DATABASE_URL"] = database_url
    os.environ["CELERY_TASK_ALWAYS_EAGER"] = "true"
    os.environ["DEBUG"] = "false"
    os.environ["DJANGO_ENV"] = "development"
    # The bench times the views, not the login: its personas (force_login) skip the second factor,
    # and neither the idle timeout nor the password confirmation of exports cuts a long run.
    os.environ["PLIE_OTP_REQUIRED"] = "false"
    os.environ["SESSION_IDLE_MINUTES"] = "1440"
    os.environ["RECENT_AUTH_MINUTES"] = "1440"
    # Building 300,000 participants' history takes statements of minutes: no timeout in the bench.
    os.environ["DB_STATEMENT_TIMEOUT_MS"] = "0"
    os.environ["DB_LOCK_TIMEOUT_MS"] = "0"
    os.environ["DJANGO_SETTINGS_MODULE"] = "plie.settings"
    import django

    django.setup()
    from plie.celery import app

    app.conf.task_always_eager = True
    # Eager groups still build a broker connection and kombu warns about its (absent) host.
    logging.getLogger("kombu.connection").setLevel(logging.ERROR)


def machine():
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        postgres = cursor.fetchone()[0]
    return {
        "nproc": os.cpu_count(),
        "python": platform.python_version(),
        "postgres": postgres,
        "platform": platform.platform(),
    }


def main(argv=None):
    args = parse_args(argv)
    state = dataset.state_hash()
    densities = {
        "entretiens": args.entretiens,
        "etapes": args.etapes,
        "per_referent": args.parcours_par_referent,
    }
    name = dataset.database_name(
        participants=args.participants, plies=args.plie, seed=args.seed, state=state, **densities
    )
    server = dataset.server_url(os.environ.get("DATABASE_URL"))
    if args.base:
        # A copy of a built dataset (a branch's own, so its migrations never touch the shared one).
        name = args.base
        metadata = (
            dataset.read_metadata(dataset.with_database(server, name))
            if dataset.database_exists(server, name)
            else None
        )
        if metadata is None:
            print(
                f"La base {name} n'existe pas ou ne contient pas de jeu de données complet.", file=sys.stderr
            )
            return 2
    else:
        metadata = dataset.prepare(server, name, rebuild=args.rebuild)
    configure_django(dataset.with_database(server, name))
    if metadata is not None and args.base:
        metadata = dataset.migrate_forward(metadata)
        if metadata is None:
            print(f"Les migrations ne s'appliquent pas à la copie {name} : refaites-la.", file=sys.stderr)
            return 2
    elif metadata is not None:
        # Only the generators name the database: a merge that added migrations keeps it, migrated here.
        metadata = dataset.migrate_forward(metadata)
        if metadata is None:
            from django.db import connections

            connections.close_all()
            dataset.drop_database(server, name)
            dataset.create_database(server, name)

    if metadata is None:
        print(f"Construction de {name} : {args.participants} participants, {args.plie} PLIE…")
        metadata = dataset.seed(
            participants=args.participants,
            plies=args.plie,
            seed=args.seed,
            state=state,
            stdout=sys.stdout,
            **densities,
        )
        print(f"seed_demo : {metadata['seed_seconds']} s (migrate {metadata['migrate_seconds']} s).")
    else:
        seeded = f"seed_demo : {metadata['seed_seconds']} s le {metadata['seeded_at']}"
        print(f"Jeu de données en cache : {name} ({seeded}).")

    from django.utils import timezone

    from bench.registry import discover, select
    from bench.runner import BenchContext, format_table, run_all

    benchmarks = select(discover(), args.only)
    if not benchmarks:
        print(f"Aucun benchmark ne correspond à « {args.only} ».", file=sys.stderr)
        return 2
    ctx = BenchContext.from_database(dataset=metadata)
    print(f"{len(benchmarks)} benchmark(s), {args.runs} exécutions chacun…")
    results = run_all(benchmarks, ctx, runs=args.runs, on_result=lambda result: print(f"  {result.name}"))
    print()
    print(format_table(results))

    load = None
    if args.load:
        from bench.load import format_load, gunicorn, key_pages, run_load, session_cookies

        pages = key_pages(ctx)
        cookies = session_cookies(ctx, {persona for _, persona, _ in pages})
        print(f"\nCharge : {len(pages)} pages, paliers de {args.load_seconds:g} s à 1, 5 et 20 utilisateurs…")
        with gunicorn() as base_url:
            load = run_load(base_url, pages, cookies, seconds=args.load_seconds)
        print(format_load(load))

    report = {
        "date": timezone.now().isoformat(timespec="seconds"),
        "database": name,
        "dataset": metadata,
        "machine": machine(),
        "runs": args.runs,
        "results": [result.as_dict() for result in results],
        "load": load,
    }
    RESULTS_PATH.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n")
    print(f"\nRésultats écrits dans {RESULTS_PATH}.")
    if args.readme:
        from bench.runner import format_markdown, replace_readme_table

        table = format_markdown(results)
        if load is not None:
            from bench.load import format_load_markdown

            table += f"\n\nCharge (gunicorn, 2 workers, sur 127.0.0.1, paliers de {args.load_seconds:g} s ;"
            table += f" `bench/load.py`) :\n\n{format_load_markdown(load)}"
        replace_readme_table(README_PATH, table, name)
        print(f"Tableau du README mis à jour ({README_PATH}).")
    return 0


if __name__ == "__main__":
    sys.exit(main())
