"""The summary tables the dashboards read: one snapshot per (PLIE, day), recomputed every night
by ``reporting.tasks.nightly_consolidation`` (issue 7, « The overnight consolidation »)."""

from django.conf import settings
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
         "completude": {"sans_situation_entree": int},  # in parcours, no FSE questionnaire row
         # since issue 17 (absent from older rows: the readers then count live):
         "compteurs_annee_precedente": {...},  # reporting.flux.compter's counts of the whole
                                               # previous year (flux_depuis reads them)
         "completude_operations": {...},  # operations.selectors.completude_par_plie on ``jour``
         "tendance": [{"entrees", "sorties", "sorties_positives", "en_parcours"} × 12]}
                                   # reporting.dashboards.tendances: the 12 months ending on ``jour``

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


class ExportDemande(models.Model):
    """A long export asked by a user and produced by a Celery task (``reporting.tasks.
    export_run`` → ``reporting.jobs``): the user may leave the page and come back to « Mes
    exports » for the file. Only its requester sees it; the download re-checks their scope.

    ``params``: ``{"plie_ids": [...], "annee": 2016}`` for a bilan (one PLIE or an OI's PLIE),
    ``{"plie_ids": [...]}`` for the participants (the PLIE whose participants the user could see
    when asking). ``fichier``: the file's name in the storage (``exports/…``, see ``plie.core.storage``)."""

    class Kind(models.TextChoices):
        BILAN_PDF = "bilan_pdf", "Bilan annuel (PDF)"
        BILAN_XLSX = "bilan_xlsx", "Bilan annuel (XLSX)"
        PARTICIPANTS_XLSX = "participants_xlsx", "Liste des participants (XLSX)"

    class Status(models.TextChoices):
        PENDING = "en_attente", "En attente"
        RUNNING = "en_cours", "En cours"
        DONE = "termine", "Terminé"
        FAILED = "echec", "Échec"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="demandé par", related_name="exports", on_delete=models.CASCADE
    )
    kind = models.CharField("export", max_length=30, choices=Kind.choices)
    params = models.JSONField("paramètres", default=dict, blank=True)
    libelle = models.CharField("libellé", max_length=255, blank=True)
    status = models.CharField("état", max_length=20, choices=Status.choices, default=Status.PENDING)
    progress = models.PositiveSmallIntegerField("progression (%)", default=0)
    fichier = models.CharField("fichier", max_length=255, blank=True)
    error = models.TextField("erreur", blank=True)
    created_at = models.DateTimeField("demandé le", auto_now_add=True)
    started_at = models.DateTimeField("commencé le", null=True, blank=True)
    finished_at = models.DateTimeField("terminé le", null=True, blank=True)

    class Meta:
        verbose_name = "export demandé"
        verbose_name_plural = "exports demandés"
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["user", "-created_at"], name="exportdemande_user_idx")]

    def __str__(self):
        return f"{self.get_kind_display()} — {self.libelle}"

    @property
    def is_finished(self):
        return self.status in (self.Status.DONE, self.Status.FAILED)


class ClotureQuerySet(models.QuerySet):
    def visible_to(self, scope):
        """The closures of the PLIE whose figures ``scope`` may see (a financeur included: the
        figures are aggregates; the participants behind a rectificatif are shown by the view
        only to whoever sees the PLIE's personal data)."""
        return self.filter(plie_id__in=scope.plie_ids)

    def derniere(self, plie_id, rapport, periode):
        """The latest version closed of (PLIE, report, period), or ``None``."""
        return self.filter(plie_id=plie_id, rapport=rapport, periode=periode).order_by("-version").first()


class Cloture(models.Model):
    """A closed period of one PLIE's report: the figures stored once, at closing, and served from
    here ever after (``reporting.clotures``; issue 13 « Periods that close »).

    - ``rapport``: the Département's monthly report (``periode`` « AAAA-MM ») or the PLIE's annual
      bilan with its FSE indicators (``periode`` « AAAA »);
    - ``chiffres``: the report exactly as the API returns it (``reporting.mensuel.reporting_mensuel``
      or ``reporting.bilan.bilan_annuel``, through JSON);
    - ``faits``: per parcours, the figures it counts in (``{"<parcours id>": {"participant": id,
      "cles": ["entrees", "sorties", ...]}}``), to name the participants behind a difference;
    - ``empreinte``: sha256 of the canonical JSON of ``chiffres`` and ``faits``: the data's
      fingerprint, recomputed every night (``reporting.services.clotures_verifier``);
    - ``modifiee_depuis``: set by the nightly check when the current data no longer gives the
      stored fingerprint (when it was first seen), cleared if it gives it again.

    Immutable: a stored version is never changed (:meth:`save` refuses; only the nightly check
    writes ``modifiee_depuis``, by an ``update``); a correction is a new version."""

    class Rapport(models.TextChoices):
        MENSUEL = "mensuel", "Reporting mensuel"
        BILAN = "bilan", "Bilan annuel et indicateurs FSE"

    plie = models.ForeignKey(
        Structure, verbose_name="PLIE", related_name="clotures", on_delete=models.PROTECT
    )
    rapport = models.CharField("rapport", max_length=10, choices=Rapport.choices)
    periode = models.CharField("période", max_length=7, help_text="AAAA-MM pour un mois, AAAA pour une année")
    version = models.PositiveSmallIntegerField("version")
    chiffres = models.JSONField("chiffres clôturés")
    faits = models.JSONField("faits par parcours", default=dict)
    empreinte = models.CharField("empreinte des données (sha256)", max_length=64)
    cloturee_par = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="clôturée par",
        related_name="+",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
    )
    cloturee_le = models.DateTimeField("clôturée le")
    modifiee_depuis = models.DateTimeField(
        "données modifiées depuis la clôture (constaté le)", null=True, blank=True
    )
    verifiee_le = models.DateTimeField("dernière vérification", null=True, blank=True)

    objects = ClotureQuerySet.as_manager()

    class Meta:
        verbose_name = "période clôturée"
        verbose_name_plural = "périodes clôturées"
        ordering = ["plie", "rapport", "-periode", "-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["plie", "rapport", "periode", "version"], name="cloture_unique_version"
            ),
        ]

    def __str__(self):
        return f"{self.get_rapport_display()} {self.periode} — version {self.version}"

    def save(self, *args, **kwargs):
        if self.pk is not None or not self._state.adding:
            raise ValueError("Une période clôturée ne se modifie pas : clôturez une nouvelle version.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValueError("Une période clôturée ne se supprime pas.")
