import uuid
from pathlib import PurePath

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.db.models.functions import Upper
from simple_history.models import HistoricalRecords

from participants.enums import (
    DOCUMENTS_SENSIBLES,
    FREINS_SENSIBLES,
    Nationalite,
    NiveauFormation,
    OuiNonNsp,
    Sexe,
    SituationFamiliale,
    StatutEmploi,
    TypeDocument,
    TypeFrein,
)
from participants.normalize import digits, fold
from participants.validators import validate_code_commune_naissance, validate_code_postal
from plie.core.models import Structure


class ParticipantQuerySet(models.QuerySet):
    def visible_to(self, scope):
        """Participants whose personal data ``scope`` may see (see ``plie.core.scoping``)."""
        return self.filter(plie_id__in=scope.personal_plie_ids)

    def of_plie(self, plie):
        return self.filter(plie=plie)


class Participant(models.Model):
    """A person accompanied (or proposed) by a PLIE. The PLIE owns the dossier."""

    plie = models.ForeignKey(
        Structure,
        verbose_name="PLIE",
        related_name="participants",
        on_delete=models.PROTECT,
        limit_choices_to={"kind": "plie"},
    )
    # Identity
    nom = models.CharField("nom", max_length=100)
    prenom = models.CharField("prénom(s)", max_length=100)
    nom_naissance = models.CharField("nom de naissance", max_length=100, blank=True)
    sexe = models.CharField("sexe", max_length=1, choices=Sexe.choices)
    date_naissance = models.DateField("date de naissance")
    commune_naissance = models.CharField("commune de naissance", max_length=100, blank=True)
    code_commune_naissance = models.CharField(
        "code de la commune de naissance",
        max_length=5,
        blank=True,
        validators=[validate_code_commune_naissance],
        help_text="Code INSEE, 99999 si né à l'étranger.",
    )
    nationalite = models.CharField("nationalité", max_length=10, choices=Nationalite.choices, blank=True)
    # Contact
    adresse = models.CharField("adresse", max_length=255, blank=True)
    code_postal = models.CharField("code postal", max_length=5, blank=True, validators=[validate_code_postal])
    commune = models.CharField("commune", max_length=100, blank=True)
    qpv = models.BooleanField("habite un quartier prioritaire (QPV)", null=True, blank=True)
    telephone = models.CharField("téléphone mobile", max_length=20, blank=True)
    telephone_fixe = models.CharField("téléphone fixe", max_length=20, blank=True)
    email = models.EmailField("courriel", blank=True)
    contact_tiers = models.CharField(
        "personne à contacter",
        max_length=255,
        blank=True,
        help_text="Pour une personne sans domicile : qui la joindre (hébergement, domiciliation…).",
    )
    # Household
    situation_familiale = models.CharField(
        "situation familiale", max_length=20, choices=SituationFamiliale.choices, blank=True
    )
    enfants_a_charge = models.PositiveSmallIntegerField("enfants à charge", null=True, blank=True)
    # Identifiers (never the NIR)
    identifiant_france_travail = models.CharField("identifiant France Travail", max_length=20, blank=True)
    numero_caf = models.CharField("numéro allocataire CAF", max_length=20, blank=True)
    identifiant_externe = models.CharField(
        "identifiant dans l'ancien outil", max_length=50, blank=True, help_text="Conservé lors d'un import."
    )

    # Folded "nom prénom nom_naissance" for accent- and case-insensitive search (trigram index on PostgreSQL)
    search_text = models.CharField(max_length=400, editable=False, default="")
    telephone_digits = models.CharField(max_length=20, editable=False, default="")

    created_at = models.DateTimeField("créé le", auto_now_add=True)
    updated_at = models.DateTimeField("modifié le", auto_now=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="créé par",
        related_name="+",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
    )

    objects = ParticipantQuerySet.as_manager()
    history = HistoricalRecords(excluded_fields=["search_text", "telephone_digits", "updated_at"])

    class Meta:
        verbose_name = "participant"
        verbose_name_plural = "participants"
        ordering = ["nom", "prenom", "id"]
        indexes = [
            models.Index(fields=["plie", "nom", "prenom"], name="participant_plie_nom_idx"),
            models.Index(fields=["plie", "date_naissance"], name="participant_plie_naiss_idx"),
            # An OI's list (several PLIE) ordered by name, first page: read in index order instead
            # of sorting every participant (issue 17: 110 ms → 0.35 ms at 100,000).
            models.Index(fields=["nom", "prenom", "id"], name="participant_nom_prenom_id_idx"),
            # The search by identifier (``iexact``: UPPER(col) = UPPER(%s), participants/search.py).
            models.Index(Upper("identifiant_france_travail"), name="participant_ift_upper_idx"),
            models.Index(Upper("numero_caf"), name="participant_caf_upper_idx"),
            models.Index(Upper("identifiant_externe"), name="participant_ext_upper_idx"),
        ]

    def __str__(self):
        return f"{self.nom.upper()} {self.prenom}"

    def save(self, *args, **kwargs):
        self.refresh_search_fields()
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        from django.urls import reverse

        return reverse("participants:participant_detail", args=[self.pk])

    def refresh_search_fields(self):
        self.search_text = fold(f"{self.nom} {self.prenom} {self.nom_naissance}")
        self.telephone_digits = digits(self.telephone or self.telephone_fixe)

    @property
    def situation_entree(self):
        """The latest situation at entry (a participant who re-enters has several)."""
        situations = getattr(self, "_prefetched_objects_cache", {}).get("situations")
        if situations is not None:
            return max(situations, key=lambda s: (s.date_entree, s.pk), default=None)
        return self.situations.order_by("-date_entree", "-pk").first()


