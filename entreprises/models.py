import uuid
from pathlib import PurePath

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from simple_history.models import HistoricalRecords

from entreprises.enums import (
    ModaliteClause,
    SecteurEntreprise,
    SituationSixMois,
    StatutMiseEnRelation,
    StatutOffre,
    TailleEntreprise,
    TypeActionEntreprise,
    TypeEchange,
    TypePartenaireConvention,
)
from parcours.enums import TypeContrat
from parcours.models import Contrat, Etape, Parcours
from participants.models import Participant
from plie.core.models import Structure

USER = settings.AUTH_USER_MODEL


class EmployeurQuerySet(models.QuerySet):
    def visible_to(self, scope):
        """Employers of the PLIE whose employer side ``scope`` sees (``Scope.employer_plie_ids``)."""
        return self.filter(plie_id__in=scope.employer_plie_ids)


class Employeur(models.Model):
    """An employer of a PLIE's network, known by its SIRET (one per SIRET and PLIE)."""

    plie = models.ForeignKey(
        Structure, verbose_name="PLIE", related_name="employeurs", on_delete=models.PROTECT
    )
    siret = models.CharField("SIRET", max_length=14)
    nom = models.CharField("raison sociale", max_length=200)
    code_naf = models.CharField("code NAF", max_length=6, blank=True)
    adresse = models.CharField("adresse", max_length=255, blank=True)
    code_postal = models.CharField("code postal", max_length=5, blank=True)
    commune = models.CharField("commune", max_length=100, blank=True)
    taille = models.CharField("taille", max_length=10, choices=TailleEntreprise.choices, blank=True)
    secteur = models.CharField("secteur", max_length=20, choices=SecteurEntreprise.choices, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(USER, related_name="+", on_delete=models.SET_NULL, null=True, blank=True)

    history = HistoricalRecords()
    objects = EmployeurQuerySet.as_manager()

    class Meta:
        verbose_name = "employeur"
        verbose_name_plural = "employeurs"
        ordering = ["nom", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["plie", "siret"],
                name="employeur_unique_siret",
                violation_error_message="Un employeur de ce PLIE porte déjà ce SIRET.",
            )
        ]

    def __str__(self):
        return self.nom


