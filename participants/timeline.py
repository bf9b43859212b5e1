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

from participants.enums import DOCUMENTS_SENSIBLES, FREINS_SENSIBLES, TypeDocument, TypeFrein
from participants.models import Document, Frein, Participant, SituationEntree
from participants.permissions import can_view_sensitive_data
from plie.core import history, registry
from plie.core.enums import label_of

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


def participant_events(participant, scope):
    for record, previous in history.with_previous(history.records_of(Participant, id=participant.pk)):
        author = history.author(record)
        if record.history_type == CREATED:
            yield Event(record.history_date, author, "Dossier créé.", "dossier")
        elif record.history_type == CHANGED and previous is not None:
            labels = history.changed_labels(Participant, record, previous, exclude={"created_by"})
            if labels:
                yield Event(record.history_date, author, f"Dossier modifié : {', '.join(labels)}.", "dossier")


def situation_events(participant, scope):
    records = history.records_of(SituationEntree, participant_id=participant.pk)
    for record, previous in history.with_previous(records):
        author = history.author(record)
        entree = f"entrée du {record.date_entree:%d/%m/%Y}"
        if record.history_type == CREATED:
            text = f"Questionnaire FSE d'entrée commencé ({entree})."
        elif record.history_type == DELETED:
            text = f"Questionnaire FSE d'entrée supprimé ({entree})."
        elif previous is not None:
            labels = history.changed_labels(SituationEntree, record, previous)
            if not labels:
                continue
            text = f"Questionnaire FSE d'entrée modifié ({entree}) : {', '.join(labels)}."
        else:
            continue
        yield Event(record.history_date, author, text, "questionnaire")


def frein_events(participant, scope):
    records = history.records_of(Frein, participant_id=participant.pk)
    if not can_view_sensitive_data(scope, participant):
        records = records.exclude(type__in=FREINS_SENSIBLES)
    for record, previous in history.with_previous(records):
        author = history.author(record)
        label = label_of(TypeFrein, record.type)
        if record.history_type == CREATED:
            text = f"Frein identifié : {label} (le {record.date_identification:%d/%m/%Y})."
        elif record.history_type == DELETED:
            text = f"Frein supprimé : {label}."
        elif previous is None:
            continue
        elif previous.date_levee is None and record.date_levee is not None:
            text = f"Frein levé : {label} (le {record.date_levee:%d/%m/%Y})."
        else:
            labels = history.changed_labels(Frein, record, previous)
            if not labels:
                continue
            text = f"Frein modifié ({label}) : {', '.join(labels)}."
        yield Event(record.history_date, author, text, "frein")


def document_events(participant, scope):
    records = history.records_of(Document, "uploaded_by", participant_id=participant.pk).exclude(
        history_type=CHANGED
    )
    if not can_view_sensitive_data(scope, participant):
        records = records.exclude(type__in=DOCUMENTS_SENSIBLES)
    for record in records:
        label = label_of(TypeDocument, record.type)
        if record.history_type == CREATED:
            # uploaded outside a web request (an import): the uploader is the author
            author = history.author(record) or history.person_name(record.uploaded_by)
            text = f"Document ajouté : {label} — {record.nom_original}."
        else:
            author = history.author(record)
            text = f"Document supprimé : {label} — {record.nom_original}."
        yield Event(record.history_date, author, text, "document")
