"""The enrolments' events in the participant's timeline (``participants.timeline``).

One source, one query, registered by ``OperationsConfig.ready()`` with
``plie.core.registry.register_timeline_source``. It reads the enrolments' history
(who did what, when): the enrolment (or its carry-over from the previous operation), the
confirmation of its entry questionnaire, the exit and its exit data. Answers are never shown,
only the fact (the questionnaire page shows them to those who may read them)."""

from operations.models import Inscription
from participants.timeline import CHANGED, CREATED, DELETED, Event
from plie.core import history
from plie.core.dates import format_date


def inscription_texts(record, previous):
    """The French sentences one history record of an enrolment stands for (``previous``: the
    record before it for the same enrolment, or ``None``)."""
    code = record.operation.code
    if record.history_type == CREATED:
        if record.report_de_id:
            entree = format_date(record.date_entree)
            yield f"Inscription reportée dans l'opération {code} (entrée le {entree})."
        else:
            yield f"Inscrit(e) dans l'opération {code} (entrée le {format_date(record.date_entree)})."
        return
    if record.history_type == DELETED:
        yield f"Inscription dans l'opération {code} supprimée."
        return
    if record.history_type != CHANGED or previous is None:
        return
    if (
        record.questionnaire_confirme_le
        and record.questionnaire_confirme_le != previous.questionnaire_confirme_le
    ):
        yield f"Questionnaire FSE d'entrée de l'opération {code} confirmé."
    if record.date_sortie and record.date_sortie != previous.date_sortie:
        yield f"Sorti(e) de l'opération {code} le {format_date(record.date_sortie)}."
    if record.sortie_renseignee_le and record.sortie_renseignee_le != previous.sortie_renseignee_le:
        yield f"Données de sortie de l'opération {code} renseignées."


def inscription_events(participant, scope):
    records = (
        Inscription.history.filter(participant_id=participant.pk)
        .select_related("history_user", "operation")
        .order_by("history_date", "history_id")
    )
    last = {}
    for record in records:
        previous = last.get(record.id)
        last[record.id] = record
        for text in inscription_texts(record, previous):
            yield Event(record.history_date, history.author(record), text, "operation")
