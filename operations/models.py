"""FSE operations, enrolments (one participant = one operation) and collective sessions.

docs/domaine.md §1 (opération), §4 (Operation, Inscription), §6 (FSE participant data). Rules live in plain
functions: ``operations.services`` (writes, enrolment rules, carry-over), ``operations.completude``
(FSE data completeness and the 4-week exit window); figures in ``operations.selectors``."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from simple_history.models import HistoricalRecords

from operations.enums import Nomenclature, PieceJustificative, Programme
from participants.enums import StatutEmploi
from participants.models import Participant, QuestionnaireEntree
from plie.core.models import Structure


class OperationQuerySet(models.QuerySet):
    def visible_to(self, scope):
        """Operations of the PLIE whose figures ``scope`` may see (see ``plie.core.scoping``)."""
        return self.filter(plie_id__in=scope.plie_ids)

    def en_cours(self, day):
        return self.filter(date_debut__lte=day, date_fin__gte=day)


class Operation(models.Model):
    """An FSE-cofunded action: porteur, period, programme and axis, budget, places and targets."""

    plie = models.ForeignKey(
        Structure,
        verbose_name="PLIE",
        related_name="operations",
        on_delete=models.PROTECT,
        limit_choices_to={"kind": "plie"},
    )
    porteur = models.ForeignKey(
        Structure,
        verbose_name="porteur",
        related_name="operations_portees",
        on_delete=models.PROTECT,
        help_text="Le PLIE lui-même ou un opérateur qu'il finance.",
    )
    code = models.CharField("code", max_length=30)
    numero_mdfse = models.CharField("n° de l'opération dans Ma Démarche FSE", max_length=30, blank=True)
    intitule = models.CharField("intitulé", max_length=255)
    date_debut = models.DateField("début")
    date_fin = models.DateField("fin")
    programme = models.CharField(
        "programme", max_length=20, choices=Programme.choices, default=Programme.FSE_PLUS_2021_2027
    )
    axe = models.CharField("axe / priorité", max_length=50, blank=True)
    objectif_specifique = models.CharField("objectif spécifique", max_length=100, blank=True)
    # Budget
    budget_total = models.DecimalField(
        "budget total (€)", max_digits=12, decimal_places=2, null=True, blank=True
    )
    budget_fse = models.DecimalField("dont FSE (€)", max_digits=12, decimal_places=2, null=True, blank=True)
    autres_financements = models.DecimalField(
        "autres cofinancements (€)", max_digits=12, decimal_places=2, null=True, blank=True
    )
    cofinanceurs = models.CharField("cofinanceurs", max_length=255, blank=True)
    # Places and targets
    places = models.PositiveIntegerField("places (file active cible)", null=True, blank=True)
    objectif_participants = models.PositiveIntegerField("objectif : participants", null=True, blank=True)
    objectif_sorties_positives = models.DecimalField(
        "objectif : % de sorties positives", max_digits=5, decimal_places=2, null=True, blank=True
    )
    objectif_emploi_durable = models.DecimalField(
        "objectif : % d'emploi durable", max_digits=5, decimal_places=2, null=True, blank=True
    )
    objectif_emploi_transition = models.DecimalField(
        "objectif : % d'emploi de transition", max_digits=5, decimal_places=2, null=True, blank=True
    )
    objectif_sorties_dynamiques = models.DecimalField(
        "objectif : % de sorties dynamiques", max_digits=5, decimal_places=2, null=True, blank=True
    )
    nomenclature = models.CharField(
        "nomenclature des sorties", max_length=20, choices=Nomenclature.choices, default=Nomenclature.PLIE
    )
    pieces_requises = models.JSONField(
        "pièces justificatives exigées",
        default=list,
        blank=True,
        help_text="Codes de operations.enums.PieceJustificative.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = OperationQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = "opération"
        verbose_name_plural = "opérations"
        ordering = ["plie", "-date_debut", "code"]
        constraints = [
            models.UniqueConstraint(fields=["plie", "code"], name="operation_unique_code"),
            models.CheckConstraint(
                condition=Q(date_fin__gte=F("date_debut")), name="operation_periode_ordonnee"
            ),
        ]

    def __str__(self):
        return f"{self.code} — {self.intitule}"

    def get_absolute_url(self):
        from django.urls import reverse

        return reverse("operations:operation_detail", args=[self.pk])

    @property
    def pieces_requises_labels(self):
        labels = dict(PieceJustificative.choices)
        return [labels.get(code, code) for code in self.pieces_requises]


class InscriptionQuerySet(models.QuerySet):
    def visible_to(self, scope):
        """Enrolments whose personal data ``scope`` may see (the participant's PLIE)."""
        return self.filter(participant__plie_id__in=scope.personal_plie_ids)

    def ouvertes(self):
        return self.filter(date_sortie__isnull=True)

    def presentes_le(self, day):
        """Enrolled on ``day`` (entered on or before, not left before)."""
        return self.filter(date_entree__lte=day).filter(Q(date_sortie__isnull=True) | Q(date_sortie__gte=day))


class Inscription(QuestionnaireEntree):
    """A participant's enrolment in an operation, with the FSE entry questionnaire of that
    enrolment (pre-filled from the dossier's situation at entry, then confirmed) and the exit
    data, to be recorded within 4 weeks of leaving (docs/domaine.md §6, seed 004 l.7930-7945)."""

    operation = models.ForeignKey(
        Operation, verbose_name="opération", related_name="inscriptions", on_delete=models.PROTECT
    )
    participant = models.ForeignKey(
        Participant, verbose_name="participant", related_name="inscriptions", on_delete=models.CASCADE
    )
    parcours = models.ForeignKey(
        "parcours.Parcours",
        verbose_name="parcours",
        related_name="inscriptions",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
    )
    date_entree = models.DateField("date d'entrée dans l'opération")
    date_sortie = models.DateField("date de sortie de l'opération", null=True, blank=True)
    report_de = models.OneToOneField(
        "self",
        verbose_name="reportée de",
        related_name="report",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        help_text="L'inscription de l'opération précédente dont celle-ci est la continuation.",
    )
    # Entry questionnaire (answer fields inherited from QuestionnaireEntree)
    date_questionnaire = models.DateField("date du questionnaire", null=True, blank=True)
    questionnaire_confirme_le = models.DateField("questionnaire confirmé le", null=True, blank=True)
    questionnaire_confirme_par = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="confirmé par",
        related_name="+",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
    )
    # Exit data (situation in the 4 weeks after leaving the operation)
    sortie_anticipee = models.BooleanField("sortie anticipée (abandon)", null=True, blank=True)
    sortie_statut_emploi = models.CharField(
        "à la sortie : occupe un emploi ?", max_length=3, choices=StatutEmploi.choices, blank=True
    )
    sortie_en_formation = models.BooleanField(
        "à la sortie : en formation, en stage ou en études ?", null=True, blank=True
    )
    sortie_recherche_emploi = models.BooleanField(
        "à la sortie : recherche activement un emploi ?", null=True, blank=True
    )
    sortie_qualification = models.BooleanField(
        "à la sortie : a obtenu une qualification ?", null=True, blank=True
    )
    sortie_renseignee_le = models.DateField("données de sortie renseignées le", null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = InscriptionQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = "inscription"
        verbose_name_plural = "inscriptions"
        ordering = ["operation", "participant__nom", "participant__prenom", "date_entree"]
        constraints = [
            # FSE+: one participant, one record per operation (a re-entry re-opens it, docs/domaine.md §6)
            models.UniqueConstraint(
                fields=["operation", "participant"],
                name="inscription_une_par_operation",
                violation_error_message="Ce participant a déjà une inscription dans cette opération.",
            ),
            models.CheckConstraint(
                condition=Q(date_sortie__isnull=True) | Q(date_sortie__gte=F("date_entree")),
                name="inscription_sortie_apres_entree",
            ),
        ]
        indexes = [
            models.Index(fields=["operation", "date_entree"], name="inscription_op_entree_idx"),
            models.Index(fields=["operation", "date_sortie"], name="inscription_op_sortie_idx"),
        ]

    def __str__(self):
        return f"{self.participant} — {self.operation.code} (entrée le {self.date_entree:%d/%m/%Y})"


class ActionCollective(models.Model):
    """A collective session of an operation (atelier, information collective, formation…), with
    its attendance (feuille d'émargement) — a proof the FSE controller asks for."""

    operation = models.ForeignKey(
        Operation, verbose_name="opération", related_name="actions_collectives", on_delete=models.CASCADE
    )
    intitule = models.CharField("intitulé", max_length=255)
    date = models.DateField("date")
    heure_debut = models.TimeField("de", null=True, blank=True)
    heure_fin = models.TimeField("à", null=True, blank=True)
    lieu = models.CharField("lieu", max_length=255, blank=True)
    animateur = models.CharField("animé par", max_length=150, blank=True)
    compte_rendu = models.TextField("compte rendu", blank=True)
    participants = models.ManyToManyField(
        Participant, through="Presence", related_name="actions_collectives", blank=True
    )
    created_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = "action collective"
        verbose_name_plural = "actions collectives"
        ordering = ["operation", "date", "heure_debut", "pk"]

    def __str__(self):
        return f"{self.intitule} ({self.date:%d/%m/%Y})"


class Presence(models.Model):
    action = models.ForeignKey(ActionCollective, related_name="presences", on_delete=models.CASCADE)
    participant = models.ForeignKey(Participant, related_name="presences", on_delete=models.CASCADE)
    present = models.BooleanField("présent", null=True, blank=True)

    class Meta:
        verbose_name = "présence"
        verbose_name_plural = "présences"
        constraints = [
            models.UniqueConstraint(fields=["action", "participant"], name="presence_unique"),
        ]

    def __str__(self):
        return f"{self.participant} — {self.action}"
