from django.db import models
from simple_history.models import HistoricalRecords

from participants.enums import Sexe
from plie.core.models import Structure
from plie.core.scoping import scope_for


class ParticipantQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Participants whose personal data ``user`` may see (see ``plie.core.scoping``)."""
        return self.filter(plie_id__in=scope_for(user).personal_plie_ids)

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
    nom = models.CharField("nom", max_length=100)
    prenom = models.CharField("prénom", max_length=100)
    nom_naissance = models.CharField("nom de naissance", max_length=100, blank=True)
    sexe = models.CharField("sexe", max_length=1, choices=Sexe.choices)
    date_naissance = models.DateField("date de naissance")
    created_at = models.DateTimeField("créé le", auto_now_add=True)
    updated_at = models.DateTimeField("modifié le", auto_now=True)

    objects = ParticipantQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = "participant"
        verbose_name_plural = "participants"
        ordering = ["nom", "prenom", "id"]
        indexes = [models.Index(fields=["plie", "nom", "prenom"], name="participant_plie_nom_idx")]

    def __str__(self):
        return f"{self.nom.upper()} {self.prenom}"
