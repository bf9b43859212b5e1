"""``/api/v1/`` resources of the parcours app: parcours, entretiens, étapes (with their
contract), sorties, commissions and decisions, alerts, référents. Rows come from
``visible_to(scope)`` (404 outside it); writes go through :mod:`parcours.services`, the same
functions as the UI (rules, permissions — 403 —, the parcours' ``version`` — 409)."""

from django.core.exceptions import PermissionDenied
from django.db.models import Q
from drf_spectacular.utils import OpenApiExample, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from parcours import permissions, services
from parcours.enums import TypeDecision
from parcours.filters import (
    AlerteFilter,
    CommissionFilter,
    EntretienFilter,
    EtapeFilter,
    ParcoursFilter,
    SortieFilter,
    SuspensionFilter,
)
from parcours.models import (
    Alerte,
    Commission,
    Contrat,
    Decision,
    Entretien,
    Etape,
    Parcours,
    Sortie,
    Suspension,
    TypeEtape,
    TypeSortie,
)
from parcours.services import suivi
from plie.core.drf import (
    BlankChoicesMixin,
    Conflict,
    PliePagination,
    ScopedViewSetMixin,
    TombstonePageSerializer,
)
from plie.core.enums import Role, StructureKind
from plie.core.models import Membership, Structure, User

# --- serializers ------------------------------------------------------------------------------


def _invalid(field, message):
    """A 400 naming ``field`` (the uniform error body's ``champs``)."""
    return serializers.ValidationError({field: [message]})


class ParcoursSerializer(BlankChoicesMixin, serializers.ModelSerializer):
    """A parcours: status, référent, key dates. ``version`` is what a write sends back (409 when
    someone saved in between)."""

    plie = serializers.SlugRelatedField(slug_field="code", read_only=True)
    statut = serializers.CharField(source="status", read_only=True)
    cree_le = serializers.DateTimeField(source="created_at", read_only=True)
    modifie_le = serializers.DateTimeField(source="updated_at", read_only=True)

    class Meta:
        model = Parcours
        fields = [
            "id",
            "participant",
            "plie",
            "statut",
            "referent",
            "prescripteur",
            "date_orientation",
            "motif_orientation",
            "projet",
            "distance_emploi",
            "date_commission",
            "date_representation",
            "date_entree",
            "date_signature_contrat",
            "date_sortie",
            "dernier_contact",
            "prochain_rdv",
            "version",
            "cree_le",
            "modifie_le",
        ]
        read_only_fields = fields


class EntretienSerializer(BlankChoicesMixin, serializers.ModelSerializer):
    cree_le = serializers.DateTimeField(source="created_at", read_only=True)

    class Meta:
        model = Entretien
        fields = [
            "id",
            "parcours",
            "date",
            "mode",
            "duree_minutes",
            "sujets",
            "notes",
            "prochain_rdv",
            "referent",
            "cree_le",
        ]
        read_only_fields = ["id", "referent", "cree_le"]


class ContratSerializer(BlankChoicesMixin, serializers.ModelSerializer):
    class Meta:
        model = Contrat
        fields = [
            "employeur",
            "siret",
            "type_contrat",
            "heures_hebdo",
            "date_debut",
            "date_fin_prevue",
            "date_fin",
        ]
        read_only_fields = fields


class EtapeSerializer(BlankChoicesMixin, serializers.ModelSerializer):
    type = serializers.SlugRelatedField(slug_field="code", read_only=True)
    type_libelle = serializers.CharField(source="type.libelle", read_only=True)
    contrat = serializers.SerializerMethodField()

    class Meta:
        model = Etape
        fields = [
            "id",
            "parcours",
            "type",
            "type_libelle",
            "operateur",
            "date_debut",
            "date_fin_prevue",
            "date_fin",
            "resultat",
            "annulee",
            "date_annulation",
            "contrat",
        ]
        read_only_fields = fields

    def get_contrat(self, etape) -> ContratSerializer(allow_null=True):
        contrat = getattr(etape, "contrat", None)
        return ContratSerializer(contrat).data if contrat is not None else None


class SuspensionSerializer(BlankChoicesMixin, serializers.ModelSerializer):
    class Meta:
        model = Suspension
        fields = ["id", "parcours", "motif", "date_debut", "date_fin"]
        read_only_fields = fields


