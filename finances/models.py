"""The money side of an operation: who is paid on it (``Personnel``, ``Affectation``) and the
time they trace on it, week by week (``FicheTemps``, ``LigneTemps``).

Money and time are sensitive: every QuerySet here filters with ``visible_to(scope)``, which lets
the **gestionnaire**, **direction** and **administrateur** of a PLIE see its rows, and each
person their own sheets (plus the responsable who countersigns them), see ``finances.permissions``."""

import uuid
from pathlib import PurePath

from django.conf import settings
from django.db import models
from django.db.models import F, Q

from finances.enums import CategorieDepense, Financeur, ModeAffectation, ModeIndirects, Nature, StatutFiche
from operations.models import Operation
from plie.core.models import Structure

USER = settings.AUTH_USER_MODEL


def _finance_plie_ids(scope):
    from finances.permissions import finance_plie_ids

    return finance_plie_ids(scope)


class PersonnelQuerySet(models.QuerySet):
    def visible_to(self, scope):
        """The PLIE's staff records: the finance roles see theirs, a person their own."""
        return self.filter(
            Q(plie_id__in=_finance_plie_ids(scope))
            | Q(plie_id__in=scope.plie_ids, user_id=scope.user_id)
            | Q(plie_id__in=scope.plie_ids, responsable_id=scope.user_id)
        )


