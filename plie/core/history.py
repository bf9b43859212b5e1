"""Reading the change history (django-simple-history) kept on the dossier's models: who made a
change, each record with the one before it, the labels of the fields that changed. The
timelines of every app read their records through these."""

from django.utils.text import capfirst


def person_name(user):
    """How a user is named on a page or in a PDF (full name, else email); ``""`` when ``None``
    (an import, a task, a deleted account)."""
    return str(user) if user is not None else ""


def author(record):
    """The name of whoever made the change recorded in ``record``."""
    return person_name(record.history_user)


def records_of(model, *related, **filters):
    """The history records of ``model`` matching ``filters``, oldest first, with their author
    (and the ``related`` objects) in the same query."""
    return (
        model.history.filter(**filters)
        .select_related("history_user", *related)
        .order_by("history_date", "history_id")
    )


def with_previous(records):
    """``(record, previous record of the same object or None)`` in chronological order."""
    last = {}
    for record in records:
        yield record, last.get(record.id)
        last[record.id] = record


def changed_labels(model, record, previous, *, fields=None, exclude=()):
    """The French labels of the fields changed between two history records, in model order;
    only among ``fields`` when given, never those in ``exclude``."""
    included = list(fields) if fields is not None else None
    changed = set(record.diff_against(previous, included_fields=included).changed_fields) - set(exclude)
    return [capfirst(field.verbose_name) for field in model._meta.fields if field.name in changed]
