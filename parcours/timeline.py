"""The parcours' events in the participant's timeline (``participants.timeline``).

Seven sources, one query each, registered by ``ParcoursConfig.ready()`` with
``plie.core.registry.register_timeline_source``: the parcours itself (orientation, changes of
référent), commission decisions, entretiens, étapes, contracts, suspensions and exits. They read
the history tables (who did what, when), so an entretien appears in the dossier as soon as it is
saved.

Sensitive facts stay hidden from users who may not see them: the reason of a suspension
(health, family, incarceration) is not shown to a gestionnaire or direction; entretien notes and
decision motives never appear in the timeline (the parcours page shows them to those who may
read them)."""

from django.utils import timezone
from django.utils.text import capfirst

from parcours.enums import (
    ModeEntretien,
    MotifSuspension,
    ObjetPassage,
    SujetEntretien,
    TypeContrat,
    TypeDecision,
)
from parcours.models import Contrat, Decision, Entretien, Etape, Parcours, Sortie, Suspension
from participants.permissions import can_view_sensitive_data
from participants.timeline import CHANGED, CREATED, DELETED, Event
from plie.core import history
from plie.core.dates import format_date
from plie.core.enums import label_of


def heures(value):
    """35.0 -> « 35 », 17.5 -> « 17,5 »."""
    return format(value.normalize(), "f").replace(".", ",")


def parcours_events(participant, scope):
    """The orientation (a new parcours) and each change of référent."""
    records = history.records_of(Parcours, "referent", "prescripteur", participant_id=participant.pk)
    for record, previous in history.with_previous(records):
        author = history.author(record)
        referent = record.referent
        if record.history_type == CREATED:
            text = "Orientation vers le PLIE enregistrée"
            details = []
            if record.prescripteur is not None:
                details.append(f"par {record.prescripteur}")
            if record.date_orientation:
                details.append(f"le {format_date(record.date_orientation)}")
            text += f" ({', '.join(details)})." if details else "."
            if referent is not None:
                text += f" Référent proposé : {referent}."
            yield Event(record.history_date, author, text, "parcours")
        elif (
            record.history_type == CHANGED
            and previous is not None
            and referent is not None
            and record.referent_id != previous.referent_id
        ):
            yield Event(record.history_date, author, f"Référent de parcours : {referent}.", "referent")


def decision_events(participant, scope):
    """Agenda of the commission and its decisions (without the motive)."""
    records = history.records_of(
        Decision, "commission", "structure_reorientation", parcours__participant_id=participant.pk
    )
    for record, previous in history.with_previous(records):
        author = history.author(record)
        session = f"commission du {format_date(record.commission.date)}"
        objet = label_of(ObjetPassage, record.objet).lower()
        if record.history_type == CREATED and not record.decision:
            yield Event(
                record.history_date,
                author,
                f"Inscrit à l'ordre du jour de la {session} ({objet}).",
                "commission",
            )
        elif record.history_type == DELETED and not record.decision:
            yield Event(
                record.history_date, author, f"Retiré de l'ordre du jour de la {session}.", "commission"
            )
        elif (
            record.history_type != DELETED and record.decision and (previous is None or not previous.decision)
        ):
            text = f"{capfirst(session)} : {label_of(TypeDecision, record.decision).lower()}"
            if record.decision == TypeDecision.AJOURNE and record.date_representation:
                text += f", à représenter le {format_date(record.date_representation)}"
            if record.decision == TypeDecision.REORIENTE and record.structure_reorientation is not None:
                text += f" vers {record.structure_reorientation}"
            yield Event(record.history_date, author, f"{text}.", "commission")


def entretien_text(record):
    """« Entretien individuel du 12/06/2026 (45 min) : Projet professionnel. Prochain
    rendez-vous le 26/06/2026 à 14h00. »"""
    text = f"Entretien {label_of(ModeEntretien, record.mode).lower()} du {format_date(record.date)}"
    if record.duree_minutes:
        text += f" ({record.duree_minutes} min)"
    sujets = [label_of(SujetEntretien, sujet) for sujet in record.sujets or []]
    if sujets:
        text += f" : {', '.join(sujets)}"
    text += "."
    if record.prochain_rdv:
        rdv = timezone.localtime(record.prochain_rdv)
        text += f" Prochain rendez-vous le {rdv:%d/%m/%Y à %Hh%M}."
    return text


ENTRETIEN_FIELDS = ("date", "mode", "duree_minutes", "sujets", "notes", "prochain_rdv")


