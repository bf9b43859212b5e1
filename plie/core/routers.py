"""Reporting reads on a read replica, when there is one (issue 17).

With ``DATABASE_REPLICA_URL`` set, ``plie/settings.py`` declares a ``replica`` alias (a PostgreSQL
streaming replica) and :class:`ReplicaRouter`. The reads made inside :func:`replica_reads` — the
bilan, the dashboards, the reads of the nightly consolidation: aggregates that may be a few seconds
behind — go to the replica; every other read, and every write, stays on ``default``.

A read inside a transaction of ``default`` stays there too (it must see what the transaction
wrote), and without a replica nothing changes."""

import functools
from contextlib import contextmanager
from contextvars import ContextVar

from django.db import DEFAULT_DB_ALIAS, connections

REPLICA = "replica"
_reporting = ContextVar("plie_replica_reads", default=False)


def replica_configured():
    return REPLICA in connections.settings


@contextmanager
def replica_reads():
    """Within this block, the reads of models go to the replica when there is one."""
    token = _reporting.set(True)
    try:
        yield
    finally:
        _reporting.reset(token)


def reads_from_replica(function):
    """Decorator: the whole call runs inside :func:`replica_reads`."""

    @functools.wraps(function)
    def wrapper(*args, **kwargs):
        with replica_reads():
            return function(*args, **kwargs)

    return wrapper


def read_alias():
    """The alias the reads go to now: ``replica`` inside :func:`replica_reads` when there is one
    and no transaction of ``default`` is open, else ``default``."""
    if _reporting.get() and replica_configured() and not connections[DEFAULT_DB_ALIAS].in_atomic_block:
        return REPLICA
    return DEFAULT_DB_ALIAS


class ReplicaRouter:
    """Reads inside :func:`replica_reads` to the replica; writes, migrations to ``default``."""

    def db_for_read(self, model, **hints):
        return read_alias()

    def db_for_write(self, model, **hints):
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1, obj2, **hints):
        return True  # the same data on both aliases

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return db != REPLICA
