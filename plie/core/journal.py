"""The access journal: who read or changed whose data, when, from where — never the content.

Every read of personal data and every change is one :class:`~plie.core.models.AccessLog` row:
the user (or a system scope's label), the time, the PLIE, the participant's id, the action
(:class:`~plie.core.enums.JournalAction`), a short ``objet`` naming *what* was read (« export
MDFSE », « document 12 »; never a name, a query or a file name) and the client's IP address.

- **Reads** are recorded by the views: ``journal.record(scope, request, action, participants)``.
  One read, one insert; a list or an export of N people, ONE bulk insert of N rows (never one
  query per row); a search, one row per PLIE searched with the number of results, never the
  query text.
- **Changes** are recorded from django-simple-history's ``post_create_historical_record``
  signal for the models an app registers with :func:`register_subject` (from its
  ``AppConfig.ready()``): each app says how one of its objects leads to (participant, PLIE).
  The rows of one transaction are written by ONE bulk insert when it commits (nothing is
  journaled for a change rolled back).
- **Append-only**: the model refuses updates and deletes (admin read-only); entries older than
  ``settings.JOURNAL_RETENTION_DAYS`` are pruned per PLIE by the nightly RGPD job
  (:func:`prune`).

Who reads the journal: the PLIE's DPO and administrateur (``Scope.journal_plie_ids``); the
pages are the ``rgpd`` app's.
"""

from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ObjectDoesNotExist
from django.db import connections, router, transaction
from django.db.models import QuerySet
from django.utils import timezone

from plie.core.auth import client_ip
from plie.core.enums import JournalAction
from plie.core.models import AccessLog
from plie.core.registry import ExtensionPoint

JOURNAL_SUBJECTS = ExtensionPoint("sujets du journal des accès")
# Rows per INSERT: a list of up to this many people is one statement (and stays under
# PostgreSQL's 65,535 parameters with server-side binding: 10 columns × 5,000).
BATCH_SIZE = 5000


def register_subject(model, subject):
    """Journal the changes of ``model`` (a historised model): ``subject(instance)`` gives the
    ``(participant_id, plie_id)`` it concerns, or ``None`` (not about a person)."""
    return JOURNAL_SUBJECTS.register(subject, key=model._meta.label_lower)


def _actor(scope, user=None):
    user = user if user is not None else (scope.user if scope is not None else None)
    if user is not None and getattr(user, "is_authenticated", False):
        return user.pk, user.email
    return None, (scope.label if scope is not None else "") or "système"


def _pairs(participants):
    """``(participant_id, plie_id)`` pairs from participants, pairs, or a QuerySet (one query)."""
    if isinstance(participants, QuerySet) and not participants._fields:
        return list(participants.values_list("pk", "plie_id"))
    if isinstance(participants, QuerySet):  # already a values_list of pairs
        return list(participants)
    pairs = []
    for item in participants:
        if isinstance(item, tuple):
            pairs.append(item)
        else:
            pairs.append((item.pk, item.plie_id))
    return pairs


def _lignes(scope, request, action, participants=(), *, objet="", nombre=None, plie_ids=None, user=None):
    """``(common, [(plie_id, participant_id), …])``: the columns every row of one read shares, and
    what tells its rows apart (see :func:`record`)."""
    if user is None and request is not None:
        user = getattr(request, "user", None)
    user_id, acteur = _actor(scope, user)
    ip = client_ip(request) if request is not None else None
    now = timezone.now()
    common = {"at": now, "user_id": user_id, "acteur": acteur[:254], "action": action, "ip": ip}
    common["objet"], common["nombre"] = objet[:100], nombre
    pairs = _pairs(participants)
    if pairs:
        return common, [(plie_id, participant_id) for participant_id, plie_id in pairs]
    if plie_ids is None and nombre is None:
        return common, []  # an export of nobody: nothing read
    if plie_ids is None:
        plie_ids = scope.personal_plie_ids if scope is not None else ()
    return common, [(plie_id, None) for plie_id in sorted(plie_ids)]


def entries(scope, request, action, participants=(), *, objet="", nombre=None, plie_ids=None, user=None):
    """The unsaved :class:`AccessLog` rows of one read (see :func:`record`)."""
    common, lignes = _lignes(
        scope, request, action, participants, objet=objet, nombre=nombre, plie_ids=plie_ids, user=user
    )
    return [
        AccessLog(plie_id=plie_id, participant_id=participant_id, **common)
        for plie_id, participant_id in lignes
    ]


def record(scope, request, action, participants=(), *, objet="", nombre=None, plie_ids=None, user=None):
    """Journal one read by ``scope`` (``request`` gives the IP; ``None`` for a task).

    ``participants``: the people read — model instances, ``(participant_id, plie_id)`` pairs or
    a QuerySet of participants (read with one query). A row per person, all in ONE insert.
    Without participants (a search), one row per PLIE of ``plie_ids`` (default: the PLIE whose
    participants the scope sees) carrying ``nombre``, the number of results. ``user``: who acts,
    for a service that has no scope (default: the request's user, else the scope's). Returns the
    count of rows written.

    The rows go in as plain values (one ``INSERT … VALUES`` per :data:`BATCH_SIZE` rows, as
    ``bulk_create`` writes them), not as model instances: building and preparing thousands of
    them was most of an export's time."""
    common, lignes = _lignes(
        scope, request, action, participants, objet=objet, nombre=nombre, plie_ids=plie_ids, user=user
    )
    if lignes:
        _insert(common, lignes)
    return len(lignes)