class SuspensionCreateSerializer(serializers.ModelSerializer):
    """Suspend a parcours: ``version`` is the parcours' (409 when someone saved in between)."""

    version = serializers.IntegerField(help_text="Version du parcours lue avant l'écriture.")

    class Meta:
        model = Suspension
        fields = ["parcours", "version", "motif", "date_debut", "date_fin"]


class SuspensionEndSerializer(serializers.Serializer):
    version = serializers.IntegerField(help_text="Version du parcours lue avant l'écriture.")
    date_fin = serializers.DateField(help_text="Reprise de l'accompagnement le (ISO 8601).")


class EtapeCreateSerializer(serializers.Serializer):
    """Add an étape (and, for a job, its contract) to a parcours, as the parcours page does."""

    parcours = serializers.PrimaryKeyRelatedField(queryset=Parcours.objects.none())
    type = serializers.CharField(max_length=40, help_text="Code du type d'étape dans le référentiel du PLIE.")
    operateur = serializers.IntegerField(required=False, allow_null=True, help_text="Opérateur (id).")
    date_debut = serializers.DateField()
    date_fin_prevue = serializers.DateField(required=False, allow_null=True)
    date_fin = serializers.DateField(required=False, allow_null=True)
    resultat = serializers.CharField(required=False, allow_blank=True, max_length=255, default="")
    contrat = ContratSerializer(required=False, allow_null=True)
    motif = serializers.CharField(
        required=False, allow_blank=True, default="", help_text="Parcours sorti : la raison (administrateur)."
    )


class SortieSerializer(BlankChoicesMixin, serializers.ModelSerializer):
    """An exit: proposed (``validee`` false) or validated. To record one, send the parcours, its
    ``version``, the exit type's code and the date."""

    type = serializers.CharField(
        source="type.code", max_length=40, help_text="Code du type de sortie dans le référentiel du PLIE."
    )
    categorie = serializers.CharField(source="type.categorie", read_only=True)
    version = serializers.IntegerField(write_only=True, help_text="Version du parcours lue avant l'écriture.")
    cree_le = serializers.DateTimeField(source="created_at", read_only=True)

    class Meta:
        model = Sortie
        fields = [
            "id",
            "parcours",
            "type",
            "categorie",
            "date_sortie",
            "validee",
            "date_validation",
            "commentaire",
            "version",
            "cree_le",
        ]
        read_only_fields = ["id", "validee", "date_validation", "cree_le"]
        # one exit per parcours: the service says it, in French
        extra_kwargs = {"parcours": {"validators": []}}


class SortieValidationSerializer(serializers.Serializer):
    version = serializers.IntegerField(help_text="Version du parcours lue avant l'écriture.")
    date_validation = serializers.DateField()


class DecisionSerializer(BlankChoicesMixin, serializers.ModelSerializer):
    class Meta:
        model = Decision
        fields = [
            "id",
            "parcours",
            "objet",
            "decision",
            "motif",
            "motif_partage",
            "date_representation",
            "decided_at",
        ]
        read_only_fields = fields


class CommissionCreateSerializer(serializers.Serializer):
    plie = serializers.CharField(max_length=50, help_text="Code du PLIE.")
    date = serializers.DateField()
    lieu = serializers.CharField(required=False, allow_blank=True, max_length=255, default="")
    membres = serializers.CharField(required=False, allow_blank=True, default="")


class DecisionRecordSerializer(serializers.Serializer):
    """The commission's decision on one dossier of its agenda (the same service as the session
    page): admis needs ``date_entree``, ``referent``, ``date_signature_contrat``; ajourné
    ``date_representation``; refusé a ``motif``; réorienté ``structure_reorientation``."""

    dossier = serializers.IntegerField(help_text="La ligne de l'ordre du jour (id de la décision).")
    version = serializers.IntegerField(help_text="Version du parcours lue avant l'écriture.")
    decision = serializers.ChoiceField(choices=TypeDecision.choices)
    motif = serializers.CharField(required=False, allow_blank=True, default="")
    motif_partage = serializers.CharField(
        required=False, allow_blank=True, default="", help_text="Ce que le prescripteur lira de la décision."
    )
    date_entree = serializers.DateField(required=False, allow_null=True, default=None)
    referent = serializers.IntegerField(required=False, allow_null=True, default=None)
    date_signature_contrat = serializers.DateField(required=False, allow_null=True, default=None)
    date_representation = serializers.DateField(required=False, allow_null=True, default=None)
    structure_reorientation = serializers.IntegerField(required=False, allow_null=True, default=None)


