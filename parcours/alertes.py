"""What needs attention in a PLIE, recomputed every night (``parcours.tasks``) and shown in the
référents' workspace and to the animation team.

Each alert type is a small pure rule over plain values (``sans_contact``, ``rdv_passe``…, the
boundary stated in its docstring); the *sources* read one PLIE's rows and apply them;
:func:`alertes_refresh` writes the result. Thresholds come from the PLIE's
:class:`~parcours.models.ParametresPlie` (defaults when it has none).

**Sources.** An extension point of :mod:`plie.core.registry`:
``source(plie_id, today, seuils) -> [AlerteCalculee]``, a fixed number of queries each.
``ParcoursConfig.ready()`` registers the four below; later apps add theirs or replace one
(operations replaces :func:`alertes_donnees_sortie_fse`).

**Queries.** One PLIE's refresh costs a fixed number of queries, whatever its size
(:data:`READ_QUERIES` = 7 reads: the settings, the active parcours with their proposed exit,
the étapes with contracts of those awaiting validation, the suspensions, the recent exits, the
adjourned candidatures, the existing alerts), then one ``DELETE`` when alerts went away and one
upsert (``INSERT … ON CONFLICT (parcours, type) DO UPDATE``), each per :data:`BATCH_SIZE` rows.

**Idempotent.** The alerts of a PLIE are exactly what the rules say on ``today``: rows still
true are upserted on (parcours, type), the others deleted; running twice gives the same rows.
Only the given PLIE's parcours are read (``plie_id`` in every query).
"""

import datetime
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone

from parcours.enums import ObjetPassage, StatutCommission, StatutParcours, TypeAlerte
from parcours.sorties import add_months, etapes_for_rules, periodes_of_etapes, validation_status
from plie.core import registry
from plie.core.dates import format_date

READ_QUERIES = 7
BATCH_SIZE = 500
DETAIL_MAX = 255
FSE_SORTIE_JOURS = 28  # the FSE exit situation is recorded within 4 weeks of the exit (docs/domaine.md §3.7)

ACTIFS = (StatutParcours.EN_PARCOURS, StatutParcours.SUSPENDU, StatutParcours.EN_SUIVI_EMPLOI)
SUIVIS = (StatutParcours.EN_PARCOURS, StatutParcours.EN_SUIVI_EMPLOI)  # met regularly (not suspended)


@dataclass(frozen=True)
class AlerteCalculee:
    parcours_id: int
    type: str
    detail: str
    echeance: datetime.date | None


@dataclass(frozen=True)
class Seuils:
    """A PLIE's thresholds (``ParametresPlie``), with the model's defaults when it has none."""

    jours_sans_contact: int = 30
    duree_cible_mois: int = 24
    jours_avant_fin_suspension: int = 7

    @classmethod
    def of_plie(cls, plie_id):
        from parcours.models import ParametresPlie

        row = (
            ParametresPlie.objects.filter(plie_id=plie_id)
            .values("jours_sans_contact", "duree_cible_mois", "jours_avant_fin_suspension")
            .first()
        )
        return cls(**row) if row else cls()


# --- the rules (pure) --------------------------------------------------------------------------
# Each returns ``(detail, echeance)`` when the alert is on, else ``None``.


def sans_contact(*, dernier_contact, date_entree, today, jours):
    """No contact for **more than** ``jours`` days: the last contact (the last entretien, else
    the entry date) is ``jours + 1`` days ago or more (30 days: no alert; 31: alert)."""
    last = dernier_contact or date_entree
    if last is None:
        return None
    days = (today - last).days
    if days <= jours:
        return None
    origin = "dernier entretien" if dernier_contact else "entrée"
    return (
        f"Pas de contact depuis {days} jours ({origin} le {format_date(last)}).",
        last + datetime.timedelta(days=jours),
    )


def rdv_passe(*, prochain_rdv, dernier_contact, today):
    """The next appointment's day is over (before ``today``) and no entretien was logged on or
    after it (``dernier_contact`` earlier or missing)."""
    if prochain_rdv is None:
        return None
    day = timezone.localtime(prochain_rdv).date() if timezone.is_aware(prochain_rdv) else prochain_rdv.date()
    if day >= today or (dernier_contact is not None and dernier_contact >= day):
        return None
    return f"Rendez-vous du {format_date(day)} passé sans entretien.", day