def _insert(common, lignes):
    """``INSERT INTO`` the journal one row per ``(plie_id, participant_id)`` of ``lignes``, each
    with the columns of ``common`` prepared by their field as the ORM prepares them."""
    connection = connections[router.db_for_write(AccessLog)]
    champs = [AccessLog._meta.get_field(nom) for nom in common]
    modele = AccessLog(**common)
    valeurs = tuple(champ.get_db_prep_save(champ.pre_save(modele, True), connection) for champ in champs)
    champs += [AccessLog._meta.get_field("plie"), AccessLog._meta.get_field("participant_id")]
    colonnes = ", ".join(connection.ops.quote_name(champ.column) for champ in champs)
    table = connection.ops.quote_name(AccessLog._meta.db_table)
    ligne = "(" + ", ".join(["%s"] * len(champs)) + ")"
    # all batches or none, as bulk_create (its transaction, no savepoint inside another one)
    with transaction.atomic(using=connection.alias, savepoint=False), connection.cursor() as cursor:
        for debut in range(0, len(lignes), BATCH_SIZE):
            lot = lignes[debut : debut + BATCH_SIZE]
            cursor.execute(
                f"INSERT INTO {table} ({colonnes}) VALUES {', '.join([ligne] * len(lot))}",
                [valeur for paire in lot for valeur in (*valeurs, *paire)],
            )


# --- changes, from the history -------------------------------------------------------------


class _Pending:
    """The changes of one transaction, journaled by one insert when it commits. Who a change is
    about is read then (``subject(instance)`` may follow a foreign key: no query inside the
    transaction, none for a change rolled back)."""

    def __init__(self):
        self.changes = []  # (subject, instance, unsaved AccessLog)

    def flush(self):
        changes, self.changes = self.changes, []
        rows = [row for row in (_resolved(*change) for change in changes) if row is not None]
        if rows:
            AccessLog.objects.bulk_create(rows, batch_size=BATCH_SIZE)


def _resolved(subject, instance, row):
    try:
        pair = subject(instance)
    except ObjectDoesNotExist:  # deleted along with what led to the person
        return None
    if pair is None:
        return None
    row.participant_id, row.plie_id = pair
    return row


_CHANGE_ACTIONS = {
    "+": JournalAction.CREATION,
    "~": JournalAction.MODIFICATION,
    "-": JournalAction.SUPPRESSION,
}


def _pending(connection):
    """The pending changes of the current (sub)transaction, with their commit hook: one per
    savepoint level, so that a savepoint rolled back takes its changes (and hook) with it."""
    hooks = {hook[1] for hook in connection.run_on_commit}
    pendings = {
        key: pending
        for key, pending in getattr(connection, "_plie_journal_pending", {}).items()
        if pending.flush in hooks
    }
    key = tuple(connection.savepoint_ids)
    if key not in pendings:
        pendings[key] = _Pending()
        transaction.on_commit(pendings[key].flush)
    connection._plie_journal_pending = pendings
    return pendings[key]


def on_history_created(sender, instance, history_instance, **kwargs):
    """``post_create_historical_record`` receiver: journal a change of a registered model."""
    subject = JOURNAL_SUBJECTS.get(type(instance)._meta.label_lower)
    if subject is None:
        return
    from simple_history.models import HistoricalRecords

    request = getattr(HistoricalRecords.context, "request", None)
    user = getattr(history_instance, "history_user", None)
    user_id, acteur = _actor(getattr(request, "scope", None), user)
    row = AccessLog(
        at=history_instance.history_date,
        user_id=user_id,
        acteur=acteur[:254],
        action=_CHANGE_ACTIONS.get(history_instance.history_type, JournalAction.MODIFICATION),
        objet=str(type(instance)._meta.verbose_name)[:100],
        ip=client_ip(request) if request is not None else None,
    )
    connection = transaction.get_connection()
    if connection.in_atomic_block:
        _pending(connection).changes.append((subject, instance, row))
    else:
        row = _resolved(subject, instance, row)
        if row is not None:
            row.save()


# --- retention -------------------------------------------------------------------------------


def retention_cutoff(now=None):
    """The oldest moment the journal keeps (``settings.JOURNAL_RETENTION_DAYS`` before ``now``)."""
    return (now or timezone.now()) - timedelta(days=settings.JOURNAL_RETENTION_DAYS)


def prune(plie_id, now=None):
    """Delete one PLIE's journal entries older than the retention; returns how many."""
    return AccessLog.objects.filter(plie_id=plie_id).prune(retention_cutoff(now))
