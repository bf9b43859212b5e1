"""The parcours' panels of the home page (see :mod:`plie.core.home`), registered by
``ParcoursConfig.ready()``: the référent's file active, next appointments and alerts; the
animation team's commissions and dossiers without contact. Each panel costs one or two aggregate
queries, restricted to what the user may see."""

import datetime
from functools import reduce
from operator import or_

from django.db.models import Count, Q
from django.utils import timezone

from parcours.alertes import SUIVIS, Seuils
from parcours.enums import StatutCommission, StatutParcours, TypeAlerte
from parcours.models import Alerte, Commission, ParametresPlie, Parcours

RDV_MAX = 5
COMMISSIONS_MAX = 5
SANS_CONTACT_MAX = 5


def q_sans_contact(plie_ids, today):
    """SQL twin of :func:`parcours.alertes.sans_contact` on the parcours met regularly: the last
    contact (the last entretien, else the entry date) is more than the PLIE's
    ``jours_sans_contact`` days before ``today``. Reads the PLIE's thresholds (1 query)."""
    jours = {
        row["plie_id"]: row["jours_sans_contact"]
        for row in ParametresPlie.objects.filter(plie_id__in=plie_ids).values("plie_id", "jours_sans_contact")
    }
    conditions = []
    for plie_id in plie_ids:
        limite = today - datetime.timedelta(days=jours.get(plie_id, Seuils.jours_sans_contact))
        conditions.append(
            Q(plie_id=plie_id)
            & (Q(dernier_contact__lt=limite) | Q(dernier_contact__isnull=True, date_entree__lt=limite))
        )
    if not conditions:
        return Q(pk__in=[])
    return Q(status__in=SUIVIS) & reduce(or_, conditions)


def file_active(scope, today):
    """« Ma file active »: the référent's parcours in parcours / suspended / in employment
    follow-up, and those without contact for too long (2 queries)."""
    plie_ids = sorted(scope.personal_plie_ids)
    counts = Parcours.objects.filter(referent_id=scope.user_id, plie_id__in=plie_ids).aggregate(
        en_parcours=Count("pk", filter=Q(status=StatutParcours.EN_PARCOURS)),
        suspendus=Count("pk", filter=Q(status=StatutParcours.SUSPENDU)),
        suivi_emploi=Count("pk", filter=Q(status=StatutParcours.EN_SUIVI_EMPLOI)),
        sans_contact=Count("pk", filter=q_sans_contact(plie_ids, today)),
    )
    counts["total"] = counts["en_parcours"] + counts["suspendus"] + counts["suivi_emploi"]
    return {"template": "parcours/includes/home_file_active.html", **counts}


def prochains_rdv(scope, today):
    """« Mes prochains rendez-vous »: the next :data:`RDV_MAX` appointments (from now) of the
    parcours the référent follows (1 query)."""
    rdvs = list(
        Parcours.objects.filter(
            referent_id=scope.user_id,
            plie_id__in=scope.personal_plie_ids,
            prochain_rdv__gte=timezone.now(),
        )
        .exclude(status__in=[StatutParcours.SORTI, StatutParcours.NON_ADMIS])
        .select_related("participant")
        .order_by("prochain_rdv", "pk")[:RDV_MAX]
    )
    return {"template": "parcours/includes/home_rdv.html", "rdvs": rdvs}


def a_traiter(scope, today):
    """« À traiter »: the référent's open alerts, counted by type (1 query)."""
    rows = (
        Alerte.objects.filter(parcours__referent_id=scope.user_id, plie_id__in=scope.personal_plie_ids)
        .values("type")
        .annotate(nombre=Count("pk"))
        .order_by("type")
    )
    labels = dict(TypeAlerte.choices)
    alertes = [
        {"type": r["type"], "label": labels.get(r["type"], r["type"]), "nombre": r["nombre"]} for r in rows
    ]
    return {
        "template": "parcours/includes/home_alertes.html",
        "alertes": alertes,
        "total": sum(a["nombre"] for a in alertes),
    }


def commissions(scope, today):
    """« Commissions d'intégration »: the next planned sessions of the scope's PLIE with the
    number of dossiers on their agenda (1 query), and the candidates waiting for a commission:
    not admitted yet and on no planned session's agenda (1 query)."""
    plie_ids = scope.personal_plie_ids
    prevues = Commission.objects.filter(plie_id__in=plie_ids, status=StatutCommission.PREVUE)
    a_venir = list(
        prevues.filter(date__gte=today)
        .annotate(nb_dossiers=Count("decisions"))
        .order_by("date", "pk")[:COMMISSIONS_MAX]
    )
    candidats = (
        Parcours.objects.filter(plie_id__in=plie_ids, status=StatutParcours.CANDIDAT)
        .exclude(decisions__commission__in=prevues)
        .count()
    )
    return {
        "template": "parcours/includes/home_commissions.html",
        "commissions": a_venir,
        "candidats": candidats,
        "plusieurs_plie": len(plie_ids) > 1,
    }


def dossiers_sans_contact(scope, today):
    """« Dossiers sans contact »: the open « sans contact » alerts of the scope's PLIE, their
    count and the :data:`SANS_CONTACT_MAX` oldest (2 queries)."""
    alertes = Alerte.objects.filter(plie_id__in=scope.personal_plie_ids, type=TypeAlerte.SANS_CONTACT)
    plus_anciens = list(
        alertes.select_related("parcours__participant").order_by("echeance", "pk")[:SANS_CONTACT_MAX]
    )
    return {
        "template": "parcours/includes/home_sans_contact.html",
        "total": alertes.count(),
        "alertes": plus_anciens,
    }
