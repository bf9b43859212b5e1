"""Scoped reads of the rgpd app: the retention plan of a PLIE, the whole dossier of a person."""

from django.db.models import Count, DateField, Exists, Max, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce, TruncDate

from operations.models import Inscription
from parcours.enums import StatutParcours
from participants.models import Participant
from rgpd import conservation
from rgpd.models import ConservationPlie, Opposition

STATUTS_OUVERTS = [
    StatutParcours.CANDIDAT,
    StatutParcours.EN_PARCOURS,
    StatutParcours.SUSPENDU,
    StatutParcours.EN_SUIVI_EMPLOI,
]


def conservation_of(plie_id):
    """The retention settings of a PLIE (created with the defaults on first use)."""
    settings, _ = ConservationPlie.objects.get_or_create(plie_id=plie_id)
    return settings


def plan(plie_id, today, settings=None):
    """The people of PLIE ``plie_id`` the nightly job deals with around ``today``: a list of
    dicts ``{participant_id, fin, echeance, fse, opposition, statut}`` (statut from
    :func:`rgpd.conservation.statut`, never ``None`` here), ordered by échéance.

    One query: the PLIE's participants not yet anonymised and with no open parcours, with the
    end of their last parcours (exit date, else the day it was closed), whether they have FSE
    data, and the latest objection."""
    settings = settings or conservation_of(plie_id)
    opposition = Opposition.objects.filter(participant_id=OuterRef("pk")).order_by("-jusqu_au")
    rows = (
        Participant.objects.filter(plie_id=plie_id, anonymisation__isnull=True)
        .annotate(
            ouverts=Count("parcours", filter=Q(parcours__status__in=STATUTS_OUVERTS)),
            fin=Max(Coalesce("parcours__date_sortie", TruncDate("parcours__updated_at"))),
            cree=TruncDate("created_at"),
            fse=Exists(Inscription.objects.filter(participant_id=OuterRef("pk"))),
            opposition=Subquery(opposition.values("jusqu_au")[:1], output_field=DateField()),
        )
        .filter(ouverts=0)
        .values_list("pk", "fin", "cree", "fse", "opposition")
    )
    result = []
    for participant_id, fin, cree, fse, opposition_jusqu_au in rows:
        fin = fin or cree
        echeance = conservation.echeance(
            fin=fin,
            annees=settings.annees_apres_parcours,
            fse=fse,
            fin_controle_fse=settings.fin_controle_fse,
        )
        statut = conservation.statut(
            echeance=echeance,
            today=today,
            preavis_jours=settings.jours_preavis,
            opposition_jusqu_au=opposition_jusqu_au,
        )
        if statut is not None:
            result.append(
                {
                    "participant_id": participant_id,
                    "fin": fin,
                    "echeance": echeance,
                    "fse": fse,
                    "opposition": opposition_jusqu_au,
                    "statut": statut,
                }
            )
    result.sort(key=lambda row: (row["echeance"], row["participant_id"]))
    return result
