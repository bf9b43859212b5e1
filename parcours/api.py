"""``/api/v1/`` resources of the parcours app: parcours, entretiens, étapes (with their
contract), sorties, commissions and decisions, alerts, référents. Rows come from
``visible_to(scope)`` (404 outside it); writes go through :mod:`parcours.services`, the same
functions as the UI (rules, permissions — 403 —, the parcours' ``version`` — 409)."""

from django.db.models import Q
from drf_spectacular.utils import OpenApiExample, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from parcours import services
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
    TypeSortie,
)
from parcours.services import suivi
from plie.core.drf import (
    BlankChoicesMixin,
    Conflict,
    ScopedViewSetMixin,
    TombstonePageSerializer,
)
from plie.core.enums import Role
from plie.core.models import Membership, User

# --- serializers ------------------------------------------------------------------------------


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

    def base_queryset(self, scope):
        return Entretien.objects.filter(parcours__in=Parcours.objects.visible_to(scope))

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
    supprimes=TOMBSTONES,
)
class EtapeViewSet(ScopedViewSetMixin, viewsets.ReadOnlyModelViewSet):
    serializer_class = EtapeSerializer
    filterset_class = EtapeFilter

    def base_queryset(self, scope):
        return Etape.objects.filter(parcours__in=Parcours.objects.visible_to(scope)).select_related(
            "type", "contrat"
        )

    def tombstone_filter(self, scope):
        return _on_parcours(scope)

    @action(detail=False, methods=["get"])
    def supprimes(self, request, format=None):
        return self.tombstones(request)


@extend_schema_view(
    list=extend_schema(summary="Lister les suspensions"),
    retrieve=extend_schema(summary="Lire une suspension"),
    supprimes=TOMBSTONES,
)
class SuspensionViewSet(ScopedViewSetMixin, viewsets.ReadOnlyModelViewSet):
    serializer_class = SuspensionSerializer
    filterset_class = SuspensionFilter

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
)
class CommissionViewSet(ScopedViewSetMixin, viewsets.ReadOnlyModelViewSet):
    serializer_class = CommissionSerializer
    filterset_class = CommissionFilter

    def base_queryset(self, scope):
        return Commission.objects.visible_to(scope).select_related("plie").prefetch_related("decisions")


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
            Q(structure_id__in=plie_ids) | Q(structure__plies__in=plie_ids), role=Role.REFERENT
        )
        return User.objects.filter(is_active=True, pk__in=memberships.values("user_id"))
