"""``/api/v1/operations/`` and ``/api/v1/inscriptions/``: the FSE operations of the PLIE the
caller sees, and the enrolments with their FSE answers (entry and exit questionnaires). The
disability answer (Q3) only for the roles that see sensitive data. Read-only."""

from django.db.models import Q
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import serializers, viewsets
from rest_framework.decorators import action

from operations.filters import InscriptionFilter, OperationFilter
from operations.models import Inscription, Operation
from participants.models import QuestionnaireEntree
from participants.permissions import can_view_sensitive_data
from plie.core.drf import (
    BlankChoicesMixin,
    ScopedViewSetMixin,
    TombstonePageSerializer,
    sensitive_field,
)

SORTIE_FIELDS = [
    "sortie_anticipee",
    "sortie_statut_emploi",
    "sortie_en_formation",
    "sortie_recherche_emploi",
    "sortie_qualification",
    "sortie_renseignee_le",
]
SENSITIVE_FIELDS = ("handicap_reconnu",)


class OperationSerializer(BlankChoicesMixin, serializers.ModelSerializer):
    plie = serializers.SlugRelatedField(slug_field="code", read_only=True)
    modifie_le = serializers.DateTimeField(source="updated_at", read_only=True)

    class Meta:
        model = Operation
        fields = [
            "id",
            "plie",
            "code",
            "numero_mdfse",
            "intitule",
            "date_debut",
            "date_fin",
            "programme",
            "axe",
            "objectif_specifique",
            "places",
            "objectif_participants",
            "modifie_le",
        ]
        read_only_fields = fields


class InscriptionSerializer(BlankChoicesMixin, serializers.ModelSerializer):
    """An enrolment and its FSE answers; ``handicap_reconnu`` left out for a role that does not
    see sensitive data."""

    operation = serializers.PrimaryKeyRelatedField(read_only=True)
    handicap_reconnu = sensitive_field("Q3. Reconnaissance d'un handicap")
    modifie_le = serializers.DateTimeField(source="updated_at", read_only=True)

    class Meta:
        model = Inscription
        fields = [
            "id",
            "operation",
            "participant",
            "parcours",
            "date_entree",
            "date_sortie",
            "date_questionnaire",
            "questionnaire_confirme_le",
            *QuestionnaireEntree.answer_fields(),
            *SORTIE_FIELDS,
            "modifie_le",
        ]
        read_only_fields = [name for name in fields if name not in SENSITIVE_FIELDS]

    def to_representation(self, inscription):
        data = super().to_representation(inscription)
        if not can_view_sensitive_data(self.context["scope"], inscription.participant):
            for name in SENSITIVE_FIELDS:
                data.pop(name, None)
        return data


TOMBSTONES = extend_schema(summary="Suppressions (pierres tombales)", responses=TombstonePageSerializer)


@extend_schema_view(
    list=extend_schema(summary="Lister les opérations FSE"),
    retrieve=extend_schema(summary="Lire une opération"),
    supprimes=TOMBSTONES,
)
class OperationViewSet(ScopedViewSetMixin, viewsets.ReadOnlyModelViewSet):
    serializer_class = OperationSerializer
    filterset_class = OperationFilter

    def base_queryset(self, scope):
        return Operation.objects.visible_to(scope).select_related("plie")

    def tombstone_filter(self, scope):
        return Q(plie_id__in=scope.plie_ids)

    @action(detail=False, methods=["get"])
    def supprimes(self, request, format=None):
        return self.tombstones(request)


@extend_schema_view(
    list=extend_schema(summary="Lister les inscriptions et leurs réponses FSE"),
    retrieve=extend_schema(summary="Lire une inscription"),
    supprimes=TOMBSTONES,
)
class InscriptionViewSet(ScopedViewSetMixin, viewsets.ReadOnlyModelViewSet):
    serializer_class = InscriptionSerializer
    filterset_class = InscriptionFilter

    def base_queryset(self, scope):
        return Inscription.objects.visible_to(scope).select_related("participant")

    def tombstone_filter(self, scope):
        return Q(participant__plie_id__in=scope.personal_plie_ids)

    def get_serializer_context(self):
        return {**super().get_serializer_context(), "scope": self.scope}

    @action(detail=False, methods=["get"])
    def supprimes(self, request, format=None):
        return self.tombstones(request)
