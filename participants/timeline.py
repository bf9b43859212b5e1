"""The dossier's timeline: what happened to a participant, newest first.

It is read from the history tables (django-simple-history) through a list of **event sources**:
each source is a function ``source(participant, scope)`` returning :class:`Event` objects with
**one** query, so the timeline costs one query per source whatever its length. The sources are
an extension point of :mod:`plie.core.registry`: this app registers its own and later apps
theirs (entretiens, étapes, sorties…) with ``register_timeline_source`` from
their ``AppConfig.ready()`` (imports flow one way: participants never imports them).

Sensitive facts stay hidden from users who may not see them: health and justice freins and the
disability proof do not appear for a gestionnaire or direction; a change of a questionnaire
answer names the question, never the answer."""

from dataclasses import dataclass
from datetime import datetime

from django.utils.text import capfirst

from participants.enums import DOCUMENTS_SENSIBLES, FREINS_SENSIBLES, TypeDocument, TypeFrein
from participants.models import Document, Frein, Participant, SituationEntree
from participants.permissions import can_view_sensitive_data
from plie.core import registry

CREATED, CHANGED, DELETED = "+", "~", "-"


@dataclass(frozen=True)
class Event:
    when: datetime
    author: str  # "" when unknown (an import, a task)
    text: str  # one French sentence
    kind: str  # what the event is about: "dossier", "questionnaire", "frein", "document"…


def timeline(participant, *, scope, sources=None, limit=None):
    """Every event of ``participant`` that ``scope`` may see, newest first, from ``sources``
    (default: every registered timeline source)."""
    sources = registry.timeline_sources() if sources is None else sources
    events = [event for source in sources for event in source(participant, scope)]
    # sources yield in chronological order: on equal dates, the later one comes first
    order = sorted(range(len(events)), key=lambda i: (events[i].when, i), reverse=True)
    events = [events[i] for i in order]
    return events[:limit] if limit else events


def _name(user):
    return (user.get_full_name() or user.email) if user is not None else ""


def _author(record):
    return _name(record.history_user)


def _with_previous(records):
    """``(record, previous record of the same object or None)`` in chronological order."""
    last = {}
    for record in records:
        yield record, last.get(record.id)
        last[record.id] = record


def _changed_labels(model, record, previous, exclude=()):
    """The French labels of the fields changed between two history records, in model order."""
    changed = set(record.diff_against(previous).changed_fields) - set(exclude)
    return [capfirst(field.verbose_name) for field in model._meta.fields if field.name in changed]


def _history(model, *related, **filters):
    return (
        model.history.filter(**filters)
        .select_related("history_user", *related)
        .order_by("history_date", "history_id")
    )


def participant_events(participant, scope):
    for record, previous in _with_previous(_history(Participant, id=participant.pk)):
        author = _author(record)
        if record.history_type == CREATED:
            yield Event(record.history_date, author, "Dossier créé.", "dossier")
        elif record.history_type == CHANGED and previous is not None:
            labels = _changed_labels(Participant, record, previous, exclude={"created_by"})
            if labels:
                yield Event(record.history_date, author, f"Dossier modifié : {', '.join(labels)}.", "dossier")


def situation_events(participant, scope):
    for record, previous in _with_previous(_history(SituationEntree, participant_id=participant.pk)):
        author = _author(record)
        entree = f"entrée du {record.date_entree:%d/%m/%Y}"
        if record.history_type == CREATED:
            text = f"Questionnaire FSE d'entrée commencé ({entree})."
        elif record.history_type == DELETED:
            text = f"Questionnaire FSE d'entrée supprimé ({entree})."
        elif previous is not None:
            labels = _changed_labels(SituationEntree, record, previous)
            if not labels:
                continue
            text = f"Questionnaire FSE d'entrée modifié ({entree}) : {', '.join(labels)}."
        else:
            continue
        yield Event(record.history_date, author, text, "questionnaire")


def frein_events(participant, scope):
    records = _history(Frein, participant_id=participant.pk)
    if not can_view_sensitive_data(scope, participant):
        records = records.exclude(type__in=FREINS_SENSIBLES)
    for record, previous in _with_previous(records):
        author = _author(record)
        label = TypeFrein(record.type).label if record.type in TypeFrein.values else record.type
        if record.history_type == CREATED:
            text = f"Frein identifié : {label} (le {record.date_identification:%d/%m/%Y})."
        elif record.history_type == DELETED:
            text = f"Frein supprimé : {label}."
        elif previous is None:
            continue
        elif previous.date_levee is None and record.date_levee is not None:
            text = f"Frein levé : {label} (le {record.date_levee:%d/%m/%Y})."
        else:
            labels = _changed_labels(Frein, record, previous)
            if not labels:
                continue
            text = f"Frein modifié ({label}) : {', '.join(labels)}."
        yield Event(record.history_date, author, text, "frein")


def document_events(participant, scope):
    records = _history(Document, "uploaded_by", participant_id=participant.pk).exclude(history_type=CHANGED)
    if not can_view_sensitive_data(scope, participant):
        records = records.exclude(type__in=DOCUMENTS_SENSIBLES)
    for record in records:
        label = TypeDocument(record.type).label if record.type in TypeDocument.values else record.type
        if record.history_type == CREATED:
            # uploaded outside a web request (an import): the uploader is the author
            author = _author(record) or _name(record.uploaded_by)
            text = f"Document ajouté : {label} — {record.nom_original}."
        else:
            author = _author(record)
            text = f"Document supprimé : {label} — {record.nom_original}."
        yield Event(record.history_date, author, text, "document")
