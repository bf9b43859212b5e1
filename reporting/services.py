"""Writes of the reporting app: the nightly snapshot of a PLIE (``reporting.tasks`` calls it)."""

import datetime

from django.db.models import Count, Exists, OuterRef
from django.utils import timezone

from parcours.enums import TypeAlerte
from parcours.models import Alerte
from participants.models import SituationEntree
from plie.core.routers import replica_reads
from reporting import flux as queries
from reporting import indicateurs
from reporting.flux import Periode, en_parcours_le
from reporting.models import SnapshotPlie
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


def snapshot_refresh(*, plie_id, jour):
    """Compute the snapshot of PLIE ``plie_id`` on ``jour`` and upsert it: 4 queries whatever the
    data size (3 aggregates, then one upsert statement, its own transaction). Idempotent: a
    second run for the same (PLIE, day) rewrites the same row with the same figures.
    Returns the :class:`SnapshotPlie`."""
    perimetre = Perimetre(frozenset({plie_id}))
    periode = annee_a_date(jour)
    with replica_reads():  # the aggregates on the replica when there is one, the upsert on default
        compteurs = queries.compter(perimetre, periode)
        alertes = alertes_par_type(plie_id)
        sans_situation = sans_situation_entree(perimetre, jour)
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
