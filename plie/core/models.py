from django.contrib.auth.base_user import BaseUserManager
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models import Q
from django.utils import timezone
from simple_history.models import HistoricalRecords

from plie.core.enums import JournalAction, Role, RunOutcome, StructureKind


class UserManager(BaseUserManager):
    use_in_migrations = True

    def _create_user(self, email, password, **extra_fields):
        if not email:
            raise ValueError("L'adresse électronique est obligatoire.")
        user = self.model(email=self.normalize_email(email).lower(), **extra_fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", False)
        extra_fields.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra_fields)

    def create_superuser(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", True)
        extra_fields.setdefault("is_superuser", True)
        return self._create_user(email, password, **extra_fields)


class User(AbstractUser):
    """A person who logs in, by email. What they may see comes from their memberships."""

    username = None
    email = models.EmailField("adresse électronique", unique=True)

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS = []

    objects = UserManager()
    history = HistoricalRecords(excluded_fields=["password", "last_login"])

    class Meta:
        verbose_name = "utilisateur"
        verbose_name_plural = "utilisateurs"
        ordering = ["last_name", "first_name", "email"]

    def __str__(self):
        return self.get_full_name() or self.email

    def save(self, *args, **kwargs):
        self.email = self.email.strip().lower()
        super().save(*args, **kwargs)


class StructureQuerySet(models.QuerySet):
    def plies(self):
        return self.filter(kind=StructureKind.PLIE)

    def ois(self):
        return self.filter(kind=StructureKind.OI)


class Structure(models.Model):
    """Any organisation in the PLIE's world: the PLIE itself (the tenant), the OI that groups
    several PLIE, opérateurs, prescripteurs, financeurs."""

    kind = models.CharField("type", max_length=20, choices=StructureKind.choices)
    nom = models.CharField("nom", max_length=200)
    code = models.SlugField(
        "code",
        max_length=30,
        unique=True,
        null=True,
        blank=True,
        help_text="Code stable du PLIE, utilisé dans les exports et l'API.",
    )
    oi = models.ForeignKey(
        "self",
        verbose_name="organisme intermédiaire",
        related_name="plies_geres",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        limit_choices_to={"kind": StructureKind.OI},
    )
    plies = models.ManyToManyField(
        "self",
        verbose_name="PLIE partenaires",
        related_name="partenaires",
        symmetrical=False,
        blank=True,
        limit_choices_to={"kind": StructureKind.PLIE},
        help_text="Pour un opérateur, un prescripteur ou un financeur : les PLIE avec lesquels il travaille.",
    )
    logo = models.CharField(
        "logo",
        max_length=255,
        blank=True,
        help_text="Pour un PLIE : le nom du fichier de son logo dans le stockage (plie.core.identite).",
    )
    roles_double_facteur = models.JSONField(
        "rôles tenus au second facteur",
        default=list,
        blank=True,
        help_text=(
            "Pour un PLIE : rôles qui doivent confirmer leur connexion par un code à usage unique (TOTP), "
            "en plus des administrateurs, DPO et superutilisateurs qui y sont toujours tenus."
        ),
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = StructureQuerySet.as_manager()

    class Meta:
        verbose_name = "structure"
        verbose_name_plural = "structures"
        ordering = ["nom"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(kind=StructureKind.PLIE) | Q(code__isnull=False),
                name="structure_plie_has_code",
                violation_error_message="Un PLIE doit avoir un code.",
            ),
            models.CheckConstraint(
                condition=Q(kind=StructureKind.PLIE) | Q(oi__isnull=True),
                name="structure_only_plie_has_oi",
                violation_error_message="Seul un PLIE peut être rattaché à un organisme intermédiaire.",
            ),
        ]

    def __str__(self):
        return self.nom

    @property
    def is_plie(self):
        return self.kind == StructureKind.PLIE


class MembershipQuerySet(models.QuerySet):
    def active(self):
        return self.filter(is_active=True)


class Membership(models.Model):
    """A user's role in a structure. A user may hold several (e.g. référent in two PLIE)."""

    user = models.ForeignKey(User, related_name="memberships", on_delete=models.CASCADE)
    structure = models.ForeignKey(Structure, related_name="memberships", on_delete=models.CASCADE)
    role = models.CharField("rôle", max_length=20, choices=Role.choices)
    is_active = models.BooleanField("actif", default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = MembershipQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = "rattachement"
        verbose_name_plural = "rattachements"
        constraints = [
            models.UniqueConstraint(fields=["user", "structure", "role"], name="membership_unique_role"),
        ]

    def __str__(self):
        return f"{self.user} — {self.get_role_display()} ({self.structure})"


class TaskRun(models.Model):
    """One run of a background job for one PLIE and one day.

    Keyed by (task, PLIE, run_date): running a job twice for the same day updates the same row,
    which is what makes the nightly jobs idempotent and visible on the admin page."""

    task = models.CharField("tâche", max_length=100)
    plie = models.ForeignKey(
        Structure, verbose_name="PLIE", related_name="task_runs", on_delete=models.CASCADE, null=True
    )
    run_date = models.DateField("date traitée")
    started_at = models.DateTimeField("début")
    finished_at = models.DateTimeField("fin", null=True, blank=True)
    rows = models.PositiveIntegerField("lignes", default=0)
    outcome = models.CharField(
        "résultat", max_length=10, choices=RunOutcome.choices, default=RunOutcome.RUNNING
    )
    error = models.TextField("erreur", blank=True)
    attempts = models.PositiveIntegerField("exécutions", default=0)

    class Meta:
        verbose_name = "exécution de tâche"
        verbose_name_plural = "exécutions de tâches"
        ordering = ["-started_at"]
        constraints = [
            models.UniqueConstraint(fields=["task", "plie", "run_date"], name="taskrun_unique_per_day"),
        ]

    def __str__(self):
        return f"{self.task} {self.plie} {self.run_date:%d/%m/%Y}"

    @property
    def duration(self):
        if self.finished_at is None:
            return None
        return self.finished_at - self.started_at


class AccessLogQuerySet(models.QuerySet):
    """The journal is append-only: no update, no delete, except :meth:`prune` (retention)."""

    def visible_to(self, scope):
        """Entries of the PLIE whose journal ``scope`` may read (DPO, administrateur; see
        ``Scope.journal_plie_ids``)."""
        return self.filter(plie_id__in=scope.journal_plie_ids)

    def update(self, **kwargs):
        raise PermissionError("Le journal des accès ne se modifie pas.")

    def delete(self):
        raise PermissionError("Le journal des accès ne se supprime pas : il est purgé par date.")

    def prune(self, before):
        """Delete the entries older than ``before`` (a datetime): the retention, nothing else."""
        return self.filter(at__lt=before)._raw_delete(self.db)


class AccessLog(models.Model):
    """One read or change of a person's data: who, when, which person, what action, from which IP
    address; never the content (``objet`` says what was read — « export MDFSE », « document 12 » —
    never a name or a query). Append-only: :meth:`save` refuses an update, :meth:`delete` raises.

    ``participant_id`` is a plain integer, not a foreign key: the journal outlives the dossier and
    its anonymisation. ``acteur`` keeps who acted (e-mail, or a system scope's label) even when
    the account is gone."""

    at = models.DateTimeField("date et heure", default=timezone.now)
    plie = models.ForeignKey(
        Structure, verbose_name="PLIE", related_name="+", on_delete=models.PROTECT, null=True, blank=True
    )
    user = models.ForeignKey(
        User,
        verbose_name="utilisateur",
        related_name="+",
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        null=True,
        blank=True,
    )
    acteur = models.CharField("acteur", max_length=254, blank=True)
    action = models.CharField("action", max_length=20, choices=JournalAction.choices)
    participant_id = models.PositiveIntegerField("participant (n°)", null=True, blank=True)
    objet = models.CharField("objet", max_length=100, blank=True)
    nombre = models.PositiveIntegerField("nombre de résultats", null=True, blank=True)
    ip = models.GenericIPAddressField("adresse IP", null=True, blank=True)

    objects = AccessLogQuerySet.as_manager()

    class Meta:
        verbose_name = "entrée du journal des accès"
        verbose_name_plural = "journal des accès"
        ordering = ["-at", "-pk"]
        indexes = [
            models.Index(fields=["plie", "at"], name="accesslog_plie_at_idx"),
            models.Index(fields=["plie", "participant_id", "at"], name="accesslog_participant_idx"),
            models.Index(fields=["plie", "user", "at"], name="accesslog_user_idx"),
        ]

    def __str__(self):
        return f"{self.at:%d/%m/%Y %H:%M} {self.acteur} — {self.get_action_display()}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise PermissionError("Le journal des accès ne se modifie pas.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError("Le journal des accès ne se supprime pas : il est purgé par date.")


class ApiTokenQuerySet(models.QuerySet):
    def active(self):
        return self.filter(revoked_at__isnull=True)


class ApiToken(models.Model):
    """A personal API token (``/api/v1/``). Only the SHA-256 of the secret is stored: the secret
    is shown once, when the token is created (:mod:`plie.core.tokens`). A token acts with its
    user's Scope and nothing more; a read token (``ecriture`` off) refuses every write."""

    user = models.ForeignKey(
        User, verbose_name="utilisateur", related_name="api_tokens", on_delete=models.CASCADE
    )
    nom = models.CharField("nom", max_length=100)
    prefixe = models.CharField("début du jeton", max_length=12, help_text="Pour reconnaître le jeton.")
    empreinte = models.CharField("empreinte SHA-256", max_length=64, unique=True)
    ecriture = models.BooleanField("lecture et écriture", default=False)
    created_at = models.DateTimeField("créé le", auto_now_add=True)
    created_by = models.ForeignKey(
        User, verbose_name="créé par", related_name="+", on_delete=models.SET_NULL, null=True, blank=True
    )
    last_used_at = models.DateTimeField("dernière utilisation", null=True, blank=True)
    revoked_at = models.DateTimeField("révoqué le", null=True, blank=True)

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        verbose_name = "jeton d'API"
        verbose_name_plural = "jetons d'API"
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.nom} ({self.prefixe}…)"

    @property
    def is_active(self):
        return self.revoked_at is None


class DemoDataset(models.Model):
    """The demo world in the database (``manage.py seed_demo``), at most one row: its reference
    day (every demo date was drawn relative to it), seed and size. ``make run`` reads it to say
    how old the demo is (:func:`plie.core.demo.staleness_message`)."""

    reference_date = models.DateField("date de référence")
    seed = models.IntegerField("graine")
    participants = models.PositiveIntegerField("participants")
    plies = models.PositiveIntegerField("PLIE")
    created_at = models.DateTimeField("créée le", auto_now_add=True)

    class Meta:
        verbose_name = "jeu de démonstration"
        verbose_name_plural = "jeux de démonstration"

    def __str__(self):
        return f"Démonstration du {self.reference_date:%d/%m/%Y}"