class QuestionnaireEntree(models.Model):
    """The answers of the FSE entry questionnaire (DGEFP, version 26/11/2018, seed 004 l.8084-8150).

    Shared by the dossier's situation at entry (:class:`SituationEntree`) and by each enrolment in
    an FSE operation (``operations.Inscription``: one participant = one operation, one
    questionnaire). Answer codes are the questionnaire's own; ``None``/``""`` means « not answered »."""

    # Q1
    statut_emploi = models.CharField(
        "Q1. Occupe un emploi ?", max_length=3, choices=StatutEmploi.choices, blank=True
    )
    en_formation = models.BooleanField("1e. En formation, en stage ou en école ?", null=True, blank=True)
    recherche_emploi = models.BooleanField("1f. Recherche activement un emploi ?", null=True, blank=True)
    duree_recherche_mois = models.PositiveSmallIntegerField(
        "1g. Depuis combien de mois ?", null=True, blank=True
    )
    # Q2
    niveau_formation = models.CharField(
        "Q2. Niveau de formation", max_length=2, choices=NiveauFormation.choices, blank=True
    )
    # Q3, Q4
    handicap_reconnu = models.BooleanField(
        "Q3. Reconnaissance officielle d'un handicap (RQTH, BOETH…)", null=True, blank=True
    )
    minima_sociaux = models.BooleanField("Q4. Allocataire de minima sociaux", null=True, blank=True)
    beneficiaire_rsa = models.BooleanField("dont bénéficiaire du RSA", null=True, blank=True)
    # Q5, Q6
    sans_domicile = models.CharField(
        "Q5. Sans domicile fixe ou exclusion du logement", max_length=3, choices=OuiNonNsp.choices, blank=True
    )
    parent_ne_etranger = models.CharField(
        "Q6. Un parent né à l'étranger", max_length=3, choices=OuiNonNsp.choices, blank=True
    )
    # Household (required by the FSE regulation)
    menage_sans_emploi = models.BooleanField("ménage dont aucun membre n'a d'emploi", null=True, blank=True)
    menage_enfants = models.BooleanField("ménage avec enfants à charge", null=True, blank=True)
    menage_monoparental = models.BooleanField(
        "ménage d'un seul adulte avec enfants à charge", null=True, blank=True
    )

    class Meta:
        abstract = True

    @classmethod
    def answer_fields(cls):
        """Names of the questionnaire's answer fields (used to pre-fill one questionnaire from another)."""
        return [f.name for f in QuestionnaireEntree._meta.local_fields]

    def copy_answers_from(self, other):
        for name in self.answer_fields():
            setattr(self, name, getattr(other, name))


class SituationEntree(QuestionnaireEntree):
    """The situation at entry, as the FSE entry questionnaire (DGEFP, 26/11/2018) asks it.

    Answer codes are the questionnaire's own (1a…1d, 2a…2d). ``None`` means « not answered »:
    :func:`participants.fse.reponses_manquantes` lists what is still missing."""

    participant = models.ForeignKey(Participant, related_name="situations", on_delete=models.CASCADE)
    date_entree = models.DateField("date d'entrée")
    date_questionnaire = models.DateField("date du questionnaire", null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = "situation à l'entrée"
        verbose_name_plural = "situations à l'entrée"
        ordering = ["-date_entree", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["participant", "date_entree"], name="situation_unique_per_entry"),
        ]

    def __str__(self):
        return f"Situation à l'entrée du {self.date_entree:%d/%m/%Y}"


class FreinQuerySet(models.QuerySet):
    def actifs(self):
        return self.filter(date_levee__isnull=True)

    def leves(self):
        return self.filter(date_levee__isnull=False)

    def non_sensibles(self):
        return self.exclude(type__in=FREINS_SENSIBLES)

    def visible_to(self, scope):
        """Freins of the participants ``scope`` may see; health and justice only where the user
        may see sensitive data."""
        return self.filter(participant__plie_id__in=scope.personal_plie_ids).filter(
            ~Q(type__in=FREINS_SENSIBLES) | Q(participant__plie_id__in=scope.sensitive_plie_ids)
        )