class CommissionSerializer(BlankChoicesMixin, serializers.ModelSerializer):
    plie = serializers.SlugRelatedField(slug_field="code", read_only=True)
    statut = serializers.CharField(source="status", read_only=True)
    decisions = DecisionSerializer(many=True, read_only=True)

    class Meta:
        model = Commission
        fields = ["id", "plie", "date", "lieu", "statut", "decisions"]
        read_only_fields = fields


class AlerteSerializer(BlankChoicesMixin, serializers.ModelSerializer):
    plie = serializers.SlugRelatedField(slug_field="code", read_only=True)

    class Meta:
        model = Alerte
        fields = ["id", "plie", "parcours", "type", "detail", "echeance", "computed_on"]
        read_only_fields = fields


class ReferentSerializer(serializers.ModelSerializer):
    nom = serializers.CharField(source="last_name", read_only=True)
    prenom = serializers.CharField(source="first_name", read_only=True)

    class Meta:
        model = User
        fields = ["id", "nom", "prenom", "email"]
        read_only_fields = fields


# --- viewsets ---------------------------------------------------------------------------------


def _on_parcours(scope):
    return Q(parcours__plie_id__in=scope.personal_plie_ids)


class CreateOnVisibleParcoursMixin(mixins.CreateModelMixin):
    """A read-only resource that also creates, on a parcours the caller sees: the request is read
    by ``create_serializer_class`` (its ``parcours`` limited to the visible ones: another PLIE's
    parcours is « not found »), the answer written by ``serializer_class``."""

    create_serializer_class = None

    def get_serializer_class(self):
        if self.action == "create" and self.create_serializer_class is not None:
            return self.create_serializer_class
        return super().get_serializer_class()

    def get_serializer(self, *args, **kwargs):
        serializer = super().get_serializer(*args, **kwargs)
        fields = getattr(serializer, "fields", {})
        if self.action == "create" and "parcours" in fields:
            fields["parcours"].queryset = Parcours.objects.visible_to(self.scope)
        return serializer


TOMBSTONES = extend_schema(summary="Suppressions (pierres tombales)", responses=TombstonePageSerializer)


@extend_schema_view(
    list=extend_schema(summary="Lister les parcours", description="`actif=true` : la file active."),
    retrieve=extend_schema(summary="Lire un parcours"),
    supprimes=TOMBSTONES,
)
class ParcoursViewSet(ScopedViewSetMixin, viewsets.ReadOnlyModelViewSet):
    serializer_class = ParcoursSerializer
    filterset_class = ParcoursFilter

    def base_queryset(self, scope):
        return Parcours.objects.visible_to(scope).select_related("plie")

    def tombstone_filter(self, scope):
        return Q(plie_id__in=scope.personal_plie_ids)

    @action(detail=False, methods=["get"])
    def supprimes(self, request, format=None):
        return self.tombstones(request)


