"""Data-migration tests: bring the test database to a migration state, read its models there."""

from django.db import connection
from django.db.migrations.executor import MigrationExecutor


def migrer(cible):
    """Migrate the test database to ``cible`` (``[(app, migration)]``, back or forward) and
    return the apps registry of that state (its historical models)."""
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(cible)
    return executor.loader.project_state(cible).apps
