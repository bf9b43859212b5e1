"""``/api/v1/partenaire/``: the partner space through the API (issue 16), with the same rules
(:mod:`parcours.permissions`) and services (:mod:`parcours.services.partenaires`):

- ``orientations/``: a prescripteur orients a person (POST) and reads the status of the people
  its structure oriented, and nothing else of their dossier;
- ``etapes/``: an opérateur reads the étapes it carries, records a presence
  (``…/{id}/presence/``) and the outcome (``…/{id}/resultat/``);
- ``suivis/``: a référent employed by an opérateur reads the parcours assigned to them.

An object outside what the partner did is a 404, like everywhere in the API."""

from django.core.exceptions import PermissionDenied
from drf_spectacular.utils import OpenApiExample, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from parcours import selectors, services
from parcours.enums import StatutOrientation
from parcours.models import Etape, Parcours, PresenceEtape
from parcours.orientations import suivi_orientation
from parcours.permissions import can_record_etape_outcome
from participants.models import Participant
from participants.services import ORIENTATION_FIELDS, DoublonsProbables
from plie.core.drf import BlankChoicesMixin, Conflict, ScopedViewSetMixin
from plie.core.filters import ApiFilterSet
from plie.core.models import Structure

# --- serializers ------------------------------------------------------------------------------


class OrientationSerializer(serializers.Serializer):
    """An orientation as its prescripteur reads it: who, where, when, the status."""

    id = serializers.IntegerField(source="parcours_id", help_text="Identifiant de l'orientation.")
    nom = serializers.CharField()
    prenom = serializers.CharField()
    date_naissance = serializers.DateField()
    plie = serializers.CharField(help_text="Nom du PLIE.")
    prescripteur = serializers.CharField(help_text="Structure qui a orienté la personne.")
    date_orientation = serializers.DateField(allow_null=True)
    statut = serializers.ChoiceField(choices=StatutOrientation.choices)
    statut_libelle = serializers.CharField()
    motif_partage = serializers.CharField(
        allow_blank=True, help_text="Le motif que la commission a choisi de partager (ou vide)."
    )
    categorie_sortie = serializers.CharField(
        allow_blank=True, help_text="Catégorie de la sortie (statut sorti)."
    )
    date_decision = serializers.DateField(allow_null=True, help_text="Date de la commission qui a décidé.")
    modifie_le = serializers.DateTimeField(source="updated_at")


class OrientationCreateSerializer(BlankChoicesMixin, serializers.ModelSerializer):
    """Orient a person: the PLIE (code), the prescripteur (id, when the user belongs to several),
    her identity and contact, the reason."""

    plie = serializers.SlugRelatedField(
        slug_field="code", queryset=Structure.objects.plies(), help_text="Code du PLIE."
    )
    prescripteur = serializers.PrimaryKeyRelatedField(
        queryset=Structure.objects.none(),
        required=False,
        allow_null=True,
        help_text="Votre structure (facultatif si vous n'en avez qu'une).",
    )
    motif_orientation = serializers.CharField(help_text="Pourquoi un accompagnement PLIE.")
    age_confirme = serializers.BooleanField(required=False, default=False)
    doublons_ecartes = serializers.BooleanField(
        required=False,
        default=False,
        help_text="Confirme qu'il s'agit d'une autre personne après un 409 (doublon probable).",
    )

    class Meta:
        model = Participant
        fields = [
            "plie",
            "prescripteur",
            *ORIENTATION_FIELDS,
            "motif_orientation",
            "age_confirme",
            "doublons_ecartes",
        ]
        extra_kwargs = {name: {"validators": []} for name in ("code_postal", "telephone")}


class PartnerParticipantSerializer(serializers.ModelSerializer):
    """What a partner reads of a participant: identity and contact, nothing else."""

    class Meta:
        model = Participant
        fields = ["id", "nom", "prenom", "telephone", "email"]
        read_only_fields = fields


class PartnerEtapeSerializer(BlankChoicesMixin, serializers.ModelSerializer):
    participant = PartnerParticipantSerializer(source="parcours.participant", read_only=True)
    type = serializers.SlugRelatedField(slug_field="code", read_only=True)
    type_libelle = serializers.CharField(source="type.libelle", read_only=True)

    class Meta:
        model = Etape
        fields = [
            "id",
            "participant",
            "type",
            "type_libelle",
            "operateur",
            "date_debut",
            "date_fin_prevue",
            "date_fin",
            "resultat",
        ]
        read_only_fields = fields


class PresenceSerializer(serializers.ModelSerializer):
    class Meta:
        model = PresenceEtape
        fields = ["id", "etape", "date", "present"]
        read_only_fields = ["id", "etape"]


class ResultatSerializer(serializers.Serializer):
    date_fin = serializers.DateField(help_text="Fin effective de l'étape (ISO 8601).")
    resultat = serializers.CharField(max_length=255)


class SuiviSerializer(BlankChoicesMixin, serializers.ModelSerializer):
    participant = PartnerParticipantSerializer(read_only=True)
    plie = serializers.SlugRelatedField(slug_field="code", read_only=True)
    statut = serializers.CharField(source="status", read_only=True)

    class Meta:
        model = Parcours
        fields = ["id", "participant", "plie", "statut", "date_entree", "date_sortie"]
        read_only_fields = fields


# --- filters (``modifie_depuis`` for a nightly sync) -----------------------------------------


class OrientationFilter(ApiFilterSet):
    class Meta:
        model = Parcours
        fields = []


class PartnerEtapeFilter(ApiFilterSet):
    class Meta:
        model = Etape
        fields = []


# --- viewsets ---------------------------------------------------------------------------------