class Personnel(models.Model):
    """A person paid by the PLIE (or its opérateur) whose time may be charged to operations: the
    daily hours of their contract (a day above them is refused) and the responsable who
    countersigns their time sheets."""

    plie = models.ForeignKey(
        Structure,
        verbose_name="PLIE",
        related_name="+",
        on_delete=models.PROTECT,
        limit_choices_to={"kind": "plie"},
    )
    user = models.ForeignKey(USER, verbose_name="personne", related_name="+", on_delete=models.PROTECT)
    fonction = models.CharField("fonction", max_length=150, blank=True)
    heures_jour = models.DecimalField(
        "heures par jour (contrat)",
        max_digits=4,
        decimal_places=2,
        default=7,
        help_text="Au-delà, une journée de la fiche temps est refusée (10 h au plus dans tous les cas).",
    )
    responsable = models.ForeignKey(
        USER,
        verbose_name="responsable hiérarchique",
        related_name="+",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = PersonnelQuerySet.as_manager()

    class Meta:
        verbose_name = "personnel"
        verbose_name_plural = "personnels"
        ordering = ["plie", "user__last_name", "user__first_name", "pk"]
        constraints = [models.UniqueConstraint(fields=["plie", "user"], name="personnel_unique_par_plie")]

    def __str__(self):
        return str(self.user)


def justificatif_upload_to(instance, filename):
    """Stored through the storage API under a random name, never served by URL."""
    suffix = PurePath(filename).suffix.lower()[:8]
    return f"finances/{instance.personnel.plie_id}/affectations/{uuid.uuid4().hex}{suffix}"


class AffectationQuerySet(models.QuerySet):
    def visible_to(self, scope):
        return self.filter(personnel__in=Personnel.objects.visible_to(scope))

    def actives(self, debut, fin):
        """The assignments overlapping the days ``debut``–``fin``."""
        return self.filter(date_debut__lte=fin, date_fin__gte=debut)


class Affectation(models.Model):
    """A person's assignment to an operation over a period, with its mode and its proof (the
    contract, the mission letter or the job description)."""

    personnel = models.ForeignKey(Personnel, related_name="affectations", on_delete=models.CASCADE)
    operation = models.ForeignKey(
        Operation, verbose_name="opération", related_name="affectations", on_delete=models.PROTECT
    )
    mode = models.CharField("mode d'affectation", max_length=20, choices=ModeAffectation.choices)
    pourcentage = models.DecimalField(
        "pourcentage mensuel", max_digits=5, decimal_places=2, null=True, blank=True
    )
    date_debut = models.DateField("du")
    date_fin = models.DateField("au")
    justificatif = models.FileField(
        "justificatif", upload_to=justificatif_upload_to, max_length=255, blank=True
    )
    justificatif_nom = models.CharField("nom du justificatif", max_length=255, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(USER, related_name="+", on_delete=models.SET_NULL, null=True)

    objects = AffectationQuerySet.as_manager()

    class Meta:
        verbose_name = "affectation"
        verbose_name_plural = "affectations"
        ordering = ["personnel", "date_debut", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(date_fin__gte=F("date_debut")), name="affectation_periode_ordonnee"
            ),
        ]

    def __str__(self):
        return f"{self.personnel} — {self.operation.code} ({self.get_mode_display()})"


class FicheTempsQuerySet(models.QuerySet):
    def visible_to(self, scope):
        return self.filter(personnel__in=Personnel.objects.visible_to(scope))

    def courantes(self):
        """The current version of each week (not replaced by a correction)."""
        return self.exclude(statut=StatutFiche.REMPLACEE)


class FicheTemps(models.Model):
    """One person's time sheet for one week (Monday ``semaine``): hours per day and operation.

    Signed by the person then validated by their responsable (dated, by whom); once signed it
    no longer changes: a correction is a new ``version`` and the old one is kept, « remplacée »."""

    personnel = models.ForeignKey(Personnel, related_name="fiches", on_delete=models.PROTECT)
    semaine = models.DateField("semaine du")
    version = models.PositiveSmallIntegerField("version", default=1)
    statut = models.CharField(
        "statut", max_length=12, choices=StatutFiche.choices, default=StatutFiche.BROUILLON
    )
    signee_le = models.DateTimeField("signée le", null=True, blank=True)
    signee_par = models.ForeignKey(USER, related_name="+", on_delete=models.PROTECT, null=True, blank=True)
    validee_le = models.DateTimeField("validée le", null=True, blank=True)
    validee_par = models.ForeignKey(USER, related_name="+", on_delete=models.PROTECT, null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = FicheTempsQuerySet.as_manager()

    class Meta:
        verbose_name = "fiche temps"
        verbose_name_plural = "fiches temps"
        ordering = ["personnel", "-semaine", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["personnel", "semaine", "version"], name="fiche_unique_version"),
            models.UniqueConstraint(
                fields=["personnel", "semaine"],
                condition=~Q(statut="remplacee"),
                name="fiche_une_courante_par_semaine",
            ),
            models.CheckConstraint(condition=Q(semaine__week_day=2), name="fiche_semaine_un_lundi"),
        ]

    def __str__(self):
        return f"Fiche temps de {self.personnel} — semaine du {self.semaine:%d/%m/%Y} (v{self.version})"

    @property
    def modifiable(self):
        return self.statut == StatutFiche.BROUILLON


class LigneTemps(models.Model):
    """Hours of one day on one operation, or « hors opération » (``operation`` empty)."""

    fiche = models.ForeignKey(FicheTemps, related_name="lignes", on_delete=models.CASCADE)
    jour = models.DateField("jour")
    operation = models.ForeignKey(
        Operation, verbose_name="opération", related_name="+", on_delete=models.PROTECT, null=True, blank=True
    )
    heures = models.DecimalField("heures", max_digits=4, decimal_places=2)

    class Meta:
        verbose_name = "ligne de temps"
        verbose_name_plural = "lignes de temps"
        ordering = ["fiche", "jour", "operation_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["fiche", "jour", "operation"], nulls_distinct=False, name="ligne_temps_unique"
            ),
            models.CheckConstraint(condition=Q(heures__gt=0), name="ligne_temps_heures_positives"),
        ]

    def __str__(self):
        return f"{self.jour:%d/%m/%Y} {self.heures} h"


class SalaireQuerySet(models.QuerySet):
    def visible_to(self, scope):
        """Salaries: the finance roles of the PLIE only (not the person, not the responsable)."""
        return self.filter(personnel__plie_id__in=_finance_plie_ids(scope))


