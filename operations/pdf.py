"""Printed proofs of realisation, rendered by WeasyPrint with the shared page frame
(``components/pdf_page.html``): the **feuille d'émargement** of a collective session, the
**attestation de réalisation** of an étape or of a collective session for one participant, and
the **extraction of the entretiens** of an operation per référent.

Every document carries the European Social Fund mention (text, no logo) and the operation it
belongs to. Table headers repeat on every page; dates are jj/mm/aaaa. WeasyPrint never reaches
the network: :class:`participants.pdf.StaticOnlyFetcher` serves ``static/`` and nothing else."""

import datetime
import re

from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.safestring import mark_safe
from weasyprint import HTML

from operations import extractions
from parcours.pdf import typo
from participants.pdf import STATIC_DIR, StaticOnlyFetcher

MENTION_FSE = "Action cofinancée par le Fonds social européen"
MIDI = datetime.time(12, 0)
REPRISE = datetime.time(13, 0)


def pied(text):
    """The footer text, safe inside the CSS string of ``@page`` (where HTML escapes would show
    as is): straight apostrophes become typographic ones; quotes, backslashes and angle
    brackets are dropped."""
    return mark_safe(re.sub(r'[\\"<>\r\n]', "", text.replace("'", "\u2019")))


def _write(template, context):
    context["pied"] = pied(context["pied"])
    context = {"mention_fse": MENTION_FSE, "edited_at": timezone.localtime(), **context}
    html = render_to_string(template, context)
    return HTML(string=html, base_url=STATIC_DIR.as_uri() + "/", url_fetcher=StaticOnlyFetcher()).write_pdf()


def heure(value):
    """``14:30`` → « 14h30 », ``9:00`` → « 9h00 »; ``None`` → ""."""
    return f"{value.hour}h{value.minute:02d}" if value else ""


def horaires(action):
    """« de 9h30 à 12h00 », « à partir de 9h30 » or "" (hours not set)."""
    if action.heure_debut and action.heure_fin:
        return f"de {heure(action.heure_debut)} à {heure(action.heure_fin)}"
    if action.heure_debut:
        return f"à partir de {heure(action.heure_debut)}"
    return ""


def duree_heures(action):
    """The session's length as « 2h30 », or "" when the hours are not both known."""
    if not (action.heure_debut and action.heure_fin):
        return ""
    minutes = (action.heure_fin.hour * 60 + action.heure_fin.minute) - (
        action.heure_debut.hour * 60 + action.heure_debut.minute
    )
    if minutes <= 0:
        return ""
    return f"{minutes // 60}h{minutes % 60:02d}"


def demi_journees(action):
    """A session from the morning to the afternoon is signed twice (« Matin », « Après-midi »);
    any other session once."""
    if action.heure_debut and action.heure_fin and action.heure_debut < MIDI and action.heure_fin > REPRISE:
        return ["Matin", "Après-midi"]
    return ["Signature"]


def render_emargement(action, participants):
    """The attendance sheet of ``action`` as PDF bytes: one line per registered participant
    (``participants``, already sorted) with empty signature cells, and the animateur's box."""
    operation = action.operation
    colonnes = demi_journees(action)
    return _write(
        "operations/pdf/emargement.html",
        {
            "title": "Feuille d'émargement",
            "pied": f"Feuille d'émargement — {operation.code} — {action.intitule} — {action.date:%d/%m/%Y}",
            "plie": operation.plie,
            "operation": operation,
            "action": action,
            "horaires": horaires(action),
            "colonnes": colonnes,
            "participants": [str(participant) for participant in participants],
            "lignes_vides": range(3),
        },
    )


def _presence_label(present):
    return {True: "Présent(e)", False: "Absent(e)"}.get(present, "Présence non renseignée")


def render_attestation_action(action, participant, presence, inscription):
    """The attestation that ``participant`` took part (or not) in the collective session."""
    return _write(
        "operations/pdf/attestation.html",
        {
            "title": "Attestation de réalisation",
            "pied": f"Attestation de réalisation — {participant} — {action.date:%d/%m/%Y}",
            "plie": action.operation.plie,
            "participant": participant,
            "inscription": inscription,
            "operation": inscription.operation if inscription else action.operation,
            "objet": "action",
            "action": action,
            "horaires": horaires(action),
            "duree": duree_heures(action),
            "presence": _presence_label(presence.present),
            "present": presence.present,
            "compte_rendu": typo(action.compte_rendu),
        },
    )


def render_attestation_etape(etape, inscription):
    """The attestation that the étape's participant took part in it (type, opérateur, dates, result)."""
    participant = etape.parcours.participant
    return _write(
        "operations/pdf/attestation.html",
        {
            "title": "Attestation de réalisation",
            "pied": f"Attestation de réalisation — {participant} — étape du {etape.date_debut:%d/%m/%Y}",
            "plie": etape.parcours.plie,
            "participant": participant,
            "inscription": inscription,
            "operation": inscription.operation if inscription else None,
            "objet": "etape",
            "etape": etape,
            "resultat": typo(etape.resultat),
        },
    )


def render_entretiens(operation, scope, du=None, au=None):
    """The extraction of the entretiens, grouped by référent with each one's totals."""
    groupes = extractions.groupes(operation, scope, du, au)
    periode = " au ".join(f"{day:%d/%m/%Y}" for day in (du, au) if day)
    if du and not au:
        periode = f"depuis le {du:%d/%m/%Y}"
    elif au and not du:
        periode = f"jusqu'au {au:%d/%m/%Y}"
    elif du and au:
        periode = f"du {periode}"
    return _write(
        "operations/pdf/entretiens.html",
        {
            "title": "Entretiens de suivi par référent",
            "pied": f"Entretiens de suivi — {operation.code} — document confidentiel",
            "plie": operation.plie,
            "operation": operation,
            "periode": periode or "toute la durée de l'opération",
            "entetes": extractions.ENTETES[1:],
            "groupes": groupes,
            "nb_entretiens": sum(groupe.nb_entretiens for groupe in groupes),
            "minutes": sum(groupe.minutes for groupe in groupes),
        },
    )