class DoublonPartenaireConflict(Conflict):
    default_detail = (
        "Une personne proche est peut-être déjà connue du PLIE : vérifiez l'identité, puis renvoyez "
        "avec « doublons_ecartes »: true s'il s'agit d'une autre personne."
    )


@extend_schema_view(
    list=extend_schema(
        summary="Lister mes orientations",
        description="Les personnes orientées par votre structure, avec leur statut seulement.",
    ),
    retrieve=extend_schema(summary="Lire le statut d'une orientation"),
    create=extend_schema(
        summary="Orienter une personne",
        description=(
            "Crée son dossier (identité, contact) et une candidature à présenter en commission. "
            "403 hors d'une structure de prescripteur partenaire du PLIE ; 409 si la personne est "
            "peut-être déjà connue (renvoyez avec `doublons_ecartes`)."
        ),
        request=OrientationCreateSerializer,
        responses={201: OrientationSerializer},
        examples=[
            OpenApiExample(
                "Orientation France Travail",
                value={
                    "plie": "plie-a",
                    "nom": "Martin",
                    "prenom": "Léa",
                    "sexe": "F",
                    "date_naissance": "1990-04-12",
                    "telephone": "06 12 34 56 78",
                    "motif_orientation": "Demandeuse d'emploi depuis 18 mois, projet dans la logistique.",
                },
                request_only=True,
            )
        ],
    ),
)
class OrientationViewSet(
    ScopedViewSetMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    serializer_class = OrientationSerializer
    filterset_class = OrientationFilter

    def base_queryset(self, scope):
        return selectors.orientations_for(scope)

    def get_serializer_class(self):
        return OrientationCreateSerializer if self.action == "create" else OrientationSerializer

    def get_serializer(self, *args, **kwargs):
        serializer = super().get_serializer(*args, **kwargs)
        if self.action == "create":
            serializer.fields["prescripteur"].queryset = Structure.objects.filter(
                pk__in=self.scope.prescripteur_structure_ids
            )
        return serializer

    def list(self, request, *args, **kwargs):
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        data = OrientationSerializer([suivi_orientation(p) for p in page], many=True).data
        return self.get_paginated_response(data)

    def retrieve(self, request, *args, **kwargs):
        return Response(OrientationSerializer(suivi_orientation(self.get_object())).data)

    def create(self, request, *args, **kwargs):
        scope = self.scope
        if not (scope.prescripteur_structure_ids or scope.is_superuser):
            raise PermissionDenied
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        prescripteur = data.pop("prescripteur", None)
        if prescripteur is None and len(scope.prescripteur_structure_ids) == 1:
            prescripteur = Structure.objects.get(pk=next(iter(scope.prescripteur_structure_ids)))
        try:
            parcours = services.orientation_create(scope=scope, prescripteur=prescripteur, **data)
        except DoublonsProbables as error:
            raise DoublonPartenaireConflict() from error
        parcours = self.base_queryset(scope).get(pk=parcours.pk)
        return Response(
            OrientationSerializer(suivi_orientation(parcours)).data, status=status.HTTP_201_CREATED
        )


@extend_schema_view(
    list=extend_schema(
        summary="Lister les étapes portées par ma structure",
        description="Pour un opérateur : ses étapes, avec l'identité et le contact du participant.",
    ),
    retrieve=extend_schema(summary="Lire une étape portée par ma structure"),
    presence=extend_schema(
        summary="Noter une présence",
        request=PresenceSerializer,
        responses={201: PresenceSerializer},
        description="Un jour de l'étape, pas dans le futur ; une seconde saisie du même jour la remplace.",
        examples=[
            OpenApiExample("Présent", value={"date": "2026-03-02", "present": True}, request_only=True)
        ],
    ),
    resultat=extend_schema(
        summary="Enregistrer le résultat de l'étape",
        request=ResultatSerializer,
        responses=PartnerEtapeSerializer,
        examples=[
            OpenApiExample(
                "Formation terminée",
                value={"date_fin": "2026-03-27", "resultat": "Titre professionnel obtenu"},
                request_only=True,
            )
        ],
    ),
)
class PartnerEtapeViewSet(ScopedViewSetMixin, viewsets.ReadOnlyModelViewSet):
    serializer_class = PartnerEtapeSerializer
    filterset_class = PartnerEtapeFilter

    def base_queryset(self, scope):
        return selectors.partner_etapes_for(scope)

    def _recordable(self):
        etape = self.get_object()
        if not can_record_etape_outcome(self.scope, etape):
            raise PermissionDenied
        return etape

    @action(detail=True, methods=["post"])
    def presence(self, request, pk=None, format=None):
        etape = self._recordable()
        payload = PresenceSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        presence = services.presence_record(scope=self.scope, etape=etape, **payload.validated_data)
        return Response(PresenceSerializer(presence).data, status=status.HTTP_201_CREATED)

    @action(detail=True, methods=["post"])
    def resultat(self, request, pk=None, format=None):
        etape = self._recordable()
        payload = ResultatSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        services.etape_outcome_record(scope=self.scope, etape=etape, **payload.validated_data)
        etape = self.base_queryset(self.scope).get(pk=etape.pk)
        return Response(PartnerEtapeSerializer(etape).data, status=status.HTTP_200_OK)


@extend_schema_view(
    list=extend_schema(
        summary="Lister les participants qui me sont confiés",
        description="Pour un référent employé par un opérateur : ses parcours, pas ceux du reste du PLIE.",
    ),
    retrieve=extend_schema(summary="Lire un parcours qui m'est confié"),
)
class SuiviViewSet(ScopedViewSetMixin, viewsets.ReadOnlyModelViewSet):
    serializer_class = SuiviSerializer
    filterset_class = OrientationFilter

    def base_queryset(self, scope):
        return selectors.assigned_parcours_for(scope)