@extend_schema_view(
    list=extend_schema(summary="Lister les entretiens"),
    retrieve=extend_schema(summary="Lire un entretien"),
    create=extend_schema(
        summary="Enregistrer un entretien",
        description="Par le référent du parcours, l'animation ou l'administrateur (403 sinon).",
        examples=[
            OpenApiExample(
                "Entretien individuel",
                value={"parcours": 12, "date": "2026-03-02", "mode": "individuel", "duree_minutes": 45},
                request_only=True,
            )
        ],
    ),
    supprimes=TOMBSTONES,
)
class EntretienViewSet(ScopedViewSetMixin, mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    serializer_class = EntretienSerializer
    filterset_class = EntretienFilter
    pagination_class = PliePagination

    def base_queryset(self, scope):
        # on the entretien's own ``plie_id``: a PLIE's page of ids is read from the ``(plie, id)``
        # index (``PliePagination``)
        return Entretien.objects.visible_to(scope)

    def tombstone_filter(self, scope):
        return _on_parcours(scope)

    def get_serializer(self, *args, **kwargs):
        serializer = super().get_serializer(*args, **kwargs)
        if "parcours" in getattr(serializer, "fields", {}):
            serializer.fields["parcours"].queryset = Parcours.objects.visible_to(self.scope)
        return serializer

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        serializer.instance = suivi.entretien_record(scope=self.scope, **data)

    @action(detail=False, methods=["get"])
    def supprimes(self, request, format=None):
        return self.tombstones(request)


@extend_schema_view(
    list=extend_schema(summary="Lister les étapes (et leurs contrats)"),
    retrieve=extend_schema(summary="Lire une étape"),
    create=extend_schema(
        summary="Ajouter une étape",
        description=(
            "Le même service que la page du parcours : dates dans le parcours, contrat pour un emploi. "
            "Par le référent du parcours, l'animation ou l'administrateur (403 sinon)."
        ),
        request=EtapeCreateSerializer,
        responses={201: EtapeSerializer},
        examples=[
            OpenApiExample(
                "Formation",
                value={"parcours": 12, "type": "formation", "date_debut": "2026-03-02"},
                request_only=True,
            )
        ],
    ),
    supprimes=TOMBSTONES,
)
class EtapeViewSet(ScopedViewSetMixin, CreateOnVisibleParcoursMixin, viewsets.ReadOnlyModelViewSet):
    serializer_class = EtapeSerializer
    create_serializer_class = EtapeCreateSerializer
    filterset_class = EtapeFilter
    pagination_class = PliePagination

    def create(self, request, *args, **kwargs):
        payload = self.get_serializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = dict(payload.validated_data)
        parcours = data.pop("parcours")
        code = data.pop("type")
        type_etape = TypeEtape.objects.filter(plie_id=parcours.plie_id, code=code, is_active=True).first()
        if type_etape is None:
            raise serializers.ValidationError(
                {"type": ["Ce type d'étape ne fait pas partie du référentiel du PLIE."]}
            )
        operateur_id = data.pop("operateur", None)
        operateur = None
        if operateur_id is not None:
            operateur = suivi.operateurs_for(parcours.plie_id).filter(pk=operateur_id).first()
            if operateur is None:
                raise serializers.ValidationError(
                    {"operateur": ["Cet opérateur n'est pas partenaire du PLIE."]}
                )
        etape = suivi.etape_add(
            scope=self.scope, parcours=parcours, type=type_etape, operateur=operateur, **data
        )
        etape = self.base_queryset(self.scope).get(pk=etape.pk)
        return Response(EtapeSerializer(etape).data, status=status.HTTP_201_CREATED)

    def base_queryset(self, scope):
        # on the étape's own ``plie_id``: a PLIE's page of ids is read from the ``(plie, id)``
        # index (``PliePagination``)
        return Etape.objects.visible_to(scope).select_related("type", "contrat")

    def tombstone_filter(self, scope):
        return _on_parcours(scope)

    @action(detail=False, methods=["get"])
    def supprimes(self, request, format=None):
        return self.tombstones(request)


@extend_schema_view(
    list=extend_schema(summary="Lister les suspensions"),
    retrieve=extend_schema(summary="Lire une suspension"),
    create=extend_schema(
        summary="Suspendre un parcours",
        description="`version` : celle du parcours lue avant l'écriture (409 si elle a changé).",
        request=SuspensionCreateSerializer,
        responses={201: SuspensionSerializer},
        examples=[
            OpenApiExample(
                "Santé",
                value={"parcours": 12, "version": 4, "motif": "sante", "date_debut": "2026-03-02"},
                request_only=True,
            )
        ],
    ),
    terminer=extend_schema(
        summary="Terminer la suspension en cours",
        description="L'accompagnement reprend (409 si le parcours a changé entre-temps).",
        request=SuspensionEndSerializer,
        responses=SuspensionSerializer,
    ),
    supprimes=TOMBSTONES,
)
class SuspensionViewSet(ScopedViewSetMixin, CreateOnVisibleParcoursMixin, viewsets.ReadOnlyModelViewSet):
    serializer_class = SuspensionSerializer
    create_serializer_class = SuspensionCreateSerializer
    filterset_class = SuspensionFilter

    def create(self, request, *args, **kwargs):
        payload = self.get_serializer(data=request.data)
        payload.is_valid(raise_exception=True)
        try:
            suspension = services.suspension_start(scope=self.scope, **payload.validated_data)
        except services.ConflictError as error:
            raise Conflict() from error
        return Response(SuspensionSerializer(suspension).data, status=status.HTTP_201_CREATED)

    @action(detail=True, methods=["post"])
    def terminer(self, request, pk=None, format=None):
        suspension = self.get_object()
        payload = SuspensionEndSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        try:
            services.suspension_end(scope=self.scope, suspension=suspension, **payload.validated_data)
        except services.ConflictError as error:
            raise Conflict() from error
        suspension.refresh_from_db()
        return Response(SuspensionSerializer(suspension).data, status=status.HTTP_200_OK)

    def base_queryset(self, scope):
        return Suspension.objects.filter(parcours__in=Parcours.objects.visible_to(scope))

    def tombstone_filter(self, scope):
        return _on_parcours(scope)

    @action(detail=False, methods=["get"])
    def supprimes(self, request, format=None):
        return self.tombstones(request)


@extend_schema_view(
    list=extend_schema(summary="Lister les sorties"),
    retrieve=extend_schema(summary="Lire une sortie"),
    create=extend_schema(
        summary="Proposer une sortie",
        description=(
            "Le même service que l'écran : selon le type, la sortie est validée tout de suite, proposée "
            "en attente de sa règle (emploi, formation) ou de la commission. `version` : celle du parcours "
            "lue avant l'écriture (409 si quelqu'un a enregistré entre-temps)."
        ),
        examples=[
            OpenApiExample(
                "Sortie emploi",
                value={"parcours": 12, "version": 4, "type": "cdi", "date_sortie": "2026-03-02"},
                request_only=True,
            )
        ],
    ),
    valider=extend_schema(
        summary="Valider une sortie proposée",
        request=SortieValidationSerializer,
        responses=SortieSerializer,
        description="Hors commission, une fois sa règle remplie à la date de validation (400 sinon).",
    ),
    supprimes=TOMBSTONES,
)
class SortieViewSet(ScopedViewSetMixin, mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    serializer_class = SortieSerializer
    filterset_class = SortieFilter

    def base_queryset(self, scope):
        return Sortie.objects.filter(parcours__in=Parcours.objects.visible_to(scope)).select_related("type")

    def tombstone_filter(self, scope):
        return _on_parcours(scope)

    def get_serializer(self, *args, **kwargs):
        serializer = super().get_serializer(*args, **kwargs)
        fields = getattr(serializer, "fields", {})
        if "parcours" in fields:
            fields["parcours"].queryset = Parcours.objects.visible_to(self.scope)
        return serializer

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        parcours = data["parcours"]
        type_sortie = TypeSortie.objects.filter(plie_id=parcours.plie_id, code=data["type"]["code"]).first()
        if type_sortie is None:
            raise serializers.ValidationError(
                {"type": ["Ce type de sortie ne fait pas partie du référentiel actif du PLIE."]}
            )
        try:
            serializer.instance = services.sortie_record(
                scope=self.scope,
                parcours=parcours,
                version=data["version"],
                type_sortie=type_sortie,
                date_sortie=data["date_sortie"],
                commentaire=data.get("commentaire", ""),
            )
        except services.ConflictError as error:
            raise Conflict() from error

    @action(detail=True, methods=["post"])
    def valider(self, request, pk=None, format=None):
        sortie = self.get_object()
        payload = SortieValidationSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        try:
            sortie = services.sortie_validate(scope=self.scope, sortie=sortie, **payload.validated_data)
        except services.ConflictError as error:
            raise Conflict() from error
        return Response(
            SortieSerializer(sortie, context=self.get_serializer_context()).data, status=status.HTTP_200_OK
        )

    @action(detail=False, methods=["get"])
    def supprimes(self, request, format=None):
        return self.tombstones(request)


@extend_schema_view(
    list=extend_schema(summary="Lister les commissions et leurs décisions"),
    retrieve=extend_schema(summary="Lire une commission"),
    create=extend_schema(
        summary="Créer une session",
        description="Par l'animation ou l'administrateur du PLIE (403 sinon).",
        request=CommissionCreateSerializer,
        responses={201: CommissionSerializer},
        examples=[
            OpenApiExample("Session", value={"plie": "plie-a", "date": "2026-03-12"}, request_only=True)
        ],
    ),
    decider=extend_schema(
        summary="Enregistrer une décision",
        description=(
            "La décision sur un dossier de l'ordre du jour, par le même service que la page de la "
            "session ; `version` : celle du parcours (409 si quelqu'un a enregistré entre-temps)."
        ),
        request=DecisionRecordSerializer,
        responses=CommissionSerializer,
        examples=[
            OpenApiExample(
                "Admission",
                value={
                    "dossier": 31,
                    "version": 1,
                    "decision": "admis",
                    "date_entree": "2026-03-12",
                    "referent": 7,
                    "date_signature_contrat": "2026-03-12",
                    "motif_partage": "Bienvenue au PLIE",
                },
                request_only=True,
            )
        ],
    ),
)
class CommissionViewSet(ScopedViewSetMixin, mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    serializer_class = CommissionSerializer
    filterset_class = CommissionFilter

    def base_queryset(self, scope):
        return Commission.objects.visible_to(scope).select_related("plie").prefetch_related("decisions")

    def get_serializer_class(self):
        return CommissionCreateSerializer if self.action == "create" else CommissionSerializer

    def create(self, request, *args, **kwargs):
        payload = self.get_serializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = dict(payload.validated_data)
        plie = (
            Structure.objects.plies()
            .filter(code=data.pop("plie"), pk__in=self.scope.personal_plie_ids)
            .first()
        )
        if plie is None:
            raise _invalid("plie", "PLIE inconnu ou hors de votre périmètre.")
        commission = services.commission_create(scope=self.scope, plie=plie, **data)
        commission = self.base_queryset(self.scope).get(pk=commission.pk)
        return Response(CommissionSerializer(commission).data, status=status.HTTP_201_CREATED)

    @action(detail=True, methods=["post"])
    def decider(self, request, pk=None, format=None):
        """Record the decision on one dossier of the session's agenda (``decision_record``)."""
        commission = self.get_object()
        if not permissions.can_run_commissions(self.scope, commission.plie_id):
            raise PermissionDenied
        payload = DecisionRecordSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = dict(payload.validated_data)
        decision = (
            Decision.objects.filter(commission=commission, pk=data.pop("dossier"))
            .select_related("commission", "parcours")
            .first()
        )
        if decision is None:
            raise serializers.ValidationError(
                {"dossier": ["Ce dossier n'est pas à l'ordre du jour de la session."]}
            )
        referent_id = data.pop("referent")
        data["referent"] = (
            services.referents_of(commission.plie_id).filter(pk=referent_id).first() if referent_id else None
        )
        if referent_id and data["referent"] is None:
            raise serializers.ValidationError(
                {"referent": ["Cette personne n'est pas référent de parcours du PLIE."]}
            )
        structure_id = data.pop("structure_reorientation")
        data["structure_reorientation"] = (
            services.reorientation_structures_of(commission.plie_id).filter(pk=structure_id).first()
            if structure_id
            else None
        )
        data["type_decision"] = data.pop("decision")
        try:
            services.decision_record(scope=self.scope, decision=decision, **data)
        except services.ConflictError as error:
            raise Conflict() from error
        commission = self.base_queryset(self.scope).get(pk=commission.pk)
        return Response(CommissionSerializer(commission).data, status=status.HTTP_200_OK)


@extend_schema_view(
    list=extend_schema(summary="Lister les alertes"), retrieve=extend_schema(summary="Lire une alerte")
)
class AlerteViewSet(ScopedViewSetMixin, viewsets.ReadOnlyModelViewSet):
    serializer_class = AlerteSerializer
    filterset_class = AlerteFilter

    def base_queryset(self, scope):
        return Alerte.objects.filter(plie_id__in=scope.personal_plie_ids).select_related("plie")


@extend_schema_view(
    list=extend_schema(summary="Lister les référents des PLIE visibles"),
    retrieve=extend_schema(summary="Lire un référent"),
)
class ReferentViewSet(ScopedViewSetMixin, viewsets.ReadOnlyModelViewSet):
    serializer_class = ReferentSerializer
    filterset_class = None

    def base_queryset(self, scope):
        plie_ids = scope.personal_plie_ids
        memberships = Membership.objects.active().filter(
            Q(structure_id__in=plie_ids)
            | Q(
                structure__plies__in=plie_ids, structure__kind=StructureKind.OPERATEUR
            ),  # never a prescripteur's
            role=Role.REFERENT,
        )
        return User.objects.filter(is_active=True, pk__in=memberships.values("user_id"))
