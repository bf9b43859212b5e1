from django.conf import settings
from django.db import models
from django.db.models import F, Q
from simple_history.models import HistoricalRecords

from parcours.enums import (
    CategorieEtape,
    CategorieSortie,
    ClasseNationale,
    DistanceEmploi,
    ModeEntretien,
    MotifSuspension,
    ObjetPassage,
    StatutCommission,
    StatutParcours,
    TypeAlerte,
    TypeContrat,
    TypeDecision,
)
from participants.models import Participant
from plie.core.models import Structure

USER = settings.AUTH_USER_MODEL


class ParametresPlie(models.Model):
    """Per-PLIE settings of the follow-up (alert thresholds)."""

    plie = models.OneToOneField(Structure, related_name="parametres", on_delete=models.CASCADE)
    jours_sans_contact = models.PositiveSmallIntegerField("alerte sans contact après (jours)", default=30)
    duree_cible_mois = models.PositiveSmallIntegerField("alerte parcours long après (mois)", default=24)
    jours_avant_fin_suspension = models.PositiveSmallIntegerField(
        "alerte fin de suspension (jours avant)", default=7
    )

    class Meta:
        verbose_name = "paramètres du PLIE"
        verbose_name_plural = "paramètres des PLIE"

    def __str__(self):
        return f"Paramètres {self.plie}"


class ParcoursQuerySet(models.QuerySet):
    def visible_to(self, scope):
        """Parcours whose participant ``scope`` may see (the same rule as participants)."""
        return self.filter(plie_id__in=scope.personal_plie_ids)

    def actifs(self):
        """In the PLIE (admitted and not yet out): the file active."""
        return self.filter(
            status__in=[StatutParcours.EN_PARCOURS, StatutParcours.SUSPENDU, StatutParcours.EN_SUIVI_EMPLOI]
        )

    def en_cours_le(self, day):
        """In parcours on ``day``: entered on or before it, not exited before it."""
        return self.filter(date_entree__lte=day).filter(Q(date_sortie__isnull=True) | Q(date_sortie__gt=day))

    def of_referent(self, user):
        return self.filter(referent=user)


