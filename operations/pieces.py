"""Proofs of realisation (pièces justificatives) an FSE controller asks for, computed from the
records: who may read and write them, which participants a collective session may take, and the
checklist of an operation (which proofs each enrolled participant still lacks).

The checklist rule (:func:`etat_pieces`) is a pure function over plain values; the queryset
(:func:`checklist`) gives it those values through ``Exists`` annotations, so the board costs the
same few queries whatever the number of participants.

A proof is:

- a **document** of the dossier for the signed entry questionnaire, the signed contrat
  d'engagement, the identity document and the status proof (France Travail, RSA, RQTH…);
- at least one **entretien** of the participant's parcours held during the enrolment (from the
  entry date to the exit date, or to the operation's end while still enrolled);
- the **exit data** recorded (``sortie_renseignee_le``) — only once the enrolment has ended;
  before that the proof is not due (``None``).
"""

from dataclasses import dataclass

from django.db.models import Count, Exists, F, OuterRef, Q
from django.db.models.functions import Coalesce

from operations.enums import PieceJustificative
from operations.models import Inscription
from parcours.models import Entretien
from participants.enums import TypeDocument
from participants.models import Document, Participant

PIECES_PAR_DEFAUT = (
    PieceJustificative.QUESTIONNAIRE_SIGNE,
    PieceJustificative.CONTRAT_ENGAGEMENT,
    PieceJustificative.PIECE_IDENTITE,
    PieceJustificative.ENTRETIENS,
    PieceJustificative.DONNEES_SORTIE,
)

# Which dossier documents prove each document-backed piece.
DOCUMENTS_PROBANTS = {
    PieceJustificative.QUESTIONNAIRE_SIGNE: (TypeDocument.QUESTIONNAIRE_SIGNE,),
    PieceJustificative.CONTRAT_ENGAGEMENT: (TypeDocument.CONTRAT_ENGAGEMENT,),
    PieceJustificative.PIECE_IDENTITE: (TypeDocument.PIECE_IDENTITE,),
    PieceJustificative.JUSTIFICATIF_STATUT: (
        TypeDocument.JUSTIFICATIF_STATUT,
        TypeDocument.JUSTIFICATIF_RSA,
        TypeDocument.JUSTIFICATIF_RQTH,
    ),
}


# --- Collective sessions ---------------------------------------------------------------------


def participants_inscrits_le(operation, day):
    """Participants enrolled in ``operation`` on ``day``: the only ones a session that day may take."""
    inscrits = Inscription.objects.filter(operation=operation, participant=OuterRef("pk")).presentes_le(day)
    return Participant.objects.filter(plie_id=operation.plie_id).filter(Exists(inscrits))


def inscription_le(participant, day, operation=None):
    """The participant's enrolment covering ``day`` (in ``operation`` when given), or ``None``:
    the operation a realisation that day belongs to. The most recent entry wins."""
    queryset = Inscription.objects.filter(participant=participant).presentes_le(day)
    if operation is not None:
        queryset = queryset.filter(operation=operation)
    return queryset.select_related("operation").order_by("-date_entree", "-pk").first()


# --- The checklist ---------------------------------------------------------------------------


def pieces_requises(operation):
    """The operation's required proofs (codes), the default list when none was chosen."""
    known = set(PieceJustificative.values)
    codes = [code for code in (operation.pieces_requises or []) if code in known]
    return [PieceJustificative(code) for code in codes] or list(PIECES_PAR_DEFAUT)


@dataclass(frozen=True)
class Preuves:
    """What the records hold for one enrolment: the document-backed pieces present, whether an
    entretien was held during the enrolment, whether it ended and its exit data was recorded."""

    documents: frozenset = frozenset()  # PieceJustificative codes backed by a document
    entretiens: bool = False
    sortie: bool = False
    sortie_renseignee: bool = False


def etat_pieces(requises, preuves):
    """For each required piece: ``True`` present, ``False`` missing, ``None`` not due yet (the
    exit data of an enrolment still open)."""
    etat = {}
    for code in requises:
        if code == PieceJustificative.ENTRETIENS:
            etat[code] = preuves.entretiens
        elif code == PieceJustificative.DONNEES_SORTIE:
            etat[code] = preuves.sortie_renseignee if preuves.sortie else None
        else:
            etat[code] = code in preuves.documents
    return etat


def pieces_manquantes(requises, preuves):
    """The required pieces missing (in the order required)."""
    return [code for code, present in etat_pieces(requises, preuves).items() if present is False]


def _annotation(code):
    return f"a_{code}"


def _exists(code):
    """The ``Exists`` telling whether the proof ``code`` is in the records of an enrolment row."""
    if code == PieceJustificative.ENTRETIENS:
        return Exists(
            Entretien.objects.filter(
                parcours__participant=OuterRef("participant_id"),
                date__gte=OuterRef("date_entree"),
                date__lte=OuterRef("fin_effective"),
            )
        )
    return Exists(
        Document.objects.filter(participant=OuterRef("participant_id"), type__in=DOCUMENTS_PROBANTS[code])
    )


def checklist(operation, scope, *, incomplets=False):
    """The enrolments of ``operation`` whose participant ``scope`` may see, each annotated with one
    boolean per required document-backed or entretien piece (``a_<code>``), ordered by name.
    ``incomplets`` keeps the dossiers lacking at least one due piece (filtered in the database)."""
    requises = pieces_requises(operation)
    queryset = (
        Inscription.objects.visible_to(scope)
        .filter(operation=operation)
        .annotate(fin_effective=Coalesce("date_sortie", F("operation__date_fin")))
    )
    annotations = {
        _annotation(code): _exists(code) for code in requises if code != PieceJustificative.DONNEES_SORTIE
    }
    queryset = queryset.annotate(**annotations)
    if incomplets:
        queryset = queryset.filter(condition_incomplet(requises))
    return queryset.select_related("participant").order_by(
        "participant__nom", "participant__prenom", "participant_id", "date_entree", "pk"
    )


def _manque(code):
    if code == PieceJustificative.DONNEES_SORTIE:
        return Q(date_sortie__isnull=False, sortie_renseignee_le__isnull=True)
    return Q(**{_annotation(code): False})


def condition_incomplet(requises):
    """The ``Q`` of an enrolment lacking at least one due piece (on :func:`checklist`'s rows)."""
    condition = Q(pk__in=[])
    for code in requises:
        condition |= _manque(code)
    return condition


def preuves_of(row, requises):
    """The :class:`Preuves` of one row of :func:`checklist`."""
    documents = frozenset(
        code for code in requises if code in DOCUMENTS_PROBANTS and getattr(row, _annotation(code))
    )
    entretiens = PieceJustificative.ENTRETIENS in requises and getattr(
        row, _annotation(PieceJustificative.ENTRETIENS)
    )
    return Preuves(
        documents=documents,
        entretiens=bool(entretiens),
        sortie=row.date_sortie is not None,
        sortie_renseignee=row.sortie_renseignee_le is not None,
    )


def totaux(queryset, requises):
    """Per required piece, how many enrolments of ``queryset`` (a :func:`checklist`) lack it, and
    how many dossiers are complete — one aggregate query."""
    aggregates = {code.value: Count("pk", filter=_manque(code)) for code in requises}
    aggregates["_incomplets"] = Count("pk", filter=condition_incomplet(requises))
    aggregates["_total"] = Count("pk")
    values = queryset.order_by().aggregate(**aggregates)
    return {
        "manquants": {code: values[code.value] for code in requises},
        "incomplets": values["_incomplets"],
        "total": values["_total"],
    }
