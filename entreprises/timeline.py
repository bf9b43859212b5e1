"""The mises en relation in the participant's timeline (``participants.timeline``): one source,
one query on their history, registered by ``EntreprisesConfig.ready()``."""

from entreprises.enums import StatutMiseEnRelation
from entreprises.models import MiseEnRelation
from participants.timeline import CHANGED, CREATED, Event


def mise_en_relation_texts(record, previous):
    """The French sentences one history record of a mise en relation stands for."""
    offre = f"« {record.offre.intitule} » chez {record.offre.employeur.nom}"
    if record.history_type == CREATED:
        yield f"Proposé(e) sur l'offre {offre}."
    elif record.history_type == CHANGED and previous is not None and record.status != previous.status:
        statut = StatutMiseEnRelation(record.status).label.lower()
        motif = f" ({record.motif})" if record.motif else ""
        yield f"Mise en relation sur l'offre {offre} : {statut}{motif}."


def mise_en_relation_events(participant, scope):
    if participant.plie_id not in scope.employer_plie_ids:
        return
    records = (
        MiseEnRelation.history.filter(participant_id=participant.pk)
        .select_related("history_user", "offre__employeur")
        .order_by("history_date", "history_id")
    )
    last = {}
    for record in records:
        previous = last.get(record.id)
        last[record.id] = record
        user = record.history_user
        author = (user.get_full_name() or user.email) if user is not None else ""
        for text in mise_en_relation_texts(record, previous):
            yield Event(record.history_date, author, text, "entreprises")
