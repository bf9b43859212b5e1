"""The FilterSets of the operations app: one per list, used by the pages and by the API."""

import django_filters
from django import forms
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field

from operations.models import Inscription, Operation
from plie.core.filters import ApiFilterSet


@extend_schema_field(OpenApiTypes.INT)
class YearFilter(django_filters.NumberFilter):
    """A year (an integer from 1900 to 2999): anything else is invalid (400 in the API)."""

    field_class = forms.IntegerField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("min_value", 1900)
        kwargs.setdefault("max_value", 2999)
        super().__init__(*args, **kwargs)


class OperationFilter(ApiFilterSet):
    """Filters of the operations list (page and API)."""

    plie = django_filters.CharFilter(field_name="plie__code", label="Code du PLIE")
    annee = YearFilter(method="filter_annee", label="Année (opérations en cours cette année-là)")
    en_cours_le = django_filters.DateFilter(method="filter_en_cours", label="En cours le (AAAA-MM-JJ)")

    class Meta:
        model = Operation
        fields = ["plie", "annee", "en_cours_le", "modifie_depuis"]

    def filter_annee(self, queryset, name, value):
        if value is None:
            return queryset
        return queryset.filter(date_debut__year__lte=value, date_fin__year__gte=value)

    def filter_en_cours(self, queryset, name, value):
        return queryset.en_cours(value) if value else queryset


class InscriptionFilter(ApiFilterSet):
    """Filters of the enrolments list (page and API)."""

    operation = django_filters.NumberFilter(field_name="operation_id", label="Opération (id)")
    participant = django_filters.NumberFilter(field_name="participant_id", label="Participant (id)")
    ouverte = django_filters.BooleanFilter(
        field_name="date_sortie", lookup_expr="isnull", label="Sans date de sortie"
    )

    class Meta:
        model = Inscription
        fields = ["operation", "participant", "ouverte", "modifie_depuis"]
