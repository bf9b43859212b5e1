"""What every list's FilterSet shares (django-filter, one FilterSet per list, used by the page
and by the API — netbox's pattern): ``?modifie_depuis=`` for a nightly sync.

Each app keeps its FilterSets in ``<app>/filters.py``."""

from datetime import datetime, timedelta

import django_filters
from django import forms
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field

MAX_UTC_OFFSET = timedelta(hours=14)  # the widest real offset (Kiribati)
INVALID_ISO = "Date invalide : format ISO 8601 attendu (2026-01-31T00:00:00Z)."


def parse_iso_datetime(value):
    """An ISO 8601 date or date-time (a date means its midnight, local time); ``None`` if
    invalid, before 1900 or with an offset no time zone has."""
    try:
        when = parse_datetime(value)
        if when is None:
            day = parse_date(value)
            if day is None:
                return None
            when = datetime(day.year, day.month, day.day)
    except ValueError:
        return None
    if timezone.is_naive(when):
        when = timezone.make_aware(when)
    offset = when.utcoffset()
    if when.year < 1900 or offset is None or abs(offset) > MAX_UTC_OFFSET:
        return None
    return when


class IsoDateTimeField(forms.CharField):
    """A date-time in ISO 8601 (the API's dates), checked by :func:`parse_iso_datetime`."""

    def to_python(self, value):
        value = super().to_python(value)
        if not value:
            return None
        when = parse_iso_datetime(value)
        if when is None:
            raise forms.ValidationError(INVALID_ISO, code="invalid")
        return when


@extend_schema_field(OpenApiTypes.DATETIME)
class ModifieDepuisFilter(django_filters.Filter):
    """``?modifie_depuis=`` (ISO 8601): the rows created or changed since then, read from the
    model's history (every change leaves a record, whichever field changed)."""

    field_class = IsoDateTimeField

    def filter(self, qs, value):
        if value is None:
            return qs
        changed = qs.model.history.filter(history_date__gte=value).values("id")
        return qs.filter(pk__in=changed)


class ApiFilterSet(django_filters.FilterSet):
    """The base of every list's FilterSet: ``modifie_depuis`` for a nightly sync."""

    modifie_depuis = ModifieDepuisFilter(
        label="Créés ou modifiés depuis (ISO 8601, ex. 2026-01-31T00:00:00Z)"
    )