def parcours_long(*, date_entree, today, mois):
    """In the PLIE for **more than** ``mois`` months: ``today`` is after the entry date +
    ``mois`` calendar months (on that date exactly: no alert yet)."""
    if date_entree is None:
        return None
    limit = add_months(date_entree, mois)
    if today <= limit:
        return None
    return f"En parcours depuis le {format_date(date_entree)} : plus de {mois} mois.", limit


def fin_suspension(*, date_fin, today, jours):
    """The current suspension of a suspended parcours ends within ``jours`` days (its end on
    ``today + jours`` included), or has ended without the parcours being resumed."""
    if date_fin is None or date_fin > today + datetime.timedelta(days=jours):
        return None
    if date_fin < today:
        return (
            f"La suspension devait se terminer le {format_date(date_fin)} : reprise du parcours à saisir.",
            date_fin,
        )
    return f"La suspension se termine le {format_date(date_fin)}.", date_fin


def donnees_sortie_fse(*, date_sortie, today):
    """FSE exit data due: the exit was less than 28 days ago (day 27: alert; day 28: none), the
    situation is to record before ``date_sortie + 28 days``. The operations app uses it as the
    reminder for an exited parcours that has no enrolment (``operations.alertes``)."""
    if date_sortie is None or date_sortie > today:
        return None
    if (today - date_sortie).days >= FSE_SORTIE_JOURS:
        return None
    due = date_sortie + datetime.timedelta(days=FSE_SORTIE_JOURS)
    detail = f"Sortie du {format_date(date_sortie)} : situation FSE de sortie à saisir"
    return f"{detail} avant le {format_date(due)}.", due


def ajournement_echu(*, date_representation, today):
    """An adjourned candidature whose re-present date is past (before ``today``) and that is not
    on the agenda of a planned session (checked by the source)."""
    if date_representation is None or date_representation >= today:
        return None
    return (
        f"Candidature ajournée : à représenter depuis le {format_date(date_representation)}.",
        date_representation,
    )


# --- the sources (one PLIE's rows) ---------------------------------------------------------------


def _alerte(parcours_id, kind, found):
    detail, echeance = found
    return AlerteCalculee(parcours_id, kind, detail[:DETAIL_MAX], echeance)


def alertes_actifs(plie_id, today, seuils):
    """Sans contact, rendez-vous passé, parcours long, sortie validable: the active parcours
    (1 query) and the contracts of those whose exit awaits validation (1 query)."""
    from parcours.models import Parcours

    parcours = list(
        Parcours.objects.filter(plie_id=plie_id, status__in=ACTIFS)
        .select_related("sortie__type")
        .order_by("pk")
    )
    etapes = etapes_for_rules().filter(
        parcours__plie_id=plie_id, parcours__status__in=ACTIFS, parcours__sortie__validee=False
    )
    etapes_by_parcours = {}
    for etape in etapes:
        etapes_by_parcours.setdefault(etape.parcours_id, []).append(etape)
    alertes = []
    for p in parcours:
        if p.status in SUIVIS:
            found = sans_contact(
                dernier_contact=p.dernier_contact,
                date_entree=p.date_entree,
                today=today,
                jours=seuils.jours_sans_contact,
            )
            if found:
                alertes.append(_alerte(p.pk, TypeAlerte.SANS_CONTACT, found))
            found = rdv_passe(prochain_rdv=p.prochain_rdv, dernier_contact=p.dernier_contact, today=today)
            if found:
                alertes.append(_alerte(p.pk, TypeAlerte.RDV_PASSE, found))
        found = parcours_long(date_entree=p.date_entree, today=today, mois=seuils.duree_cible_mois)
        if found:
            alertes.append(_alerte(p.pk, TypeAlerte.PARCOURS_LONG, found))
        status = validation_status(p, today, contrats=periodes_of_etapes(etapes_by_parcours.get(p.pk, ())))
        if status.validable_now:
            alertes.append(_alerte(p.pk, TypeAlerte.SORTIE_VALIDABLE, (status.reason, status.date_validable)))
    return alertes


