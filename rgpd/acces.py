"""The right of access (RGPD art. 15): everything held about one person, as one structure that
:mod:`rgpd.views` serves as JSON and as PDF.

Sections: identity, situations at entry (the FSE questionnaire), freins, documents (the list, not
the files), parcours with their decisions, entretiens, étapes and contracts, suspensions and
exit, enrolments in FSE operations with their answers, the change history and the access
journal. Everything is included, sensitive answers too: the export is for the person. A fixed
number of queries whatever the size of the dossier."""

import datetime
import decimal

from django.db.models import Prefetch

from operations.models import Inscription
from parcours.models import Contrat, Decision, Entretien, Etape, Parcours, Sortie, Suspension
from participants.models import Document, Frein, Participant, SituationEntree
from plie.core.models import AccessLog

SKIPPED = {"search_text", "telephone_digits", "version", "fichier"}


def _value(obj, field):
    value = getattr(obj, field.attname)
    if field.choices and value not in (None, ""):
        return str(getattr(obj, f"get_{field.name}_display")())
    if field.is_relation:
        related = getattr(obj, field.name, None)
        return str(related) if related is not None else None
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, datetime.datetime):
        return value.isoformat(timespec="seconds")
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return str(value)
    return value


def champs(obj, *, skip=()):
    """``[{"champ", "libelle", "valeur"}]`` for the concrete fields of ``obj`` (foreign keys as
    their text, choices as their label, dates ISO)."""
    rows = []
    for field in obj._meta.concrete_fields:
        if field.name in SKIPPED or field.name in skip or field.primary_key:
            continue
        rows.append({"champ": field.name, "libelle": str(field.verbose_name), "valeur": _value(obj, field)})
    return rows


def _history(models_and_filters):
    rows = []
    for model, filters in models_and_filters:
        historical = model.history.model
        for record in historical.objects.filter(**filters).select_related("history_user"):
            rows.append(
                {
                    "date": record.history_date.isoformat(timespec="seconds"),
                    "objet": str(model._meta.verbose_name),
                    "action": {"+": "création", "~": "modification", "-": "suppression"}[record.history_type],
                    "par": str(record.history_user) if record.history_user else "",
                }
            )
    rows.sort(key=lambda row: row["date"])
    return rows


def dossier_complet(participant_id):
    """The whole dossier of the person ``participant_id`` (the caller checked the permission)."""
    participant = Participant.objects.select_related("plie", "created_by").get(pk=participant_id)
    parcours = list(
        Parcours.objects.filter(participant_id=participant_id)
        .select_related("plie", "referent", "prescripteur", "created_by")
        .prefetch_related(
            Prefetch(
                "decisions", queryset=Decision.objects.select_related("commission", "structure_reorientation")
            ),
            Prefetch("entretiens", queryset=Entretien.objects.select_related("referent")),
            Prefetch("etapes", queryset=Etape.objects.select_related("type", "operateur", "contrat")),
            Prefetch("suspensions", queryset=Suspension.objects.all()),
        )
        .order_by("pk")
    )
    sorties = {
        sortie.parcours_id: sortie
        for sortie in Sortie.objects.filter(parcours__participant_id=participant_id).select_related(
            "type", "validee_par"
        )
    }
    parcours_ids = [p.pk for p in parcours]
    etape_ids = [etape.pk for p in parcours for etape in p.etapes.all()]

    def contrat_of(etape):
        try:
            return champs(etape.contrat, skip={"etape"})
        except Contrat.DoesNotExist:
            return None

    return {
        "participant": participant.pk,
        "plie": participant.plie.nom,
        "identite": champs(participant, skip={"plie"}),
        "situations": [
            champs(s, skip={"participant"})
            for s in SituationEntree.objects.filter(participant_id=participant_id)
        ],
        "freins": [
            champs(f, skip={"participant"}) for f in Frein.objects.filter(participant_id=participant_id)
        ],
        "documents": [
            champs(d, skip={"participant"})
            for d in Document.objects.filter(participant_id=participant_id).select_related("uploaded_by")
        ],
        "parcours": [
            {
                "parcours": champs(p, skip={"participant"}),
                "decisions": [champs(d, skip={"parcours"}) for d in p.decisions.all()],
                # ``plie``: the parcours' PLIE copied on its rows for the API's index (above already)
                "entretiens": [champs(e, skip={"parcours", "plie"}) for e in p.entretiens.all()],
                "etapes": [
                    {"etape": champs(e, skip={"parcours", "plie"}), "contrat": contrat_of(e)}
                    for e in p.etapes.all()
                ],
                "suspensions": [champs(s, skip={"parcours"}) for s in p.suspensions.all()],
                "sortie": champs(sorties[p.pk], skip={"parcours"}) if p.pk in sorties else None,
            }
            for p in parcours
        ],
        "inscriptions": [
            champs(i, skip={"participant"})
            for i in Inscription.objects.filter(participant_id=participant_id).select_related(
                "operation", "parcours__participant", "report_de", "questionnaire_confirme_par"
            )
        ],
        "historique": _history(
            [
                (Participant, {"id": participant_id}),
                (SituationEntree, {"participant_id": participant_id}),
                (Frein, {"participant_id": participant_id}),
                (Document, {"participant_id": participant_id}),
                (Inscription, {"participant_id": participant_id}),
                (Parcours, {"participant_id": participant_id}),
                (Decision, {"parcours_id__in": parcours_ids}),
                (Entretien, {"parcours_id__in": parcours_ids}),
                (Etape, {"parcours_id__in": parcours_ids}),
                (Suspension, {"parcours_id__in": parcours_ids}),
                (Sortie, {"parcours_id__in": parcours_ids}),
                (Contrat, {"etape_id__in": etape_ids}),
            ]
        ),
        "journal": [
            {
                "date": entry.at.isoformat(timespec="seconds"),
                "par": entry.acteur,
                "action": entry.get_action_display(),
                "objet": entry.objet,
                "ip": entry.ip,
            }
            for entry in AccessLog.objects.filter(
                plie_id=participant.plie_id, participant_id=participant_id
            ).order_by("at", "pk")
        ],
    }
