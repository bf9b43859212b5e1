"""The « données FSE de sortie » alert of a parcours, from the enrolments' FSE exit data.

The parcours app computes its alerts every night from the alert sources of
:mod:`plie.core.registry`; its own FSE source only knows the parcours' exit date.
``OperationsConfig.ready()`` registers this one as its replacement (``register_alert_source(...,
replaces=parcours.alertes.alertes_donnees_sortie_fse)``), which reads what the FSE actually asks:
the exit data of each enrolment, to record within 4 weeks of leaving the operation (docs/domaine.md §6,
seed 004 l.7930-7945)."""

import datetime

from django.db.models import Exists, OuterRef, Q

from operations.completude import DELAI_DONNEES_SORTIE, q_sortie_a_renseigner
from parcours.alertes import DETAIL_MAX, AlerteCalculee, donnees_sortie_fse
from parcours.enums import StatutParcours, TypeAlerte


def alertes_donnees_sortie_fse(plie_id, today, seuils):
    """One alert per parcours of the PLIE that has FSE exit data to record now (2 queries):

    - an enrolment that has left its operation without exit data, the 4-week window still open
      (the earliest deadline when there are several) — whether the parcours goes on (carried
      into next year's operation) or not;
    - an enrolment still open although the parcours exited less than 28 days ago: the exit from
      the operation, then its data, are to record;
    - a parcours exited less than 28 days ago without any enrolment: the reminder of
      :func:`parcours.alertes.donnees_sortie_fse` (the FSE data has nowhere to go yet).

    Exit data recorded (``sortie_renseignee_le``) ends the alert."""
    from operations.models import Inscription
    from parcours.models import Parcours

    # the board's window: the exit day to day 28 included (operations.completude)
    parcours_sorti_recemment = Q(
        parcours__date_sortie__isnull=False,
        parcours__date_sortie__gte=today - DELAI_DONNEES_SORTIE,
        parcours__date_sortie__lte=today,
    )
    rows = (
        Inscription.objects.filter(parcours__plie_id=plie_id)
        .filter(
            (q_sortie_a_renseigner(today) & Q(date_sortie__lte=today))
            | (Q(date_sortie__isnull=True) & parcours_sorti_recemment)
        )
        .values_list("parcours_id", "date_sortie", "parcours__date_sortie", "operation__code")
        .order_by("parcours_id", "pk")
    )
    found = {}
    for parcours_id, date_sortie, date_sortie_parcours, code in rows:
        depart = date_sortie or date_sortie_parcours
        echeance = depart + DELAI_DONNEES_SORTIE
        if date_sortie:
            detail = f"Sortie de l'opération {code} le {depart:%d/%m/%Y} : données FSE de sortie à saisir"
        else:
            detail = (
                f"Parcours sorti le {depart:%d/%m/%Y} : sortie de l'opération {code} et données FSE à saisir"
            )
        detail = f"{detail} avant le {echeance:%d/%m/%Y}."
        if parcours_id not in found or echeance < found[parcours_id][1]:
            found[parcours_id] = (detail[:DETAIL_MAX], echeance)

    since = today - datetime.timedelta(days=DELAI_DONNEES_SORTIE.days - 1)  # the parcours' own rule
    sans_inscription = (
        Parcours.objects.filter(
            plie_id=plie_id, status=StatutParcours.SORTI, date_sortie__gte=since, date_sortie__lte=today
        )
        .exclude(Exists(Inscription.objects.filter(parcours=OuterRef("pk"))))
        .values_list("pk", "date_sortie")
    )
    for parcours_id, date_sortie in sans_inscription:
        rappel = donnees_sortie_fse(date_sortie=date_sortie, today=today)
        if rappel:
            found[parcours_id] = (rappel[0][:DETAIL_MAX], rappel[1])
    return [
        AlerteCalculee(parcours_id, TypeAlerte.DONNEES_SORTIE_FSE, detail, echeance)
        for parcours_id, (detail, echeance) in sorted(found.items())
    ]