def entretien_events(participant, scope):
    records = history.records_of(Entretien, parcours__participant_id=participant.pk)
    for record, previous in history.with_previous(records):
        author = history.author(record)
        if record.history_type == CREATED:
            yield Event(record.history_date, author, entretien_text(record), "entretien")
        elif record.history_type == DELETED:
            yield Event(
                record.history_date, author, f"Entretien du {format_date(record.date)} supprimé.", "entretien"
            )
        elif previous is not None:
            labels = history.changed_labels(Entretien, record, previous, fields=ENTRETIEN_FIELDS)
            if labels:
                text = f"Entretien du {format_date(record.date)} modifié : {', '.join(labels)}."
                yield Event(record.history_date, author, text, "entretien")


ETAPE_FIELDS = ("type", "operateur", "date_debut", "date_fin_prevue", "date_fin", "resultat")


def etape_events(participant, scope):
    records = history.records_of(Etape, "type", "operateur", parcours__participant_id=participant.pk)
    for record, previous in history.with_previous(records):
        author = history.author(record)
        libelle = str(record.type)
        if record.history_type == CREATED:
            text = f"Étape ajoutée : {libelle}"
            if record.operateur is not None:
                text += f" avec {record.operateur}"
            text += f" (à partir du {format_date(record.date_debut)})."
        elif record.history_type == DELETED:
            text = f"Étape supprimée : {libelle}."
        elif previous is None:
            continue
        elif record.annulee and not previous.annulee:
            text = f"Étape prévue annulée : {libelle} (prévue le {format_date(record.date_debut)})."
        elif previous.date_fin is None and record.date_fin is not None:
            text = f"Étape terminée : {libelle} (le {format_date(record.date_fin)})"
            text += f", résultat : {record.resultat}." if record.resultat else "."
        else:
            labels = history.changed_labels(Etape, record, previous, fields=ETAPE_FIELDS)
            if not labels:
                continue
            text = f"Étape modifiée ({libelle}) : {', '.join(labels)}."
        yield Event(record.history_date, author, text, "etape")


CONTRAT_FIELDS = (
    "employeur",
    "siret",
    "type_contrat",
    "heures_hebdo",
    "date_debut",
    "date_fin_prevue",
    "date_fin",
)


def contrat_events(participant, scope):
    records = history.records_of(Contrat, etape__parcours__participant_id=participant.pk)
    for record, previous in history.with_previous(records):
        author = history.author(record)
        if record.history_type == CREATED:
            text = (
                f"Contrat enregistré : {label_of(TypeContrat, record.type_contrat)} chez {record.employeur}"
            )
            if record.heures_hebdo:
                text += f", {heures(record.heures_hebdo)} h par semaine"
            text += f", à partir du {format_date(record.date_debut)}."
        elif record.history_type == DELETED:
            text = f"Contrat supprimé : {record.employeur}."
        elif previous is None:
            continue
        elif previous.date_fin is None and record.date_fin is not None:
            text = f"Fin du contrat chez {record.employeur} le {format_date(record.date_fin)}."
        else:
            labels = history.changed_labels(Contrat, record, previous, fields=CONTRAT_FIELDS)
            if not labels:
                continue
            text = f"Contrat modifié ({record.employeur}) : {', '.join(labels)}."
        yield Event(record.history_date, author, text, "contrat")


def suspension_events(participant, scope):
    """Suspensions; their reason (health, family, justice) only for référent and animation."""
    sensitive = can_view_sensitive_data(scope, participant)
    records = history.records_of(Suspension, parcours__participant_id=participant.pk)
    for record, previous in history.with_previous(records):
        author = history.author(record)
        if record.history_type == CREATED:
            text = f"Parcours suspendu à partir du {format_date(record.date_debut)}"
            text += f" ({label_of(MotifSuspension, record.motif).lower()})." if sensitive else "."
        elif record.history_type == DELETED:
            text = f"Suspension du {format_date(record.date_debut)} supprimée."
        elif previous is not None and previous.date_fin is None and record.date_fin is not None:
            text = f"Fin de la suspension le {format_date(record.date_fin)} : le parcours reprend."
        else:
            continue
        yield Event(record.history_date, author, text, "suspension")


def sortie_events(participant, scope):
    records = history.records_of(Sortie, "type", parcours__participant_id=participant.pk)
    for record, previous in history.with_previous(records):
        author = history.author(record)
        libelle = str(record.type)
        if record.history_type == CREATED:
            if record.validee:
                text = f"Sortie du PLIE : {libelle} (le {format_date(record.date_sortie)}), validée."
            else:
                text = (
                    f"Sortie proposée : {libelle} (le {format_date(record.date_sortie)}), en "
                    "attente de validation."
                )
        elif record.history_type == DELETED:
            text = f"Sortie retirée : {libelle}"
            reason = (record.history_change_reason or "").strip()
            text += f" ({reason})." if reason else "."
        elif previous is not None and not previous.validee and record.validee:
            when = f" le {format_date(record.date_validation)}" if record.date_validation else ""
            text = f"Sortie validée{when} : {libelle} (sortie du {format_date(record.date_sortie)})."
        else:
            continue
        yield Event(record.history_date, author, text, "sortie")