class Frein(models.Model):
    participant = models.ForeignKey(Participant, related_name="freins", on_delete=models.CASCADE)
    type = models.CharField("frein", max_length=20, choices=TypeFrein.choices)
    precision = models.CharField("précision", max_length=255, blank=True)
    date_identification = models.DateField("identifié le")
    date_levee = models.DateField("levé le", null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = FreinQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = "frein"
        verbose_name_plural = "freins"
        ordering = ["date_levee", "-date_identification", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(date_levee__isnull=True) | Q(date_levee__gte=models.F("date_identification")),
                name="frein_levee_after_identification",
                violation_error_message="Un frein ne peut pas être levé avant d'avoir été identifié.",
            ),
        ]

    def __str__(self):
        return self.get_type_display()

    @property
    def sensible(self):
        return self.type in FREINS_SENSIBLES

    @property
    def leve(self):
        return self.date_levee is not None


def document_upload_to(instance, filename):
    """Stored in the storage (MEDIA_ROOT or the bucket; never under static/, never served by URL),
    with a random name."""
    suffix = PurePath(filename).suffix.lower()[:8]
    return f"documents/{instance.participant.plie_id}/{uuid.uuid4().hex}{suffix}"


class DocumentQuerySet(models.QuerySet):
    def visible_to(self, scope):
        return self.filter(participant__plie_id__in=scope.personal_plie_ids).filter(
            ~Q(type__in=DOCUMENTS_SENSIBLES) | Q(participant__plie_id__in=scope.sensitive_plie_ids)
        )


class Document(models.Model):
    """A pièce justificative uploaded to the dossier (PDF, JPEG or PNG)."""

    participant = models.ForeignKey(Participant, related_name="documents", on_delete=models.CASCADE)
    type = models.CharField("type de pièce", max_length=30, choices=TypeDocument.choices)
    fichier = models.FileField("fichier", upload_to=document_upload_to, max_length=255)
    nom_original = models.CharField("nom du fichier", max_length=255)
    content_type = models.CharField("format", max_length=50)
    taille = models.PositiveIntegerField("taille (octets)")
    uploaded_at = models.DateTimeField("déposé le", auto_now_add=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="déposé par",
        related_name="+",
        on_delete=models.SET_NULL,
        null=True,
    )

    objects = DocumentQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = "document"
        verbose_name_plural = "documents"
        ordering = ["-uploaded_at", "-pk"]

    def __str__(self):
        return f"{self.get_type_display()} — {self.nom_original}"

    @property
    def sensible(self):
        return self.type in DOCUMENTS_SENSIBLES


class SignalementDoublonQuerySet(models.QuerySet):
    def a_examiner(self):
        return self.filter(statut=SignalementDoublon.Statut.A_EXAMINER)

    def reviewable_by(self, scope):
        """The flags ``scope`` reviews: those with a side in a PLIE where it holds the animation
        role (``participants.permissions.can_review_doublon``)."""
        from plie.core.enums import Role

        plie_ids = [p for p in scope.personal_plie_ids if scope.has_role(Role.ANIMATION, plie_id=p)]
        return self.filter(Q(participant__plie_id__in=plie_ids) | Q(autre__plie_id__in=plie_ids))


class SignalementDoublon(models.Model):
    """A probable duplicate across two PLIE of one OI, kept by a user who said « it is someone
    else »: the référent was told only that a dossier may exist elsewhere in the OI; the
    animation of either PLIE compares the two identities and decides (docs/securite.md)."""

    class Statut(models.TextChoices):
        A_EXAMINER = "a_examiner", "À examiner"
        MEME_PERSONNE = "meme_personne", "Même personne"
        PERSONNES_DIFFERENTES = "personnes_differentes", "Personnes différentes"

    participant = models.ForeignKey(
        Participant, verbose_name="dossier enregistré", related_name="signalements", on_delete=models.CASCADE
    )
    autre = models.ForeignKey(
        Participant,
        verbose_name="dossier proche",
        related_name="signalements_autres",
        on_delete=models.CASCADE,
    )
    statut = models.CharField("statut", max_length=30, choices=Statut.choices, default=Statut.A_EXAMINER)
    created_at = models.DateTimeField("signalé le", auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="signalé par",
        related_name="+",
        on_delete=models.SET_NULL,
        null=True,
    )
    examine_le = models.DateTimeField("examiné le", null=True, blank=True)
    examine_par = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="examiné par",
        related_name="+",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
    )

    objects = SignalementDoublonQuerySet.as_manager()

    class Meta:
        verbose_name = "doublon possible entre PLIE"
        verbose_name_plural = "doublons possibles entre PLIE"
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["participant", "autre"], name="signalement_doublon_unique")
        ]

    def __str__(self):
        return f"Doublon possible n° {self.pk}"
