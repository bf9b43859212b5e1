"""``/api/v1/participants/``: the dossiers the caller's scope shows, identity and situation at
entry; the sensitive answers (Q3, disability) only for the roles that see them
(:func:`participants.permissions.can_view_sensitive_data`). Creation and changes go through
:mod:`participants.services`, as in the UI (same checks, same duplicate detection)."""

from functools import cached_property

from django.db.models import Prefetch
from drf_spectacular.utils import OpenApiExample, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from participants import services
from participants.filters import ParticipantFilter
from participants.models import Participant, SituationEntree
from participants.permissions import can_view_sensitive_data
from plie.core import journal
from plie.core.drf import (
    BlankChoicesMixin,
    Conflict,
    ScopedViewSetMixin,
    TombstonePageSerializer,
    sensitive_field,
)
from plie.core.enums import JournalAction
from plie.core.models import Structure

SENSITIVE_SITUATION_FIELDS = ("handicap_reconnu",)


class SituationEntreeSerializer(BlankChoicesMixin, serializers.ModelSerializer):
    handicap_reconnu = sensitive_field("Q3. Reconnaissance d'un handicap")

    class Meta:
        model = SituationEntree
        fields = ["date_entree", "date_questionnaire", *SituationEntree.answer_fields()]
        read_only_fields = [name for name in fields if name not in SENSITIVE_SITUATION_FIELDS]


class ParticipantSerializer(BlankChoicesMixin, serializers.ModelSerializer):
    """A dossier: identity, contacts and the latest situation at entry (FSE questionnaire).
    ``situation_entree.handicap_reconnu`` is left out for a role that does not see sensitive data."""

    plie = serializers.SlugRelatedField(
        slug_field="code", queryset=Structure.objects.plies(), help_text="Code du PLIE du dossier."
    )
    situation_entree = serializers.SerializerMethodField(help_text="Dernière situation à l'entrée (ou null).")
    cree_le = serializers.DateTimeField(source="created_at", read_only=True)
    modifie_le = serializers.DateTimeField(source="updated_at", read_only=True)
    age_confirme = serializers.BooleanField(
        write_only=True, required=False, default=False, help_text="Âge hors des bornes du PLIE confirmé."
    )
    doublons_ecartes = serializers.BooleanField(
        write_only=True,
        required=False,
        default=False,
        help_text="Confirme qu'il ne s'agit pas d'un des dossiers proches signalés (409 doublon).",
    )

    class Meta:
        model = Participant
        fields = [
            "id",
            "plie",
            *services.PARTICIPANT_FIELDS,
            "identifiant_externe",
            "situation_entree",
            "cree_le",
            "modifie_le",
            "age_confirme",
            "doublons_ecartes",
        ]
        read_only_fields = ["id", "identifiant_externe"]
        extra_kwargs = {name: {"validators": []} for name in ("code_postal", "telephone", "telephone_fixe")}

    @cached_property
    def situation_serializer(self):
        """One nested serializer for the whole page: building its ~40 fields again for each row
        was most of a list page's time (issue 17: 470 ms for 100 dossiers, 40 ms of SQL)."""
        return SituationEntreeSerializer()

    def get_situation_entree(self, participant) -> SituationEntreeSerializer(allow_null=True):
        situation = participant.situation_entree
        if situation is None:
            return None
        data = self.situation_serializer.to_representation(situation)
        if not can_view_sensitive_data(self.context["scope"], participant):
            for name in SENSITIVE_SITUATION_FIELDS:
                data.pop(name, None)
        return data


class DoublonConflict(Conflict):
    default_detail = (
        "Cette personne a probablement déjà un dossier : vérifiez, puis renvoyez avec "
        "« doublons_ecartes »: true s'il s'agit d'une autre personne."
    )


@extend_schema_view(
    list=extend_schema(summary="Lister les participants", description="Les dossiers visibles par le jeton."),
    retrieve=extend_schema(summary="Lire un dossier"),
    create=extend_schema(
        summary="Créer un dossier",
        description="Mêmes contrôles que l'écran : champs, âge, doublons probables (409).",
        examples=[
            OpenApiExample(
                "Nouvelle participante",
                value={
                    "plie": "plie-a",
                    "nom": "Martin",
                    "prenom": "Léa",
                    "sexe": "F",
                    "date_naissance": "1990-04-12",
                },
                request_only=True,
            )
        ],
    ),
    partial_update=extend_schema(summary="Modifier l'identité ou les coordonnées"),
    supprimes=extend_schema(
        summary="Dossiers supprimés (pierres tombales)", responses=TombstonePageSerializer
    ),
)
class ParticipantViewSet(
    ScopedViewSetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    serializer_class = ParticipantSerializer
    filterset_class = ParticipantFilter
    http_method_names = ["get", "post", "patch", "head", "options"]

    def base_queryset(self, scope):
        situations = Prefetch("situations", queryset=SituationEntree.objects.order_by("-date_entree", "-pk"))
        return Participant.objects.visible_to(scope).select_related("plie").prefetch_related(situations)

    def tombstone_filter(self, scope):
        from django.db.models import Q

        return Q(plie_id__in=scope.personal_plie_ids)

    def get_serializer_context(self):
        return {**super().get_serializer_context(), "scope": self.scope}

    def retrieve(self, request, *args, **kwargs):
        """A dossier read through the API is journaled like the dossier page (one insert)."""
        instance = self.get_object()
        data = self.get_serializer(instance).data
        journal.record(self.scope, request, JournalAction.CONSULTATION, [instance], objet="API")
        return Response(data)

    def list(self, request, *args, **kwargs):
        """A page of dossiers read through the API: its people journaled in ONE insert."""
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        data = self.get_serializer(page, many=True).data
        journal.record(self.scope, request, JournalAction.CONSULTATION, page, objet="API (liste)")
        return self.get_paginated_response(data)

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        plie = data.pop("plie")
        options = {
            "age_confirme": data.pop("age_confirme", False),
            "doublons_ecartes": data.pop("doublons_ecartes", False),
        }
        try:
            serializer.instance = services.participant_create(scope=self.scope, plie=plie, **data, **options)
        except services.DoublonsProbables as error:
            raise DoublonConflict() from error

    def perform_update(self, serializer):
        data = dict(serializer.validated_data)
        data.pop("plie", None)  # a dossier does not change PLIE
        options = {
            "age_confirme": data.pop("age_confirme", False),
            "doublons_ecartes": data.pop("doublons_ecartes", False),
        }
        try:
            serializer.instance = services.participant_update(
                scope=self.scope, participant=serializer.instance, **data, **options
            )
        except services.DoublonsProbables as error:
            raise DoublonConflict() from error

    @action(detail=False, methods=["get"])
    def supprimes(self, request, format=None):
        return self.tombstones(request)
