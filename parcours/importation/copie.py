"""Bulk inserts through PostgreSQL's ``COPY`` for the 100,000-row imports.

``bulk_create`` spends most of its time preparing each value of each field in Python (and
``simple_history``'s bulk history builds one more instance per row). Here the ids are taken from
the table's sequence in one query, the rows are written as ``COPY`` text from the instances'
attributes, and the history rows (``+``, the importing user, the change reason) from the same
values. On another database (SQLite in the tests) :func:`copy_insert` returns ``False`` and the
caller uses ``bulk_create``."""

import datetime
import io
import json
from decimal import Decimal

from django.db import connection

_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})
NULL = "\\N"


def _text(value):
    """One value in ``COPY``'s text format (any type)."""
    if value is None:
        return NULL
    if value is True:
        return "t"
    if value is False:
        return "f"
    if isinstance(value, int | Decimal):
        return str(value)
    if isinstance(value, datetime.date):  # datetime included
        return value.isoformat()
    if isinstance(value, dict | list):
        value = json.dumps(value)
    return str(value).translate(_ESCAPES)


def _converter(field):
    """A fast ``value -> COPY text`` for ``field``'s type (the values come from our own code)."""
    internal = field.get_internal_type()
    if internal in ("CharField", "TextField", "SlugField", "EmailField", "FileField"):
        return lambda v: NULL if v is None else v.translate(_ESCAPES)
    if internal == "BooleanField":
        return lambda v: NULL if v is None else ("t" if v else "f")
    if internal == "DateTimeField":
        return _datetime_converter()
    if internal == "DateField":
        return lambda v: NULL if v is None else v.isoformat()
    if internal.endswith("IntegerField") or internal in ("AutoField", "BigAutoField", "ForeignKey"):
        return lambda v: NULL if v is None else str(v)
    return _text


def available():
    """PostgreSQL through psycopg2 (whose cursors have ``copy_expert``)."""
    if connection.vendor != "postgresql":
        return False
    from django.db.backends.postgresql.psycopg_any import is_psycopg3

    return not is_psycopg3


def _datetime_converter():
    last = [None, NULL]  # the rows of one import share their timestamps

    def convert(value):
        if value is None:
            return NULL
        if value is not last[0]:
            last[0], last[1] = value, value.isoformat()
        return last[1]

    return convert


class Row:
    """A row to insert, lighter than a model instance: its attributes are the field attnames."""

    @property
    def pk(self):
        return self.__dict__["id"]

    @pk.setter
    def pk(self, value):
        self.__dict__["id"] = value


_DEFAULTS = {}
_AVAILABLE = {}


def _available_cached():
    vendor = connection.vendor
    if vendor not in _AVAILABLE:
        _AVAILABLE[vendor] = available()
    return _AVAILABLE[vendor]


def make(model, **values):
    """An unsaved ``model`` row: a :class:`Row` on PostgreSQL (for :func:`copy_insert`), a model
    instance elsewhere. Foreign keys may be given by name (an instance) or by attname (an id)."""
    if not _available_cached():
        return model(**values)
    if model not in _DEFAULTS:
        fields = model._meta.concrete_fields
        _DEFAULTS[model] = (
            {f.attname: (None if f.primary_key else f.get_default()) for f in fields},
            {f.name: f.attname for f in fields if f.is_relation},
        )
    defaults, relations = _DEFAULTS[model]
    row = Row()
    data = row.__dict__
    data.update(defaults)
    for name, value in values.items():
        if name in relations and name != relations[name]:
            data[relations[name]] = value.pk if value is not None else None
        else:
            data[name] = value
    return row


def _copy(cursor, table, columns, lines):
    buffer = io.StringIO()
    buffer.writelines(lines)
    buffer.seek(0)
    quoted = ", ".join(connection.ops.quote_name(c) for c in columns)
    cursor.cursor.copy_expert(f"COPY {connection.ops.quote_name(table)} ({quoted}) FROM STDIN", buffer)


def copy_insert(model, objs, *, user_id=None, reason="", now):
    """Insert ``objs`` (unsaved instances of ``model``) with ``COPY``, giving them their ids,
    with their history rows when ``model`` keeps one. ``False`` when not on PostgreSQL."""
    if not available():
        return False
    if not objs:
        return True
    meta = model._meta
    fields = list(meta.concrete_fields)
    auto = [f.attname for f in fields if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False)]
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
            [meta.db_table, meta.pk.column, len(objs)],
        )
        for obj, (pk,) in zip(objs, cursor.fetchall(), strict=True):
            obj.pk = pk
            for name in auto:
                obj.__dict__[name] = now
            if not isinstance(obj, Row):
                obj._state.adding = False
        columns = [(f.attname, _converter(f)) for f in fields]
        _copy(
            cursor,
            meta.db_table,
            [f.column for f in fields],
            ("\t".join([conv(obj.__dict__[a]) for a, conv in columns]) + "\n" for obj in objs),
        )
        if hasattr(model, "history"):
            history = model.history.model._meta
            tracked = [
                f
                for f in history.concrete_fields
                if f.attname != "history_id" and not f.attname.startswith("history_")
            ]
            extra = "\t".join([_text(now), _text(reason), "+", _text(user_id)])
            columns = [(f.attname, _converter(f)) for f in tracked]
            _copy(
                cursor,
                history.db_table,
                [f.column for f in tracked]
                + ["history_date", "history_change_reason", "history_type", "history_user_id"],
                (
                    "\t".join([conv(obj.__dict__[a]) for a, conv in columns]) + "\t" + extra + "\n"
                    for obj in objs
                ),
            )
    return True