class Parcours(models.Model):
    """A participant's path in the PLIE, from orientation to exit. State changes go through
    ``parcours.transitions``; writes through ``parcours.services`` (optimistic locking on
    ``version``)."""

    participant = models.ForeignKey(Participant, related_name="parcours", on_delete=models.PROTECT)
    plie = models.ForeignKey(
        Structure, verbose_name="PLIE", related_name="parcours", on_delete=models.PROTECT
    )
    status = models.CharField(
        "statut", max_length=20, choices=StatutParcours.choices, default=StatutParcours.CANDIDAT
    )
    referent = models.ForeignKey(
        USER,
        verbose_name="référent",
        related_name="parcours_suivis",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
    )
    # Orientation
    prescripteur = models.ForeignKey(
        Structure,
        verbose_name="prescripteur",
        related_name="orientations",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
    )
    date_orientation = models.DateField("date d'orientation", null=True, blank=True)
    motif_orientation = models.TextField("motif de l'orientation", blank=True)
    # Candidature (diagnostic)
    projet = models.TextField("projet professionnel", blank=True)
    freins_diagnostic = models.TextField("freins identifiés au diagnostic", blank=True)
    distance_emploi = models.CharField(
        "distance à l'emploi", max_length=20, choices=DistanceEmploi.choices, blank=True
    )
    # Dates
    date_commission = models.DateField("date de la commission d'intégration", null=True, blank=True)
    date_representation = models.DateField("à représenter le", null=True, blank=True)
    date_entree = models.DateField("date d'entrée", null=True, blank=True)
    date_signature_contrat = models.DateField("signature du contrat d'engagement", null=True, blank=True)
    date_sortie = models.DateField("date de sortie", null=True, blank=True)
    # Denormalised for the workspace (kept by parcours.services): last entretien and next appointment
    dernier_contact = models.DateField("dernier contact", null=True, blank=True)
    prochain_rdv = models.DateTimeField("prochain rendez-vous", null=True, blank=True)

    version = models.PositiveIntegerField(default=1, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    created_by = models.ForeignKey(USER, related_name="+", on_delete=models.SET_NULL, null=True, blank=True)

    objects = ParcoursQuerySet.as_manager()
    history = HistoricalRecords(excluded_fields=["updated_at", "dernier_contact", "prochain_rdv"])

    class Meta:
        verbose_name = "parcours"
        verbose_name_plural = "parcours"
        ordering = ["-date_entree", "-pk"]
        indexes = [
            models.Index(fields=["plie", "status"], name="parcours_plie_status_idx"),
            models.Index(fields=["referent", "status"], name="parcours_referent_status_idx"),
            models.Index(fields=["plie", "date_entree"], name="parcours_plie_entree_idx"),
            models.Index(fields=["plie", "date_sortie"], name="parcours_plie_sortie_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(date_sortie__isnull=True)
                | Q(date_entree__isnull=False, date_sortie__gte=F("date_entree")),
                name="parcours_sortie_after_entree",
                violation_error_message="La date de sortie doit suivre la date d'entrée.",
            ),
        ]

    def __str__(self):
        return f"Parcours de {self.participant}"

    def get_absolute_url(self):
        from django.urls import reverse

        return reverse("parcours:parcours_detail", args=[self.pk])


class AffectationReferent(models.Model):
    """Who followed the participant when (a référent change closes one, opens the next)."""

    parcours = models.ForeignKey(Parcours, related_name="affectations", on_delete=models.CASCADE)
    referent = models.ForeignKey(USER, verbose_name="référent", related_name="+", on_delete=models.PROTECT)
    date_debut = models.DateField("du")
    date_fin = models.DateField("au", null=True, blank=True)
    motif = models.CharField("motif du changement", max_length=255, blank=True)
    created_by = models.ForeignKey(USER, related_name="+", on_delete=models.SET_NULL, null=True)

    class Meta:
        verbose_name = "affectation de référent"
        verbose_name_plural = "affectations de référents"
        ordering = ["-date_debut", "-pk"]

    def __str__(self):
        return f"{self.referent} depuis le {self.date_debut:%d/%m/%Y}"


class CommissionQuerySet(models.QuerySet):
    def visible_to(self, scope):
        return self.filter(plie_id__in=scope.personal_plie_ids)


class Commission(models.Model):
    """A session of the commission d'intégration (et de suivi) of a PLIE."""

    plie = models.ForeignKey(
        Structure, verbose_name="PLIE", related_name="commissions", on_delete=models.PROTECT
    )
    date = models.DateField("date")
    lieu = models.CharField("lieu", max_length=255, blank=True)
    membres = models.TextField(
        "membres présents", blank=True, help_text="Un membre par ligne (nom, structure)."
    )
    status = models.CharField(
        "statut", max_length=10, choices=StatutCommission.choices, default=StatutCommission.PREVUE
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = CommissionQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = "commission"
        verbose_name_plural = "commissions"
        ordering = ["-date", "-pk"]

    def __str__(self):
        return f"Commission du {self.date:%d/%m/%Y}"


class Decision(models.Model):
    """A dossier on a commission's agenda and, once decided, its decision."""

    commission = models.ForeignKey(Commission, related_name="decisions", on_delete=models.CASCADE)
    parcours = models.ForeignKey(Parcours, related_name="decisions", on_delete=models.PROTECT)
    objet = models.CharField("objet", max_length=20, choices=ObjetPassage.choices)
    decision = models.CharField("décision", max_length=20, choices=TypeDecision.choices, blank=True)
    motif = models.TextField("motif", blank=True)
    # What the prescripteur who oriented the person reads of the decision (issue 16): the
    # commission chooses it; the ``motif`` (procès-verbal) is never shown to a partner.
    motif_partage = models.TextField(
        "motif partagé avec le prescripteur",
        blank=True,
        help_text="Ce que le prescripteur lira de la décision ; le motif du procès-verbal reste interne.",
    )
    date_representation = models.DateField("à représenter le", null=True, blank=True)
    structure_reorientation = models.ForeignKey(
        Structure,
        verbose_name="réorienté vers",
        related_name="+",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
    )
    decided_at = models.DateTimeField("décidé le", null=True, blank=True)
    decided_by = models.ForeignKey(USER, related_name="+", on_delete=models.SET_NULL, null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = "décision"
        verbose_name_plural = "décisions"
        ordering = ["commission", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["commission", "parcours", "objet"], name="decision_unique_per_session"
            ),
        ]

    def __str__(self):
        return f"{self.get_objet_display()} — {self.get_decision_display() or 'à décider'}"


class ParcoursChildQuerySet(models.QuerySet):
    """Rows of a parcours carrying its PLIE (``plie``, denormalised): scoped on that column, so a
    PLIE's rows are read in id order from the ``(plie, id)`` index (the API's cursor pages)."""

    def visible_to(self, scope):
        """Rows of the parcours ``scope`` may see (``Parcours.objects.visible_to``: by PLIE)."""
        return self.filter(plie_id__in=scope.personal_plie_ids)

    def bulk_create(self, objs, *args, **kwargs):
        """``bulk_create`` skips ``save()``: fill the missing ``plie_id`` first (one query for
        all the parcours not already loaded)."""
        objs = list(objs)
        fill_plie(objs)
        return super().bulk_create(objs, *args, **kwargs)


def fill_plie(objs):
    """Set ``plie_id`` from the parcours on the rows of ``objs`` that have none: from the
    parcours instance when it is loaded, otherwise from one query over the parcours ids."""
    missing = [obj for obj in objs if obj.plie_id is None and obj.parcours_id is not None]
    if not missing:
        return
    field = missing[0]._meta.get_field("parcours")
    to_read = {obj.parcours_id for obj in missing if not field.is_cached(obj)}
    plies = dict(Parcours.objects.filter(pk__in=to_read).values_list("pk", "plie_id")) if to_read else {}
    for obj in missing:
        obj.plie_id = obj.parcours.plie_id if field.is_cached(obj) else plies.get(obj.parcours_id)


class ParcoursChild(models.Model):
    """A row of a parcours (entretien, étape) with the parcours' PLIE copied in ``plie``.

    ``plie`` is filled from the parcours on ``save()`` and ``bulk_create`` when missing (the
    generators, the services, the factories never set it) and never changes afterwards: a
    parcours never changes PLIE (no service, form or admin writes ``Parcours.plie`` after its
    creation; the admin is read-only) and a row never moves to another parcours, so the copy
    cannot go stale. Not in the history (a copy)."""

    plie = models.ForeignKey(
        Structure,
        verbose_name="PLIE",
        related_name="+",
        on_delete=models.PROTECT,
        editable=False,
        db_index=False,
    )

    objects = ParcoursChildQuerySet.as_manager()

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if self.plie_id is None and self.parcours_id is not None:
            self.plie_id = self.parcours.plie_id
        super().save(*args, **kwargs)


class Entretien(ParcoursChild):
    parcours = models.ForeignKey(Parcours, related_name="entretiens", on_delete=models.CASCADE)
    date = models.DateField("date")
    mode = models.CharField(
        "mode", max_length=20, choices=ModeEntretien.choices, default=ModeEntretien.INDIVIDUEL
    )
    duree_minutes = models.PositiveSmallIntegerField("durée (minutes)", null=True, blank=True)
    sujets = models.JSONField("sujets", default=list, blank=True)
    notes = models.TextField("notes", blank=True)
    prochain_rdv = models.DateTimeField("prochain rendez-vous", null=True, blank=True)
    referent = models.ForeignKey(
        USER, verbose_name="mené par", related_name="+", on_delete=models.SET_NULL, null=True
    )
    created_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords(excluded_fields=["plie"])

    class Meta:
        verbose_name = "entretien"
        verbose_name_plural = "entretiens"
        ordering = ["-date", "-pk"]
        # a parcours' latest entretiens; with ``mode``, the bilan's entretiens per parcours and
        # month read the index alone (reporting.flux.intensite_entretiens_postgresql). A PLIE's
        # entretiens by id: the ids of the API's cursor page (``PliePagination``) read from the
        # index alone, ``?depuis=`` (the date) included.
        indexes = [
            models.Index(fields=["parcours", "-date"], include=["mode"], name="entretien_parcours_mode_idx"),
            models.Index(fields=["plie", "id"], include=["date"], name="entretien_plie_id_idx"),
        ]

    def __str__(self):
        return f"Entretien du {self.date:%d/%m/%Y}"


class TypeEtape(models.Model):
    """The referential of step types; ``plie`` empty = offered to every PLIE."""

    plie = models.ForeignKey(
        Structure, related_name="types_etape", on_delete=models.CASCADE, null=True, blank=True
    )
    code = models.SlugField("code", max_length=40)
    libelle = models.CharField("libellé", max_length=150)
    categorie = models.CharField("catégorie", max_length=30, choices=CategorieEtape.choices)
    is_active = models.BooleanField("actif", default=True)

    class Meta:
        verbose_name = "type d'étape"
        verbose_name_plural = "types d'étape"
        ordering = ["categorie", "libelle"]
        constraints = [models.UniqueConstraint(fields=["plie", "code"], name="typeetape_unique_code")]

    def __str__(self):
        return self.libelle


class Etape(ParcoursChild):
    parcours = models.ForeignKey(Parcours, related_name="etapes", on_delete=models.CASCADE)
    type = models.ForeignKey(
        TypeEtape, verbose_name="type d'étape", related_name="+", on_delete=models.PROTECT
    )
    operateur = models.ForeignKey(
        Structure,
        verbose_name="opérateur",
        related_name="etapes",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
    )
    date_debut = models.DateField("début")
    date_fin_prevue = models.DateField("fin prévue", null=True, blank=True)
    date_fin = models.DateField("fin effective", null=True, blank=True)
    resultat = models.CharField("résultat", max_length=255, blank=True)
    # A planned étape that will not take place: kept in the history, out of the exit's rules
    # (``parcours.services.suivi.etape_cancel``; an exit cancels those planned after it).
    annulee = models.BooleanField("annulée", default=False)
    date_annulation = models.DateField("annulée le", null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords(excluded_fields=["plie"])

    class Meta:
        verbose_name = "étape"
        verbose_name_plural = "étapes"
        ordering = ["-date_debut", "-pk"]
        # a PLIE's étapes by id: the ids of the API's cursor page (``PliePagination``) read from
        # the index alone, ``?en_cours=`` and ``?operateur=`` included
        indexes = [
            models.Index(fields=["plie", "id"], include=["date_fin", "operateur"], name="etape_plie_id_idx")
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(date_fin__isnull=True) | Q(date_fin__gte=F("date_debut")),
                name="etape_fin_after_debut",
                violation_error_message="La fin de l'étape doit suivre son début.",
            ),
        ]

    def __str__(self):
        return f"{self.type} depuis le {self.date_debut:%d/%m/%Y}"


class PresenceEtape(models.Model):
    """A day of an étape on which the opérateur that carries it recorded the participant present
    or absent (issue 16: the opérateur records presence and the étape's outcome)."""

    etape = models.ForeignKey(Etape, related_name="presences", on_delete=models.CASCADE)
    date = models.DateField("date")
    present = models.BooleanField("présent")
    created_by = models.ForeignKey(USER, related_name="+", on_delete=models.SET_NULL, null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        verbose_name = "présence"
        verbose_name_plural = "présences"
        ordering = ["-date", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["etape", "date"], name="presence_etape_unique_per_day"),
        ]

    def __str__(self):
        return f"{'Présent' if self.present else 'Absent'} le {self.date:%d/%m/%Y}"


class Contrat(models.Model):
    """The job of an étape (employer, contract type, hours): what exit validation is computed from."""

    etape = models.OneToOneField(Etape, related_name="contrat", on_delete=models.CASCADE)
    employeur = models.CharField("employeur", max_length=200)
    siret = models.CharField("SIRET", max_length=14, blank=True)
    type_contrat = models.CharField("type de contrat", max_length=20, choices=TypeContrat.choices)
    heures_hebdo = models.DecimalField(
        "heures par semaine", max_digits=4, decimal_places=1, null=True, blank=True
    )
    date_debut = models.DateField("début")
    date_fin_prevue = models.DateField("fin prévue", null=True, blank=True)
    date_fin = models.DateField("fin effective", null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = "contrat"
        verbose_name_plural = "contrats"
        ordering = ["date_debut", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(date_fin__isnull=True) | Q(date_fin__gte=F("date_debut")),
                name="contrat_fin_after_debut",
                violation_error_message="La fin du contrat doit suivre son début.",
            ),
        ]

    def __str__(self):
        return f"{self.get_type_contrat_display()} chez {self.employeur}"


class Suspension(models.Model):
    parcours = models.ForeignKey(Parcours, related_name="suspensions", on_delete=models.CASCADE)
    motif = models.CharField("motif", max_length=20, choices=MotifSuspension.choices)
    date_debut = models.DateField("début")
    date_fin = models.DateField("fin", null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = "suspension"
        verbose_name_plural = "suspensions"
        ordering = ["-date_debut"]
        constraints = [
            models.CheckConstraint(
                condition=Q(date_fin__isnull=True) | Q(date_fin__gte=F("date_debut")),
                name="suspension_fin_after_debut",
                violation_error_message="La fin de la suspension doit suivre son début.",
            ),
        ]

    def __str__(self):
        return f"Suspension ({self.get_motif_display()}) du {self.date_debut:%d/%m/%Y}"


class TypeSortie(models.Model):
    """A PLIE's exit referential row: the type, its category and its validation rule.

    ``criteres`` is a list of machine-checkable conditions (see ``parcours.sorties``); the exit
    becomes validable when **any** of them is met. ``commission_requise``: a commission must
    also validate it."""

    class CategorieDepartement(models.TextChoices):
        """The exit's class in the Département's nomenclature (``operations.nomenclatures``);
        empty: « autre sortie »."""

        EMPLOI_DURABLE = "emploi_durable", "Emploi durable"
        EMPLOI_TRANSITION = "emploi_transition", "Emploi de transition"
        POSITIVE = "positive", "Sortie positive"
        AUTRE = "", "Autre sortie"

    plie = models.ForeignKey(Structure, related_name="types_sortie", on_delete=models.CASCADE)
    code = models.CharField("code", max_length=40)
    libelle = models.CharField("libellé", max_length=150)
    categorie = models.CharField("catégorie", max_length=20, choices=CategorieSortie.choices)
    criteres = models.JSONField("critères de validation", default=list, blank=True)
    commission_requise = models.BooleanField("validation en commission", default=False)
    is_active = models.BooleanField("actif", default=True)
    ordre = models.PositiveSmallIntegerField("ordre", default=0)
    categorie_departement = models.CharField(
        "classement dans la nomenclature du Département",
        max_length=20,
        choices=CategorieDepartement.choices,
        blank=True,
        default="",
    )

    classe_nationale = models.CharField(
        "classe dans la consolidation nationale",
        max_length=30,
        choices=ClasseNationale.choices,
        default=ClasseNationale.AUTRE,
        help_text="Ligne du tableau des flux national (Alliance Villes Emploi) où la sortie est comptée.",
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = "type de sortie"
        verbose_name_plural = "types de sortie"
        ordering = ["plie", "ordre", "libelle"]
        constraints = [models.UniqueConstraint(fields=["plie", "code"], name="typesortie_unique_code")]

    def __str__(self):
        return self.libelle


class Sortie(models.Model):
    """The exit of a parcours. A positive exit counts only once ``validee`` (docs/domaine.md §5 (c))."""

    parcours = models.OneToOneField(Parcours, related_name="sortie", on_delete=models.CASCADE)
    type = models.ForeignKey(
        TypeSortie, verbose_name="type de sortie", related_name="sorties", on_delete=models.PROTECT
    )
    date_sortie = models.DateField("date de sortie")
    validee = models.BooleanField("validée", default=False)
    date_validation = models.DateField("date de validation", null=True, blank=True)
    validee_par = models.ForeignKey(USER, related_name="+", on_delete=models.SET_NULL, null=True, blank=True)
    commentaire = models.TextField("commentaire", blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = "sortie"
        verbose_name_plural = "sorties"
        ordering = ["-date_sortie"]

    def __str__(self):
        return f"{self.type} le {self.date_sortie:%d/%m/%Y}"


class Alerte(models.Model):
    """What needs attention, recomputed every night per PLIE (``parcours.tasks``)."""

    plie = models.ForeignKey(Structure, related_name="alertes", on_delete=models.CASCADE)
    parcours = models.ForeignKey(Parcours, related_name="alertes", on_delete=models.CASCADE)
    type = models.CharField("alerte", max_length=30, choices=TypeAlerte.choices)
    detail = models.CharField("détail", max_length=255, blank=True)
    echeance = models.DateField("échéance", null=True, blank=True)
    computed_on = models.DateField("calculée le")

    class Meta:
        verbose_name = "alerte"
        verbose_name_plural = "alertes"
        ordering = ["type", "echeance"]
        constraints = [
            models.UniqueConstraint(fields=["parcours", "type"], name="alerte_unique_per_parcours")
        ]
        indexes = [models.Index(fields=["plie", "type"], name="alerte_plie_type_idx")]

    def __str__(self):
        return self.get_type_display()


def import_upload_to(instance, filename):
    """Stored in the storage (MEDIA_ROOT or the bucket; never served), with a random name keeping
    the extension."""
    import uuid
    from pathlib import PurePath

    suffix = PurePath(filename).suffix.lower()[:8]
    return f"imports/{instance.plie_id}/{uuid.uuid4().hex}{suffix}"


class ImportParcoursQuerySet(models.QuerySet):
    def visible_to(self, scope):
        """Imports of the PLIE ``scope`` administers."""
        from parcours.permissions import can_import_parcours

        return self.filter(
            plie_id__in=[pid for pid in scope.personal_plie_ids if can_import_parcours(scope, pid)]
        )


class ImportParcours(models.Model):
    """One import of a legacy tool's file of parcours (``parcours.importation``): the job row the
    upload page polls (status, progress, counts, error report)."""

    class Status(models.TextChoices):
        EN_ATTENTE = "en_attente", "En attente"
        VALIDATION = "validation", "Vérification du fichier"
        IMPORT = "import", "Import en cours"
        TERMINE = "termine", "Terminé"
        REJETE = "rejete", "Rejeté (erreurs dans le fichier)"
        ECHEC = "echec", "Échec technique"

    plie = models.ForeignKey(Structure, verbose_name="PLIE", related_name="imports", on_delete=models.CASCADE)
    fichier = models.FileField("fichier", upload_to=import_upload_to, max_length=255)
    nom_original = models.CharField("nom du fichier", max_length=255)
    dry_run = models.BooleanField("vérification seulement", default=False)
    status = models.CharField("statut", max_length=20, choices=Status.choices, default=Status.EN_ATTENTE)
    progress = models.PositiveSmallIntegerField("avancement (%)", default=0)
    lignes = models.PositiveIntegerField("lignes lues", default=0)
    compteurs = models.JSONField("compteurs", default=dict, blank=True)
    erreurs = models.JSONField("erreurs", default=list, blank=True)
    nb_erreurs = models.PositiveIntegerField("nombre d'erreurs", default=0)
    doublons = models.JSONField("doublons probables signalés", default=list, blank=True)
    message = models.TextField("message", blank=True)
    created_by = models.ForeignKey(USER, related_name="+", on_delete=models.SET_NULL, null=True, blank=True)
    created_at = models.DateTimeField("déposé le", auto_now_add=True)
    started_at = models.DateTimeField("commencé le", null=True, blank=True)
    finished_at = models.DateTimeField("terminé le", null=True, blank=True)

    objects = ImportParcoursQuerySet.as_manager()

    class Meta:
        verbose_name = "import de parcours"
        verbose_name_plural = "imports de parcours"
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return f"Import {self.nom_original} ({self.get_status_display()})"

    @property
    def en_cours(self):
        return self.status in (self.Status.EN_ATTENTE, self.Status.VALIDATION, self.Status.IMPORT)
