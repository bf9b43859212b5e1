"""Bulk inserts through PostgreSQL's ``COPY`` for the 100,000-row imports.

``bulk_create`` spends most of its time preparing each value of each field in Python (and
``simple_history``'s bulk history builds one more instance per row). Here the ids are taken from
the table's sequence in one query, the rows are written as ``COPY`` text from the instances'
attributes (each line built by one function compiled per list of fields), and the history rows
(``+``, the importing user, the change reason) are copied from the rows just written by one
``INSERT … SELECT`` on the server. An import hands these statements to an :class:`Ecrivain`,
which runs them in a second thread while the next lot is prepared. On another database (SQLite
in the tests) :func:`copy_insert` returns ``False`` and the caller uses ``bulk_create``."""

import datetime
import io
import json
import queue
import threading
import time
from decimal import Decimal

from django.db import connection, connections

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


def _kind(field):
    internal = field.get_internal_type()
    if internal in ("CharField", "TextField", "SlugField", "EmailField", "FileField"):
        return "text"
    if internal == "BooleanField":
        return "bool"
    if internal == "DateTimeField":
        return "datetime"
    if internal == "DateField":
        return "date"
    if internal.endswith("IntegerField") or internal in ("AutoField", "BigAutoField", "ForeignKey"):
        return "int"
    return "other"


# One expression per kind of field for a value ``v`` that is not ``None``: the line of a row is built by one
# generated function (:func:`_line_builder`) instead of one converter call per value.
_EXPRESSIONS = {
    "text": "v.translate(E)",
    "bool": "('t' if v else 'f')",
    "datetime": "D(v)",
    "date": "v.isoformat()",
    "int": "str(v)",
    "other": "T(v)",
}
_BUILDERS = {}


def _line_builder(fields):
    """``row.__dict__ -> "v1\\tv2…\\n"`` for ``fields`` (the text of one ``COPY`` line), compiled
    once per list of fields from the expressions above: the attnames are the models' own
    identifiers (checked), no value is ever part of the generated source."""
    key = tuple((f.attname, _kind(f)) for f in fields)
    if key not in _BUILDERS:
        parts = []
        for attname, kind in key:
            if not attname.isidentifier():
                raise ValueError(attname)
            parts.append(f"(N if (v := d[{attname!r}]) is None else ({_EXPRESSIONS[kind]}))")
        source = "def line(d):\n    return '\\t'.join((" + ", ".join(parts) + ",)) + '\\n'\n"
        namespace = {"N": NULL, "E": _ESCAPES, "T": _text, "D": _datetime_text}
        exec(compile(source, f"<copie {len(key)} colonnes>", "exec"), namespace)
        _BUILDERS[key] = namespace["line"]
    return _BUILDERS[key]


def available():
    """PostgreSQL through psycopg2 (whose cursors have ``copy_expert``)."""
    if connection.vendor != "postgresql":
        return False
    from django.db.backends.postgresql.psycopg_any import is_psycopg3

    return not is_psycopg3


_LAST_DATETIME = (None, NULL)


def _datetime_text(value):
    """``value.isoformat()``, remembered for the last value (the rows of one import share their
    timestamps); one tuple, replaced at once, so threads never mix a value and another's text."""
    global _LAST_DATETIME
    last = _LAST_DATETIME
    if value is not last[0]:
        last = _LAST_DATETIME = (value, value.isoformat())
    return last[1]


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


def maker(model):
    """A function ``(**values) -> unsaved row`` of ``model``, like :func:`make` but with the
    database and the model's defaults looked up once (an import makes 100,000s of rows)."""
    if not _available_cached():
        return model
    defaults, relations = _model_defaults(model)

    def make_row(**values):
        row = Row()
        data = row.__dict__
        data.update(defaults)
        for name, value in values.items():
            if name in relations and name != relations[name]:
                data[relations[name]] = value.pk if value is not None else None
            else:
                data[name] = value
        return row

    return make_row


def _model_defaults(model):
    if model not in _DEFAULTS:
        fields = model._meta.concrete_fields
        _DEFAULTS[model] = (
            {f.attname: (None if f.primary_key else f.get_default()) for f in fields},
            {f.name: f.attname for f in fields if f.is_relation},
        )
    return _DEFAULTS[model]


def make(model, **values):
    """An unsaved ``model`` row: a :class:`Row` on PostgreSQL (for :func:`copy_insert`), a model
    instance elsewhere. Foreign keys may be given by name (an instance) or by attname (an id)."""
    return maker(model)(**values)


def _history_columns(model):
    """The columns of ``model``'s history table that copy a column of its table (same name)."""
    history = model.history.model._meta
    columns = {f.column for f in model._meta.concrete_fields}
    tracked = [
        f.column
        for f in history.concrete_fields
        if f.attname != "history_id" and not f.attname.startswith("history_")
    ]
    missing = [c for c in tracked if c not in columns]
    if missing:
        raise ValueError(f"{history.db_table}: {missing} absent de {model._meta.db_table}")
    return tracked


COPY_CHUNK = 1 << 20  # characters handed to the driver at a time


def _log_on(db):
    """Log a statement run on a raw cursor of ``db`` as Django's cursors would (when it logs)."""

    def log(sql, started):
        if db.queries_logged:
            db.queries_log.append({"sql": sql, "time": f"{time.monotonic() - started:.3f}"})

    return log