def alertes_suspensions(plie_id, today, seuils):
    """Fin de suspension: the latest suspension of each suspended parcours (1 query)."""
    from parcours.models import Suspension

    rows = (
        Suspension.objects.filter(parcours__plie_id=plie_id, parcours__status=StatutParcours.SUSPENDU)
        .order_by("parcours_id", "-date_debut", "-pk")
        .values_list("parcours_id", "date_fin")
    )
    latest = {}
    for parcours_id, date_fin in rows:
        latest.setdefault(parcours_id, date_fin)
    alertes = []
    for parcours_id, date_fin in latest.items():
        found = fin_suspension(date_fin=date_fin, today=today, jours=seuils.jours_avant_fin_suspension)
        if found:
            alertes.append(_alerte(parcours_id, TypeAlerte.FIN_SUSPENSION, found))
    return alertes


def alertes_donnees_sortie_fse(plie_id, today, seuils):
    """Données FSE de sortie: parcours exited less than 28 days ago (1 query). The operations app,
    when installed, registers its own source reading the enrolments' FSE exit data as this one's
    replacement (``operations.alertes.alertes_donnees_sortie_fse``, see ``operations.apps``)."""
    from parcours.models import Parcours

    since = today - datetime.timedelta(days=FSE_SORTIE_JOURS - 1)
    rows = Parcours.objects.filter(
        plie_id=plie_id, status=StatutParcours.SORTI, date_sortie__gte=since, date_sortie__lte=today
    ).values_list("pk", "date_sortie")
    alertes = []
    for parcours_id, date_sortie in rows:
        found = donnees_sortie_fse(date_sortie=date_sortie, today=today)
        if found:
            alertes.append(_alerte(parcours_id, TypeAlerte.DONNEES_SORTIE_FSE, found))
    return alertes


def alertes_ajournements(plie_id, today, seuils):
    """Candidatures ajournées past their re-present date and not on a planned session's agenda
    (1 query)."""
    from parcours.models import Decision, Parcours

    on_agenda = Decision.objects.filter(
        parcours=OuterRef("pk"),
        objet=ObjetPassage.CANDIDATURE,
        decision="",
        commission__status=StatutCommission.PREVUE,
    )
    rows = (
        Parcours.objects.filter(
            plie_id=plie_id, status=StatutParcours.CANDIDAT, date_representation__lt=today
        )
        .exclude(Exists(on_agenda))
        .values_list("pk", "date_representation")
    )
    alertes = []
    for parcours_id, date_representation in rows:
        found = ajournement_echu(date_representation=date_representation, today=today)
        if found:
            alertes.append(_alerte(parcours_id, TypeAlerte.AJOURNEMENT_ECHU, found))
    return alertes


def compute_alertes(plie_id, today):
    """Every alert of the PLIE on ``today`` from the registered sources (6 queries), sorted by
    parcours and type."""
    seuils = Seuils.of_plie(plie_id)
    alertes = [alerte for source in registry.alert_sources() for alerte in source(plie_id, today, seuils)]
    return sorted(alertes, key=lambda a: (a.parcours_id, a.type))


@transaction.atomic
def alertes_refresh(*, plie_id, today):
    """Make the PLIE's stored alerts exactly :func:`compute_alertes` on ``today``: upsert on
    (parcours, type), delete those no longer true. Returns the number of alerts."""
    from parcours.models import Alerte

    alertes = compute_alertes(plie_id, today)
    wanted = {(a.parcours_id, a.type) for a in alertes}
    stale = [
        pk
        for pk, parcours_id, kind in Alerte.objects.filter(plie_id=plie_id).values_list(
            "pk", "parcours_id", "type"
        )
        if (parcours_id, kind) not in wanted
    ]
    for start in range(0, len(stale), BATCH_SIZE):
        Alerte.objects.filter(pk__in=stale[start : start + BATCH_SIZE]).delete()
    if alertes:
        Alerte.objects.bulk_create(
            [
                Alerte(
                    plie_id=plie_id,
                    parcours_id=a.parcours_id,
                    type=a.type,
                    detail=a.detail,
                    echeance=a.echeance,
                    computed_on=today,
                )
                for a in alertes
            ],
            batch_size=BATCH_SIZE,
            update_conflicts=True,
            unique_fields=["parcours", "type"],
            update_fields=["plie", "detail", "echeance", "computed_on"],
        )
    return len(alertes)
