"""Per-PLIE retention settings, objections to an anonymisation, and the anonymisations done."""

import datetime

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from plie.core.models import Structure

# The control deadline of the 2014–2020 FSE programme: data and proofs kept until then
# (docs/domaine.md §9, « la conservation FSE s'applique aux données et pièces FSE »).
FIN_CONTROLE_FSE_2014_2020 = datetime.date(2033, 12, 31)


class ConservationPlie(models.Model):
    """How long one PLIE keeps personal data, and the PLIE-specific fields of the information
    notice (controller, DPO contact). One row per PLIE, created with its defaults on first use
    (:func:`rgpd.selectors.conservation_of`)."""

    plie = models.OneToOneField(Structure, related_name="conservation", on_delete=models.CASCADE)
    annees_apres_parcours = models.PositiveSmallIntegerField(
        "années de conservation après le dernier parcours",
        default=2,
        validators=[MinValueValidator(1), MaxValueValidator(30)],
        help_text=(
            "Les données personnelles sont anonymisées ce nombre d'années après la fin du dernier parcours."
        ),
    )
    fin_controle_fse = models.DateField(
        "fin du délai de contrôle FSE",
        default=FIN_CONTROLE_FSE_2014_2020,
        help_text=(
            "Les données et pièces FSE sont gardées jusqu'à cette date (31/12/2033 pour le programme "
            "2014–2020), si elle est plus tardive."
        ),
    )
    jours_fichiers_import = models.PositiveSmallIntegerField(
        "jours de conservation des fichiers importés",
        default=30,
        validators=[MinValueValidator(1)],
        help_text="Fichiers déposés pour un import et rapports d'erreurs supprimés passé ce délai.",
    )
    jours_preavis = models.PositiveSmallIntegerField(
        "préavis avant anonymisation (jours)",
        default=30,
        help_text=(
            "Pendant ce délai, la personne figure au rapport de la prochaine anonymisation "
            "et un référent peut s'y opposer."
        ),
    )
    # The information notice (mention d'information): what is specific to the PLIE.
    responsable = models.CharField(
        "responsable du traitement",
        max_length=255,
        blank=True,
        help_text="Nom et adresse de la structure porteuse du PLIE ; à défaut, le nom du PLIE.",
    )
    dpo_contact = models.CharField(
        "contact du délégué à la protection des données",
        max_length=255,
        blank=True,
        help_text="Adresse postale ou électronique du DPO, imprimée sur la mention d'information.",
    )
    financeurs = models.CharField(
        "cofinanceurs cités",
        max_length=255,
        default="le Fonds social européen (FSE+) et les collectivités partenaires du PLIE",
        blank=True,
    )

    class Meta:
        verbose_name = "conservation des données d'un PLIE"
        verbose_name_plural = "conservation des données des PLIE"

    def __str__(self):
        return f"Conservation — {self.plie}"


class Opposition(models.Model):
    """A référent's objection to the anonymisation of a person still followed: the nightly job
    leaves the person alone until ``jusqu_au``."""

    plie = models.ForeignKey(Structure, related_name="+", on_delete=models.CASCADE)
    participant = models.ForeignKey("participants.Participant", related_name="+", on_delete=models.CASCADE)
    jusqu_au = models.DateField("suspendue jusqu'au")
    motif = models.CharField("motif", max_length=255)
    created_at = models.DateTimeField("le", auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="par", related_name="+", on_delete=models.SET_NULL, null=True
    )

    class Meta:
        verbose_name = "opposition à une anonymisation"
        verbose_name_plural = "oppositions à une anonymisation"
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return f"Opposition pour le dossier n° {self.participant_id} jusqu'au {self.jusqu_au:%d/%m/%Y}"


class Anonymisation(models.Model):
    """A person anonymised (kept so that the nightly job is idempotent and the DPO can tell)."""

    plie = models.ForeignKey(Structure, related_name="+", on_delete=models.CASCADE)
    participant = models.OneToOneField(
        "participants.Participant", related_name="anonymisation", on_delete=models.CASCADE
    )
    echeance = models.DateField("échéance")
    done_at = models.DateTimeField("anonymisé le", auto_now_add=True)
    documents_supprimes = models.PositiveIntegerField("documents supprimés", default=0)

    class Meta:
        verbose_name = "anonymisation"
        verbose_name_plural = "anonymisations"
        ordering = ["-done_at"]

    def __str__(self):
        return f"Dossier n° {self.participant_id} anonymisé"
