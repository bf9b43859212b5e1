"""Writes of the reporting app: the nightly snapshot of a PLIE (``reporting.tasks`` calls it), the
closing of a period and the nightly check of the closed periods (``reporting.clotures``)."""

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, Exists, OuterRef, Subquery
from django.utils import timezone

from operations.selectors import completude_par_plie
from parcours.enums import TypeAlerte
from parcours.models import Alerte
from participants.models import SituationEntree
from plie.core.models import Structure
from plie.core.routers import replica_reads
from reporting import flux as queries
from reporting import indicateurs
from reporting.dashboards import SERIES, tendances
from reporting.flux import Periode, en_parcours_le
from reporting.models import Cloture, SnapshotPlie
from reporting.selectors import Perimetre


def annee_a_date(jour):
    """1 January of ``jour``'s year to ``jour``: the period of a snapshot's flows."""
    return Periode(datetime.date(jour.year, 1, 1), jour)


def sans_situation_entree(perimetre, jour):
    """Participants in parcours on ``jour`` with no SituationEntree at all (one query).

    The full completeness check of the FSE questionnaire (``participants.fse``) runs in Python
    over each answer; this is the part SQL can count cheaply: the questionnaire never started."""
    situations = SituationEntree.objects.filter(participant_id=OuterRef("participant_id"))
    return (
        perimetre.parcours()
        .filter(en_parcours_le(jour))
        .filter(~Exists(situations))
        .aggregate(n=Count("participant_id", distinct=True))["n"]
    )


def alertes_par_type(plie_id):
    """The PLIE's alerts (as the last nightly refresh left them) by type, every type present."""
    counts = dict(
        Alerte.objects.filter(plie_id=plie_id)
        .values("type")
        .annotate(n=Count("pk"))
        .values_list("type", "n")
        .order_by()
    )
    return {value: counts.get(value, 0) for value in TypeAlerte.values}


def _json_compteurs(compteurs):
    """:func:`reporting.flux.compter`'s counts as JSON (the total duration left out)."""
    return {cle: valeur for cle, valeur in compteurs.items() if cle != "duree_sorties"}


def snapshot_refresh(*, plie_id, jour):
    """Compute the snapshot of PLIE ``plie_id`` on ``jour`` and upsert it: 7 queries whatever the
    data size (6 aggregates, then one upsert statement, its own transaction). Idempotent: a
    second run for the same (PLIE, day) rewrites the same row with the same figures.
    Returns the :class:`SnapshotPlie`.

    Besides the year to date, it stores what the home pages and the dashboards would otherwise
    aggregate over every parcours or enrolment on each display (issue 17): the counts of the
    whole previous year's flow table (the gestionnaire's « Bilan annuel »), the operations'
    completeness of ``jour``'s year on ``jour`` and the 12-month trends ending on ``jour``."""
    perimetre = Perimetre(frozenset({plie_id}))
    periode = annee_a_date(jour)
    with replica_reads():  # the aggregates on the replica when there is one, the upsert on default
        compteurs = queries.compter(perimetre, periode)
        precedente = queries.compter(perimetre, Periode.annee(jour.year - 1))
        alertes = alertes_par_type(plie_id)
        sans_situation = sans_situation_entree(perimetre, jour)
        operations = completude_par_plie([plie_id], jour)[plie_id]
        tendance = tendances([plie_id], jour)[plie_id]
    flux = queries.flux_depuis(compteurs)
    sorties = indicateurs.total_sorties(flux)
    valeurs = {
        "en_parcours": flux["en_parcours_fin"],
        "entrees_annee": flux["entrees"],
        "sorties_annee": sorties,
        "sorties_positives_annee": flux["sorties_positives"]["total"],
        "abandons_annee": flux["sorties_sans_suite"]["abandons"],
        "neutralisees_annee": flux["sorties_sans_suite"]["neutralisees"],
        "indicateurs": {
            "flux": flux,
            "taux": indicateurs.taux_du_flux(flux),
            "alertes": alertes,
            "completude": {"sans_situation_entree": sans_situation},
            "compteurs_annee_precedente": _json_compteurs(precedente),
            "completude_operations": operations,
            "tendance": [{serie: mois[serie] for serie, _ in SERIES} for mois in tendance],
        },
        "computed_at": timezone.now(),
    }
    # INSERT … ON CONFLICT (plie, jour) DO UPDATE: one statement, atomic by itself, and safe when
    # two workers race on the same (PLIE, day) (a redelivered message), where update_or_create's
    # SELECT … FOR UPDATE on a missing row would let both INSERT and one fail.
    [snapshot] = SnapshotPlie.objects.bulk_create(
        [SnapshotPlie(plie_id=plie_id, jour=jour, **valeurs)],
        update_conflicts=True,
        unique_fields=["plie", "jour"],
        update_fields=list(valeurs),
    )
    return snapshot


