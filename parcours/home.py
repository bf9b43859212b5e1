"""The parcours' panels of the home page (see :mod:`plie.core.home`), registered by
``ParcoursConfig.ready()``: the référent's file active, next appointments and alerts; the
animation team's commissions and dossiers without contact. Each panel costs one or two aggregate
queries, restricted to what the user may see."""

from django.db.models import Count, Exists, OuterRef, Q
from django.utils import timezone

from parcours.enums import StatutCommission, StatutParcours, TypeAlerte
from parcours.models import Alerte, Commission, Parcours

RDV_MAX = 5
COMMISSIONS_MAX = 5
SANS_CONTACT_MAX = 5


def file_active(scope, today):
    """« Ma file active »: the référent's parcours in parcours / suspended / in employment
    follow-up, and those with an open « sans contact » alert (1 query). The alert rows are the
    one source of that figure: « À traiter », the file active's alert filter and the dashboards
    count the same rows (refreshed every night, :mod:`parcours.alertes`)."""
    plie_ids = sorted(scope.personal_plie_ids)
    sans_contact = Exists(Alerte.objects.filter(parcours_id=OuterRef("pk"), type=TypeAlerte.SANS_CONTACT))
    counts = Parcours.objects.filter(referent_id=scope.user_id, plie_id__in=plie_ids).aggregate(
        en_parcours=Count("pk", filter=Q(status=StatutParcours.EN_PARCOURS)),
        suspendus=Count("pk", filter=Q(status=StatutParcours.SUSPENDU)),
        suivi_emploi=Count("pk", filter=Q(status=StatutParcours.EN_SUIVI_EMPLOI)),
        sans_contact=Count("pk", filter=Q(sans_contact)),
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
