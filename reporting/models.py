"""The summary tables the dashboards read: one snapshot per (PLIE, day), recomputed every night
by ``reporting.tasks.nightly_consolidation`` (issue 7, « The overnight consolidation »)."""

from django.db import models

from plie.core.models import Structure


class SnapshotPlie(models.Model):
    """One PLIE's figures on ``jour``: the stock that day and the flows of the year to date
    (1 January of ``jour``'s year to ``jour``, both included), with the definitions of
    ``reporting.flux``.

    ``indicateurs`` holds the rest, computed the same night::

        {"flux": {...},          # the flow table of the year to date (reporting.flux)
         "taux": {...},          # the four rates (reporting.indicateurs.taux_du_flux), None on 0
         "alertes": {"<type>": int, ...},  # open parcours.Alerte by type, every type present
         "completude": {"sans_situation_entree": int}}  # in parcours, no FSE questionnaire row

    Written only by :func:`reporting.services.snapshot_refresh` (an upsert: recomputing a day
    replaces its row)."""

    plie = models.ForeignKey(
        Structure, verbose_name="PLIE", related_name="snapshots", on_delete=models.CASCADE
    )
    jour = models.DateField("jour")
    en_parcours = models.PositiveIntegerField("en parcours ce jour", default=0)
    entrees_annee = models.PositiveIntegerField("entrées depuis le 1er janvier", default=0)
    sorties_annee = models.PositiveIntegerField("sorties depuis le 1er janvier", default=0)
    sorties_positives_annee = models.PositiveIntegerField(
        "sorties positives depuis le 1er janvier", default=0
    )
    abandons_annee = models.PositiveIntegerField("abandons depuis le 1er janvier", default=0)
    neutralisees_annee = models.PositiveIntegerField("sorties neutralisées depuis le 1er janvier", default=0)
    indicateurs = models.JSONField("indicateurs", default=dict, blank=True)
    computed_at = models.DateTimeField("calculé le")

    class Meta:
        verbose_name = "instantané de PLIE"
        verbose_name_plural = "instantanés de PLIE"
        ordering = ["-jour", "plie"]
        constraints = [models.UniqueConstraint(fields=["plie", "jour"], name="snapshot_unique_per_plie_day")]

    def __str__(self):
        return f"{self.plie} {self.jour:%d/%m/%Y}"