# --- Periods that close (reporting.clotures) ---------------------------------------------------


@transaction.atomic
def cloture_create(*, scope, plie, rapport, periode, aujourd_hui=None):
    """Close ``periode`` (« AAAA-MM » for the monthly report, « AAAA » for the bilan) of ``plie``'s
    ``rapport``: store the report as the data gives it now, with its per-parcours facts and the
    data's fingerprint, as version 1, or as the next version when the period was closed before
    and its data changed since (a rectificatif). Only a period that is over; never twice the
    same data. Returns the new :class:`~reporting.models.Cloture`.

    The PLIE row is locked for the time of the closing, so two gestionnaires closing at once
    get versions 1 and 2 (or a refusal), never a duplicate."""
    from reporting import clotures
    from reporting.permissions import can_close_periode

    if not can_close_periode(scope, plie.pk):
        raise PermissionDenied("Vous ne pouvez pas clôturer les périodes de ce PLIE.")
    if rapport not in Cloture.Rapport.values:
        raise ValidationError({"rapport": [f"Rapport « {rapport} » inconnu."]})
    try:
        clotures.verifier_terminee(rapport, periode, aujourd_hui)
    except clotures.PeriodeNonCloturable as exc:
        raise ValidationError({"periode": [str(exc)]}) from None
    Structure.objects.select_for_update().filter(pk=plie.pk).first()
    precedente = Cloture.objects.derniere(plie.pk, rapport, periode)
    chiffres, faits = clotures.calculer(plie, rapport, periode)
    empreinte = clotures.empreinte(chiffres, faits)
    if precedente is not None and precedente.empreinte == empreinte:
        raise ValidationError(
            {
                "periode": [
                    f"{clotures.libelle_periode(rapport, periode).capitalize()} est déjà clôturé "
                    f"(version {precedente.version}) et ses données n'ont pas changé depuis."
                ]
            }
        )
    return Cloture.objects.create(
        plie=plie,
        rapport=rapport,
        periode=periode,
        version=(precedente.version + 1) if precedente else 1,
        chiffres=chiffres,
        faits=faits,
        empreinte=empreinte,
        cloturee_par=scope.user,
        cloturee_le=timezone.now(),
    )


def clotures_verifier(*, plie_id, maintenant=None):
    """The nightly check of PLIE ``plie_id``'s closed periods: for the latest version of each,
    recompute the report and its facts from today's data and compare the fingerprint. A period
    whose data changed gets ``modifiee_depuis`` (the first night it was seen; kept on the next
    nights), one whose data gives its stored figures again gets it cleared; every checked
    version gets ``verifiee_le``. Idempotent: a second run the same night writes the same state.
    Writes by ``update`` only (a stored version is immutable). Returns the number of periods
    marked as changed."""
    from reporting import clotures

    maintenant = maintenant or timezone.now()
    # the latest version of each period (a correlated subquery: portable, one query)
    derniere_version = (
        Cloture.objects.filter(plie_id=plie_id, rapport=OuterRef("rapport"), periode=OuterRef("periode"))
        .order_by("-version")
        .values("version")[:1]
    )
    dernieres = (
        Cloture.objects.filter(plie_id=plie_id, version=Subquery(derniere_version))
        .select_related("plie")
        .order_by("rapport", "periode")
    )
    modifiees = 0
    for cloture in dernieres:  # one query when the PLIE has closed nothing
        chiffres, faits = clotures.calculer(cloture.plie, cloture.rapport, cloture.periode)
        changee = clotures.empreinte(chiffres, faits) != cloture.empreinte
        valeurs = {"verifiee_le": maintenant}
        if changee:
            modifiees += 1
            valeurs["modifiee_depuis"] = cloture.modifiee_depuis or maintenant
        else:
            valeurs["modifiee_depuis"] = None
        Cloture.objects.filter(pk=cloture.pk).update(**valeurs)
    return modifiees