class Ecrivain:
    """Runs the statements of :func:`copy_insert` (``COPY``, then the history's
    ``INSERT … SELECT``) in a second thread, in order, on the import's own connection and
    transaction, while the calling thread prepares the next rows: the server writes one lot
    while Python builds the next (the driver releases the GIL while the server works).

    - The ids come from the sequences through a second connection (``nextval`` is outside any
      transaction: the values are the same ones the import's connection would get, never
      reused), so the calling thread never waits for the writes to get them.
    - :meth:`attendre` waits until everything submitted is written (before the calling thread
      uses the connection itself: reads, updates) and raises the first failure of the writes.
    - On leaving the ``with`` block, the thread is stopped and joined *before* the caller's
      ``transaction.atomic`` commits or rolls back; after a failure (of the writes or of the
      caller), what is still queued is dropped: the transaction is rolled back, nothing is saved.
    - ``queries_log``: each statement is logged with its time when the connection logs queries
      (the bench's SQL time), as Django's cursors would.

    Not on PostgreSQL (:func:`available` false), nothing is threaded: ``copy_insert`` returns
    ``False`` and the caller writes with ``bulk_create``."""

    def __init__(self):
        self.active = available()
        self._errors = []
        self._abandon = False
        if not self.active:
            return
        connection.ensure_connection()
        self._db = connections[connection.alias]  # the wrapper itself, not the thread-local proxy
        self._cursor = self._db.connection.cursor()  # a raw psycopg2 cursor, used by the thread only
        self._sequences = self._db.copy()
        self._queue = queue.Queue(maxsize=2)  # two lots ahead at most: memory stays flat
        self._thread = threading.Thread(target=self._run, name="import-copie", daemon=True)
        self._thread.start()

    def _run(self):
        while (task := self._queue.get()) is not None:
            try:
                if not self._errors and not self._abandon:
                    task(self._cursor, self._log)
            except BaseException as exc:  # re-raised in the calling thread
                self._errors.append(exc)
            finally:
                self._queue.task_done()
        self._queue.task_done()

    def _log(self, sql, started):
        _log_on(self._db)(sql, started)

    def _raise(self):
        if self._errors:
            raise self._errors[0]

    def submit(self, task):
        """Queue ``task(raw_cursor, log)`` (waits while two lots are queued)."""
        self._raise()
        self._queue.put(task)

    def attendre(self):
        """Wait until everything submitted is written; raise the first failure."""
        if self.active:
            self._queue.join()
            self._raise()

    def ids(self, meta, count):
        """``count`` new ids of ``meta``'s table, from its sequence."""
        with self._sequences.cursor() as cursor:
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                [meta.db_table, meta.pk.column, count],
            )
            return [pk for (pk,) in cursor.fetchall()]

    def __enter__(self):
        return self

    def __exit__(self, exc_type, exc, tb):
        if not self.active:
            return
        self._abandon = exc_type is not None
        self._queue.put(None)
        self._thread.join()
        self._cursor.close()
        self._sequences.close()
        if exc_type is None:
            self._raise()


def copy_insert(model, objs, *, user_id=None, reason="", now, ecrivain=None):
    """Insert ``objs`` (unsaved rows or instances of ``model``) with ``COPY``, giving them their
    ids, with their history rows when ``model`` keeps one (``+``, ``now``, ``reason``,
    ``user_id``: copied from the rows just written by one ``INSERT … SELECT``, in id order).
    With an :class:`Ecrivain`, the ids are given at once and the statements are queued on it;
    without, they run here. ``False`` when not on PostgreSQL."""
    if not available():
        return False
    if not objs:
        return True
    meta = model._meta
    fields = list(meta.concrete_fields)
    auto = [f.attname for f in fields if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False)]
    quote = connection.ops.quote_name
    if ecrivain is not None:
        ids = ecrivain.ids(meta, len(objs))
    else:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                [meta.db_table, meta.pk.column, len(objs)],
            )
            ids = [pk for (pk,) in cursor.fetchall()]
    for obj, pk in zip(objs, ids, strict=True):
        obj.pk = pk
        for name in auto:
            obj.__dict__[name] = now
        if not isinstance(obj, Row):
            obj._state.adding = False
    line = _line_builder(fields)
    buffer = io.StringIO()
    buffer.writelines(line(obj.__dict__) for obj in objs)
    buffer.seek(0)
    columns = ", ".join(quote(f.column) for f in fields)
    copy_sql = f"COPY {quote(meta.db_table)} ({columns}) FROM STDIN"
    history_sql = None
    if hasattr(model, "history"):
        tracked = ", ".join(quote(c) for c in _history_columns(model))
        history_sql = (
            f"INSERT INTO {quote(model.history.model._meta.db_table)} ({tracked}, history_date, "
            "history_change_reason, history_type, history_user_id) "
            f"SELECT {tracked}, %s, %s, '+', %s FROM {quote(meta.db_table)} "
            f"WHERE {quote(meta.pk.column)} = ANY(%s) ORDER BY {quote(meta.pk.column)}"
        )

    def write(cursor, log):
        started = time.monotonic()
        cursor.copy_expert(copy_sql, buffer, size=COPY_CHUNK)
        log(f"{copy_sql} -- {len(objs)} lignes", started)
        if history_sql:
            started = time.monotonic()
            cursor.execute(history_sql, [now, reason, user_id, ids])
            log(history_sql, started)

    if ecrivain is not None:
        ecrivain.submit(write)
    else:
        with connection.cursor() as cursor:
            write(cursor.cursor, _log_on(connection))
    return True