class Salaire(models.Model):
    """The pay of one person for one month (its 1st): gross, employer charges and the hours
    worked that month (from the pay slip), the denominator of the staff cost."""

    personnel = models.ForeignKey(Personnel, related_name="salaires", on_delete=models.CASCADE)
    mois = models.DateField("mois")
    brut = models.DecimalField("salaire brut (€)", max_digits=10, decimal_places=2)
    charges = models.DecimalField("charges patronales (€)", max_digits=10, decimal_places=2)
    heures_travaillees = models.DecimalField("heures travaillées", max_digits=6, decimal_places=2)
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(USER, related_name="+", on_delete=models.SET_NULL, null=True)

    objects = SalaireQuerySet.as_manager()

    class Meta:
        verbose_name = "salaire"
        verbose_name_plural = "salaires"
        ordering = ["personnel", "mois"]
        constraints = [
            models.UniqueConstraint(fields=["personnel", "mois"], name="salaire_unique_par_mois"),
            models.CheckConstraint(condition=Q(mois__day=1), name="salaire_mois_au_premier"),
        ]

    def __str__(self):
        return f"{self.personnel} — {self.mois:%m/%Y}"

    @property
    def total(self):
        return self.brut + self.charges


def piece_upload_to(instance, filename):
    suffix = PurePath(filename).suffix.lower()[:8]
    return f"finances/{instance.operation.plie_id}/pieces/{uuid.uuid4().hex}{suffix}"


class ParametresFinanciers(models.Model):
    """How an operation's indirect costs are computed: a flat rate of the direct staff cost, or
    real costs by a distribution key (then entered as expense lines with their proof)."""

    operation = models.OneToOneField(
        Operation, related_name="parametres_financiers", on_delete=models.CASCADE
    )
    mode_indirects = models.CharField(
        "dépenses indirectes", max_length=10, choices=ModeIndirects.choices, default=ModeIndirects.FORFAIT
    )
    taux_forfaitaire = models.DecimalField(
        "taux forfaitaire (% des dépenses directes de personnel)", max_digits=5, decimal_places=2, default=15
    )
    cle_repartition = models.TextField("clé de répartition", blank=True)

    class Meta:
        verbose_name = "paramètres financiers"
        verbose_name_plural = "paramètres financiers"

    def __str__(self):
        return f"Paramètres financiers de {self.operation}"


class LigneFinanciereQuerySet(models.QuerySet):
    def visible_to(self, scope):
        return self.filter(operation__plie_id__in=_finance_plie_ids(scope))


class Depense(models.Model):
    """One expense line of an operation's plan, forecast or realised, with its proof (invoice,
    pay slip…) when realised. Direct staff costs are computed from the salaries and time
    sheets; a forecast of them is entered here as a line."""

    operation = models.ForeignKey(Operation, related_name="depenses", on_delete=models.CASCADE)
    categorie = models.CharField("catégorie", max_length=20, choices=CategorieDepense.choices)
    nature = models.CharField("prévu / réalisé", max_length=10, choices=Nature.choices)
    libelle = models.CharField("libellé", max_length=255)
    date = models.DateField("date", null=True, blank=True)
    montant = models.DecimalField("montant (€)", max_digits=12, decimal_places=2)
    piece = models.FileField("pièce justificative", upload_to=piece_upload_to, max_length=255, blank=True)
    piece_nom = models.CharField("nom de la pièce", max_length=255, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(USER, related_name="+", on_delete=models.SET_NULL, null=True)

    objects = LigneFinanciereQuerySet.as_manager()

    class Meta:
        verbose_name = "dépense"
        verbose_name_plural = "dépenses"
        ordering = ["operation", "nature", "categorie", "date", "pk"]

    def __str__(self):
        return f"{self.libelle} ({self.montant} €)"


class Ressource(models.Model):
    """One resource line of an operation's plan: a funder's amount, forecast or realised."""

    operation = models.ForeignKey(Operation, related_name="ressources", on_delete=models.CASCADE)
    financeur = models.CharField("financeur", max_length=20, choices=Financeur.choices)
    nature = models.CharField("prévu / réalisé", max_length=10, choices=Nature.choices)
    libelle = models.CharField("libellé", max_length=255, blank=True)
    montant = models.DecimalField("montant (€)", max_digits=12, decimal_places=2)
    piece = models.FileField("pièce justificative", upload_to=piece_upload_to, max_length=255, blank=True)
    piece_nom = models.CharField("nom de la pièce", max_length=255, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(USER, related_name="+", on_delete=models.SET_NULL, null=True)

    objects = LigneFinanciereQuerySet.as_manager()

    class Meta:
        verbose_name = "ressource"
        verbose_name_plural = "ressources"
        ordering = ["operation", "nature", "financeur", "pk"]

    def __str__(self):
        return f"{self.get_financeur_display()} ({self.montant} €)"
