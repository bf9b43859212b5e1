"""The FilterSets of the parcours app: one per list, used by the pages and by the API."""

import django_filters

from parcours.enums import StatutParcours, TypeAlerte
from parcours.models import Alerte, Commission, Entretien, Etape, Parcours, Sortie, Suspension
from plie.core.filters import ApiFilterSet


class ParcoursFilter(ApiFilterSet):
    """Filters of the parcours list and of the file active (``actif=true``): the API's
    ``/api/v1/parcours/`` and the page « Ma file active » (``parcours.selectors.file_active``
    filters with it: ``statut``, ``alerte``, ``q``)."""

    plie = django_filters.CharFilter(field_name="plie__code", label="Code du PLIE")
    statut = django_filters.ChoiceFilter(field_name="status", choices=StatutParcours.choices, label="Statut")
    referent = django_filters.NumberFilter(field_name="referent_id", label="Référent (id)")
    participant = django_filters.NumberFilter(field_name="participant_id", label="Participant (id)")
    actif = django_filters.BooleanFilter(method="filter_actif", label="Dans la file active")
    # one alert of a type per parcours (the nightly computation): no duplicate row
    alerte = django_filters.ChoiceFilter(
        field_name="alertes__type", choices=TypeAlerte.choices, label="Alerte"
    )
    q = django_filters.CharFilter(method="filter_q", label="Nom (mots du nom ou du prénom)")

    class Meta:
        model = Parcours
        fields = ["plie", "statut", "referent", "participant", "actif", "alerte", "q", "modifie_depuis"]

    def filter_q(self, queryset, name, value):
        from participants.normalize import fold

        for word in fold(value).split():
            queryset = queryset.filter(participant__search_text__contains=word)
        return queryset

    def filter_actif(self, queryset, name, value):
        if value is None:
            return queryset
        actifs = Parcours.objects.actifs().values("pk")
        return queryset.filter(pk__in=actifs) if value else queryset.exclude(pk__in=actifs)


class ParcoursChildFilter(ApiFilterSet):
    parcours = django_filters.NumberFilter(field_name="parcours_id", label="Parcours (id)")
    depuis = django_filters.DateFilter(field_name="date", lookup_expr="gte", label="Depuis le (AAAA-MM-JJ)")


class EntretienFilter(ParcoursChildFilter):
    class Meta:
        model = Entretien
        fields = ["parcours", "depuis", "modifie_depuis"]


class EtapeFilter(ApiFilterSet):
    parcours = django_filters.NumberFilter(field_name="parcours_id", label="Parcours (id)")
    operateur = django_filters.NumberFilter(field_name="operateur_id", label="Opérateur (id)")
    en_cours = django_filters.BooleanFilter(
        field_name="date_fin", lookup_expr="isnull", label="Sans fin effective"
    )

    class Meta:
        model = Etape
        fields = ["parcours", "operateur", "en_cours", "modifie_depuis"]


class SortieFilter(ApiFilterSet):
    parcours = django_filters.NumberFilter(field_name="parcours_id", label="Parcours (id)")
    validee = django_filters.BooleanFilter(field_name="validee", label="Validée")

    class Meta:
        model = Sortie
        fields = ["parcours", "validee", "modifie_depuis"]


class SuspensionFilter(ApiFilterSet):
    parcours = django_filters.NumberFilter(field_name="parcours_id", label="Parcours (id)")
    en_cours = django_filters.BooleanFilter(
        field_name="date_fin", lookup_expr="isnull", label="Sans date de fin"
    )

    class Meta:
        model = Suspension
        fields = ["parcours", "en_cours", "modifie_depuis"]


class CommissionFilter(ApiFilterSet):
    """Filters of the commissions list (page and API)."""

    plie = django_filters.CharFilter(field_name="plie__code", label="Code du PLIE")
    statut = django_filters.CharFilter(field_name="status", label="Statut")
    depuis = django_filters.DateFilter(field_name="date", lookup_expr="gte", label="Depuis le (AAAA-MM-JJ)")

    class Meta:
        model = Commission
        fields = ["plie", "statut", "depuis", "modifie_depuis"]


class AlerteFilter(django_filters.FilterSet):
    plie = django_filters.CharFilter(field_name="plie__code", label="Code du PLIE")
    type = django_filters.CharFilter(field_name="type", label="Type d'alerte")

    class Meta:
        model = Alerte
        fields = ["plie", "type"]
