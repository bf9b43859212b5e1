"""The FilterSets of the participants app: one per list, used by the page and by the API."""

import django_filters

from participants.models import Participant
from participants.search import search_participants
from plie.core.filters import ApiFilterSet


class ParticipantFilter(ApiFilterSet):
    """Filters of the participants list (the page's search box and the API)."""

    q = django_filters.CharFilter(
        method="filter_q", label="Recherche (nom, prénom, date de naissance, téléphone)"
    )
    plie = django_filters.CharFilter(field_name="plie__code", label="Code du PLIE")
    commune = django_filters.CharFilter(field_name="commune", lookup_expr="iexact", label="Commune")
    qpv = django_filters.BooleanFilter(field_name="qpv", label="Habite un QPV")

    class Meta:
        model = Participant
        fields = ["q", "plie", "commune", "qpv", "modifie_depuis"]

    def filter_q(self, queryset, name, value):
        return search_participants(queryset, value)