class Contact(models.Model):
    employeur = models.ForeignKey(Employeur, related_name="contacts", on_delete=models.CASCADE)
    nom = models.CharField("nom", max_length=100)
    prenom = models.CharField("prénom", max_length=100, blank=True)
    fonction = models.CharField("fonction", max_length=100, blank=True)
    telephone = models.CharField("téléphone", max_length=20, blank=True)
    email = models.EmailField("adresse électronique", blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = "contact"
        verbose_name_plural = "contacts"
        ordering = ["nom", "prenom", "pk"]

    def __str__(self):
        return f"{self.prenom} {self.nom}".strip()


class Echange(models.Model):
    """One exchange with an employer (visit, call, event…), logged by whoever had it."""

    employeur = models.ForeignKey(Employeur, related_name="echanges", on_delete=models.CASCADE)
    type = models.CharField("type d'échange", max_length=20, choices=TypeEchange.choices)
    date = models.DateField("date")
    contact = models.ForeignKey(
        Contact,
        verbose_name="contact",
        related_name="echanges",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
    )
    compte_rendu = models.TextField("compte rendu", blank=True)
    auteur = models.ForeignKey(USER, related_name="+", on_delete=models.SET_NULL, null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "échange"
        verbose_name_plural = "échanges"
        ordering = ["-date", "-pk"]

    def __str__(self):
        return f"{self.get_type_display()} du {self.date:%d/%m/%Y}"


class OffreQuerySet(models.QuerySet):
    def visible_to(self, scope):
        return self.filter(plie_id__in=scope.employer_plie_ids)

    def ouvertes(self):
        return self.filter(status=StatutOffre.OUVERTE)


class Offre(models.Model):
    """A job offer of an employer; ``plie`` is the employer's."""

    plie = models.ForeignKey(Structure, verbose_name="PLIE", related_name="offres", on_delete=models.PROTECT)
    employeur = models.ForeignKey(
        Employeur, verbose_name="employeur", related_name="offres", on_delete=models.PROTECT
    )
    intitule = models.CharField("intitulé du poste", max_length=200)
    code_rome = models.CharField("code ROME", max_length=5)
    type_contrat = models.CharField("type de contrat", max_length=20, choices=TypeContrat.choices)
    heures_hebdo = models.DecimalField(
        "heures par semaine", max_digits=4, decimal_places=1, null=True, blank=True
    )
    lieu = models.CharField("lieu de travail", max_length=100)
    code_postal = models.CharField("code postal", max_length=5, blank=True)
    date_publication = models.DateField("publiée le")
    date_debut = models.DateField("prise de poste", null=True, blank=True)
    date_limite = models.DateField("candidatures jusqu'au", null=True, blank=True)
    postes = models.PositiveSmallIntegerField("nombre de postes", default=1)
    status = models.CharField(
        "statut", max_length=10, choices=StatutOffre.choices, default=StatutOffre.OUVERTE
    )
    description = models.TextField("description", blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(USER, related_name="+", on_delete=models.SET_NULL, null=True, blank=True)

    history = HistoricalRecords()
    objects = OffreQuerySet.as_manager()

    class Meta:
        verbose_name = "offre d'emploi"
        verbose_name_plural = "offres d'emploi"
        ordering = ["-date_publication", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(postes__gte=1),
                name="offre_postes_positive",
                violation_error_message="Au moins un poste.",
            )
        ]

    def __str__(self):
        return f"{self.intitule} ({self.employeur})"


class MiseEnRelationQuerySet(models.QuerySet):
    def visible_to(self, scope):
        """Mises en relation of the PLIE whose employer side ``scope`` sees: the participant's
        identity is part of it (see ``plie.core.scoping``)."""
        return self.filter(offre__plie_id__in=scope.employer_plie_ids)


class MiseEnRelation(models.Model):
    """A participant put forward on an offer, and what came of it."""

    offre = models.ForeignKey(Offre, related_name="mises_en_relation", on_delete=models.PROTECT)
    participant = models.ForeignKey(Participant, related_name="mises_en_relation", on_delete=models.PROTECT)
    parcours = models.ForeignKey(Parcours, related_name="mises_en_relation", on_delete=models.PROTECT)
    status = models.CharField(
        "résultat", max_length=12, choices=StatutMiseEnRelation.choices, default=StatutMiseEnRelation.PROPOSEE
    )
    date_proposition = models.DateField("proposée le")
    date_resultat = models.DateField("résultat le", null=True, blank=True)
    motif = models.CharField("motif", max_length=255, blank=True)
    etape = models.OneToOneField(
        Etape, related_name="mise_en_relation", on_delete=models.SET_NULL, null=True, blank=True
    )
    proposee_par = models.ForeignKey(USER, related_name="+", on_delete=models.SET_NULL, null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()
    objects = MiseEnRelationQuerySet.as_manager()

    class Meta:
        verbose_name = "mise en relation"
        verbose_name_plural = "mises en relation"
        ordering = ["-date_proposition", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["offre", "participant"],
                name="miseenrelation_unique",
                violation_error_message="Ce participant est déjà proposé sur cette offre.",
            )
        ]

    def __str__(self):
        return f"{self.participant} sur {self.offre}"


class ContratEmployeur(models.Model):
    """The employer of a contract recorded in parcours (``Contrat.employeur`` stays free text:
    this link is kept on the employer side, so the parcours app is unchanged)."""

    contrat = models.OneToOneField(Contrat, related_name="lien_employeur", on_delete=models.CASCADE)
    employeur = models.ForeignKey(Employeur, related_name="liens_contrats", on_delete=models.CASCADE)

    class Meta:
        verbose_name = "employeur d'un contrat"
        verbose_name_plural = "employeurs des contrats"

    def __str__(self):
        return f"{self.contrat} ({self.employeur})"


class MarcheQuerySet(models.QuerySet):
    def visible_to(self, scope):
        return self.filter(plie_id__in=scope.employer_plie_ids)


class Marche(models.Model):
    """A public market with an insertion clause, followed by the PLIE's facilitator."""

    plie = models.ForeignKey(Structure, verbose_name="PLIE", related_name="marches", on_delete=models.PROTECT)
    donneur_ordre = models.CharField("donneur d'ordre", max_length=200)
    reference = models.CharField("référence du marché", max_length=100)
    lot = models.CharField("lot", max_length=100, blank=True)
    intitule = models.CharField("objet", max_length=255, blank=True)
    attributaire = models.ForeignKey(
        Employeur, verbose_name="entreprise attributaire", related_name="marches", on_delete=models.PROTECT
    )
    heures_requises = models.PositiveIntegerField("heures d'insertion requises")
    date_debut = models.DateField("début")
    date_fin = models.DateField("fin")
    reserve = models.BooleanField("marché réservé", default=False)
    hors_btp = models.BooleanField("opération hors BTP", default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()
    objects = MarcheQuerySet.as_manager()

    class Meta:
        verbose_name = "marché clausé"
        verbose_name_plural = "marchés clausés"
        ordering = ["-date_debut", "reference", "lot"]
        constraints = [
            models.CheckConstraint(
                condition=Q(date_fin__gte=F("date_debut")),
                name="marche_fin_after_debut",
                violation_error_message="La fin du marché doit suivre son début.",
            ),
            models.UniqueConstraint(
                fields=["plie", "reference", "lot"],
                name="marche_unique_reference_lot",
                violation_error_message="Ce lot de ce marché existe déjà.",
            ),
        ]

    def __str__(self):
        return f"{self.reference}{f' lot {self.lot}' if self.lot else ''} — {self.donneur_ordre}"


class Placement(models.Model):
    """A participant placed on a clause market, and the hours the company declares each month."""

    marche = models.ForeignKey(Marche, related_name="placements", on_delete=models.CASCADE)
    participant = models.ForeignKey(Participant, related_name="placements_clause", on_delete=models.PROTECT)
    contrat = models.ForeignKey(
        Contrat,
        verbose_name="contrat",
        related_name="placements_clause",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
    )
    modalite = models.CharField("modalité de réalisation", max_length=20, choices=ModaliteClause.choices)
    date_debut = models.DateField("début")
    date_fin = models.DateField("fin", null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = "placement sur un marché"
        verbose_name_plural = "placements sur les marchés"
        ordering = ["marche", "date_debut", "pk"]

    def __str__(self):
        return f"{self.participant} sur {self.marche}"


class HeuresMois(models.Model):
    placement = models.ForeignKey(Placement, related_name="heures", on_delete=models.CASCADE)
    mois = models.DateField("mois")  # the first of the month
    heures = models.DecimalField("heures réalisées", max_digits=6, decimal_places=2)

    history = HistoricalRecords()

    class Meta:
        verbose_name = "heures du mois"
        verbose_name_plural = "heures par mois"
        ordering = ["placement", "mois"]
        constraints = [models.UniqueConstraint(fields=["placement", "mois"], name="heuresmois_unique")]

    def __str__(self):
        return f"{self.heures} h en {self.mois:%m/%Y}"


class SuiviSixMois(models.Model):
    """The situation six months after the exit of a parcours (FSE+ longer-term result)."""

    parcours = models.OneToOneField(Parcours, related_name="suivi_six_mois", on_delete=models.CASCADE)
    situation = models.CharField("situation", max_length=12, choices=SituationSixMois.choices)
    date_releve = models.DateField("relevée le")
    # FSE+ EECR06: an employed participant whose job is better than at entry (precarious to
    # stable, part-time to full-time, a more qualified job or a promotion); asked only when in
    # employment six months after exit (operations.indicateurs_fse.resultat_six_mois)
    situation_amelioree = models.BooleanField(
        "situation améliorée depuis l'entrée",
        null=True,
        blank=True,
        help_text=(
            "Pour une personne déjà en emploi à l'entrée : passage d'un emploi précaire à un emploi "
            "stable, d'un temps partiel subi à un temps plein, à un poste plus qualifié ou promotion."
        ),
    )
    commentaire = models.TextField("commentaire", blank=True)
    recorded_by = models.ForeignKey(USER, related_name="+", on_delete=models.SET_NULL, null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = "situation à six mois"
        verbose_name_plural = "situations à six mois"

    def __str__(self):
        return f"{self.get_situation_display()} le {self.date_releve:%d/%m/%Y}"


class ActionEntrepriseQuerySet(models.QuerySet):
    def visible_to(self, scope):
        return self.filter(plie_id__in=scope.employer_plie_ids)


class ActionEntreprise(models.Model):
    """A partner action with employers (job dating, company visit, forum…) and its attendance
    sheet (:class:`PresenceAction`)."""

    plie = models.ForeignKey(
        Structure, verbose_name="PLIE", related_name="actions_entreprises", on_delete=models.PROTECT
    )
    type = models.CharField("type d'action", max_length=20, choices=TypeActionEntreprise.choices)
    intitule = models.CharField("intitulé", max_length=200)
    date = models.DateField("date")
    lieu = models.CharField("lieu", max_length=200, blank=True)
    employeurs = models.ManyToManyField(
        Employeur, verbose_name="employeurs", related_name="actions", blank=True
    )
    created_by = models.ForeignKey(USER, related_name="+", on_delete=models.SET_NULL, null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ActionEntrepriseQuerySet.as_manager()

    class Meta:
        verbose_name = "action avec les employeurs"
        verbose_name_plural = "actions avec les employeurs"
        ordering = ["-date", "-pk"]

    def __str__(self):
        return f"{self.intitule} ({self.date:%d/%m/%Y})"


class PresenceAction(models.Model):
    """A participant invited to an action; ``present`` once the attendance sheet is filled."""

    action = models.ForeignKey(ActionEntreprise, related_name="presences", on_delete=models.CASCADE)
    participant = models.ForeignKey(
        Participant, related_name="presences_entreprises", on_delete=models.PROTECT
    )
    present = models.BooleanField("présent", null=True, blank=True)

    class Meta:
        verbose_name = "présence"
        verbose_name_plural = "présences"
        constraints = [
            models.UniqueConstraint(fields=["action", "participant"], name="presenceaction_unique")
        ]

    def __str__(self):
        return f"{self.participant} à {self.action}"


def convention_upload_to(instance, filename):
    """Where a signed convention is stored (the storage API, ``plie.core.storage``): under its PLIE,
    with a random name; the name shown is ``document_nom``."""
    suffix = PurePath(filename).suffix.lower()[:8]
    return f"entreprises/{instance.plie_id}/conventions/{uuid.uuid4().hex}{suffix}"


class ConventionQuerySet(models.QuerySet):
    def visible_to(self, scope):
        return self.filter(plie_id__in=scope.employer_plie_ids)

    def en_cours(self, debut, fin):
        """Signed conventions running during ``debut``–``fin``
        (``entreprises.regles.convention_en_cours``)."""
        return self.filter(date_signature__isnull=False, date_signature__lte=fin, date_debut__lte=fin).filter(
            Q(date_fin__isnull=True) | Q(date_fin__gte=debut)
        )


class Convention(models.Model):
    """A partnership convention of the PLIE with a donneur d'ordre, an SIAE or an employing
    structure (seed 004 l.1128, l.1782, l.1851: « Nombre de conventions en cours (avec les donneurs
    d'ordre, les SIAE, …) », proved by « Conventions signées »)."""

    plie = models.ForeignKey(
        Structure, verbose_name="PLIE", related_name="conventions_entreprises", on_delete=models.PROTECT
    )
    type_partenaire = models.CharField(
        "type de partenaire", max_length=20, choices=TypePartenaireConvention.choices
    )
    employeur = models.ForeignKey(
        Employeur,
        verbose_name="employeur",
        related_name="conventions",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        help_text="Si le partenaire est un employeur enregistré (SIAE, entreprise…).",
    )
    partenaire = models.CharField(
        "partenaire",
        max_length=200,
        blank=True,
        help_text="Le donneur d'ordre ou le partenaire, s'il n'est pas un employeur enregistré.",
    )
    objet = models.CharField("objet", max_length=255)
    date_signature = models.DateField("signée le", null=True, blank=True)
    date_debut = models.DateField("début")
    date_fin = models.DateField("fin", null=True, blank=True, help_text="Vide : sans terme fixé.")
    document = models.FileField(
        "convention signée", upload_to=convention_upload_to, max_length=255, blank=True
    )
    document_nom = models.CharField("nom du document", max_length=255, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(USER, related_name="+", on_delete=models.SET_NULL, null=True, blank=True)

    history = HistoricalRecords()
    objects = ConventionQuerySet.as_manager()

    class Meta:
        verbose_name = "convention de partenariat"
        verbose_name_plural = "conventions de partenariat"
        ordering = ["-date_debut", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(date_fin__isnull=True) | Q(date_fin__gte=F("date_debut")),
                name="convention_fin_after_debut",
                violation_error_message="La fin de la convention doit suivre son début.",
            ),
        ]

    def __str__(self):
        return f"{self.nom_partenaire} — {self.objet}"

    @property
    def nom_partenaire(self):
        return self.employeur.nom if self.employeur_id else self.partenaire
