"""The commission's printed papers, rendered by WeasyPrint: the **ordre du jour** (the dossiers to
present) and the **procès-verbal** (the decisions with their motives, proof for the FSE).

French typography (thin non-breaking spaces before « ; : ! ? », inside guillemets, dates
jj/mm/aaaa), page numbers, table headers repeated on every page. WeasyPrint never reaches the
network: :class:`participants.pdf.StaticOnlyFetcher` serves ``static/`` and nothing else."""

import re

from django.template.loader import render_to_string
from django.utils import timezone
from weasyprint import HTML

from parcours.enums import ObjetPassage, TypeDecision
from parcours.selectors import commission_decisions
from participants.pdf import STATIC_DIR, StaticOnlyFetcher
from plie.core.history import person_name

NNBSP = "\u202f"  # espace fine insécable
NBSP = "\u00a0"


def typo(text):
    """French typography on free text: a thin non-breaking space before ; : ! ? and inside
    guillemets, a non-breaking one after an abbreviation like « M. » (no double spaces)."""
    if not text:
        return ""
    text = re.sub(r"[ \u00a0\u202f]*([;:!?])", lambda m: NNBSP + m.group(1), text)
    text = re.sub(r"(\d)\u202f:(\d)", r"\1:\2", text)  # 14:30, not a punctuation colon
    text = re.sub(r"https?\u202f:", lambda m: m.group(0).replace(NNBSP, ""), text)
    text = re.sub(r"«[ \u00a0\u202f]*", "«" + NNBSP, text)
    text = re.sub(r"[ \u00a0\u202f]*»", NNBSP + "»", text)
    return text


def _decisions(commission):
    return list(
        commission_decisions(commission).order_by(
            "objet", "parcours__participant__nom", "parcours__participant__prenom", "pk"
        )
    )


def _sortie(parcours):
    return getattr(parcours, "sortie", None)


def _objet(decision):
    parcours = decision.parcours
    if decision.objet == ObjetPassage.CANDIDATURE:
        detail = f"orienté le {parcours.date_orientation:%d/%m/%Y}" if parcours.date_orientation else ""
        if parcours.distance_emploi:
            detail += f" · {parcours.get_distance_emploi_display().lower()}"
        return "Candidature", detail.strip(" ·")
    sortie = _sortie(parcours)
    if sortie is None:
        return "Validation de sortie", ""
    return "Validation de sortie", f"{sortie.type} le {sortie.date_sortie:%d/%m/%Y}"


def effet_of(decision):
    """What the decision entails, in one line."""
    parcours = decision.parcours
    kind = decision.decision
    if kind == TypeDecision.ADMIS and parcours.date_entree:
        text = f"Entrée le {parcours.date_entree:%d/%m/%Y}"
        if parcours.referent:
            text += f", référent{NBSP}: {person_name(parcours.referent)}"
        if parcours.date_signature_contrat:
            text += f", contrat d'engagement signé le {parcours.date_signature_contrat:%d/%m/%Y}"
        return typo(text)
    if kind == TypeDecision.AJOURNE and decision.date_representation:
        return f"À représenter le {decision.date_representation:%d/%m/%Y}"
    if kind == TypeDecision.REORIENTE and decision.structure_reorientation:
        return f"Vers {decision.structure_reorientation}"
    if kind == TypeDecision.SORTIE_VALIDEE:
        sortie = _sortie(parcours)
        return f"Sortie au {sortie.date_sortie:%d/%m/%Y}" if sortie else ""
    return ""


def _rows(commission):
    rows = []
    for number, decision in enumerate(_decisions(commission), start=1):
        parcours = decision.parcours
        objet, detail = _objet(decision)
        rows.append(
            {
                "numero": number,
                "participant": str(parcours.participant),
                "naissance": parcours.participant.date_naissance,
                "referent": person_name(parcours.referent) or "À désigner",
                "prescripteur": str(parcours.prescripteur) if parcours.prescripteur else "—",
                "objet": objet,
                "is_candidature": decision.objet == ObjetPassage.CANDIDATURE,
                "detail": typo(detail),
                "decision": decision.get_decision_display() if decision.decision else "",
                "decision_code": decision.decision,
                "motif": typo(decision.motif),
                "effet": effet_of(decision),
            }
        )
    return rows


def _context(commission, title):
    rows = _rows(commission)
    counts = {}
    for row in rows:
        if row["decision"]:
            counts[row["decision_code"]] = counts.get(row["decision_code"], 0) + 1
    return {
        "title": title,
        "pied": f"{title} — commission du {commission.date:%d/%m/%Y} — document confidentiel",
        "commission": commission,
        "plie": commission.plie,
        "lieu": typo(commission.lieu),
        "membres": [typo(line.strip()) for line in commission.membres.splitlines() if line.strip()],
        "rows": rows,
        "candidatures": [row for row in rows if row["is_candidature"]],
        "sorties": [row for row in rows if not row["is_candidature"]],
        "counts": [(kind.label, counts[kind]) for kind in TypeDecision if kind in counts],
        "edited_at": timezone.localtime(),
    }


def _write(template, context):
    html = render_to_string(template, context)
    return HTML(string=html, base_url=STATIC_DIR.as_uri() + "/", url_fetcher=StaticOnlyFetcher()).write_pdf()


def render_agenda(commission):
    """The ordre du jour of a session as PDF bytes."""
    return _write("parcours/pdf/agenda.html", _context(commission, "Ordre du jour"))


def render_pv(commission):
    """The procès-verbal of a session (every decision with its motive) as PDF bytes."""
    return _write("parcours/pdf/pv.html", _context(commission, "Procès-verbal"))
