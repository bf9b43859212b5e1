"""One search box: name (partial, accent- and case-insensitive, misspellings tolerated), birth
date (jj/mm/aaaa), phone number or identifier (France Travail, CAF, legacy tool).

On PostgreSQL the name search uses the trigram GIN index on ``search_text`` (migration 0003):
``ILIKE '%mot%'`` for partial names and the ``%>`` word-similarity operator for misspelt ones.
On SQLite (the embedded default) the same query runs with a Python similarity function
registered on each connection (``participants.apps``)."""

import re
from difflib import SequenceMatcher

from django.core.exceptions import ValidationError
from django.db import connection
from django.db.models import FloatField, Func, Q, Value

from participants.normalize import digits, fold
from participants.validators import normalize_phone
from plie.core import dates

# jj/mm/aaaa as typed in a hurry: dots or dashes accepted between the numbers
DATE_TYPED = re.compile(r"^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})$")
IDENTIFIER = re.compile(r"^(?=.*\d)[0-9A-Za-z-]{5,}$")
# pg_trgm's word_similarity_threshold is set to this value on each PostgreSQL connection
# (plie/settings.py); the SQLite stand-in uses the same threshold.
MIN_SIMILARITY = 0.5


def parse_date(text):
    """The birth date typed in the search box (jj/mm/aaaa, also with dots or dashes, or
    aaaa-mm-jj), ``None`` when the text is not a real date."""
    try:
        return dates.parse_date(DATE_TYPED.sub(r"\1/\2/\3", text))
    except dates.DateInvalide:
        return None


class WordSimilarity(Func):
    """pg_trgm's ``word_similarity(query, text)``; a Python stand-in on SQLite."""

    function = "plie_word_similarity"
    output_field = FloatField()

    def as_postgresql(self, compiler, connection, **extra_context):
        return super().as_sql(compiler, connection, function="WORD_SIMILARITY", **extra_context)


class Similarity(Func):
    """pg_trgm's ``similarity(text, query)`` (whole strings), used to rank the matches: the
    record where every typed word matches comes first; a Python stand-in on SQLite."""

    function = "plie_similarity"
    output_field = FloatField()

    def as_postgresql(self, compiler, connection, **extra_context):
        return super().as_sql(compiler, connection, function="SIMILARITY", **extra_context)


def python_similarity(text, query):
    if not query or not text:
        return 0.0
    return SequenceMatcher(None, text, query).ratio()


def python_word_similarity(query, text):
    """Best match of each query word against the words of ``text``, averaged (0..1)."""
    if not query or not text:
        return 0.0
    words = text.split()
    scores = [max((SequenceMatcher(None, q, w).ratio() for w in words), default=0.0) for q in query.split()]
    return sum(scores) / len(scores)


def search_participants(queryset, query):
    """Filter ``queryset`` (already scoped) by the search box text, best matches first."""
    query = (query or "").strip()
    if not query:
        return queryset
    date = parse_date(query)
    if date:
        return queryset.filter(date_naissance=date)
    number = digits(query)
    if number and len(number) >= 6 and len(number) >= len(re.sub(r"[\s.+-]", "", query)):
        try:
            national = digits(normalize_phone(query))
        except ValidationError:
            national = number
        return queryset.filter(
            Q(telephone_digits__contains=national)
            | Q(identifiant_france_travail__iexact=query)
            | Q(numero_caf__iexact=query)
            | Q(identifiant_externe__iexact=query)
        )
    folded = fold(query)
    if not folded:
        return queryset.none()
    partial = Q()
    for token in folded.split():
        partial &= Q(search_text__contains=token)
    if IDENTIFIER.match(query):
        partial |= Q(identifiant_france_travail__iexact=query) | Q(identifiant_externe__iexact=query)
    similarity = WordSimilarity(Value(folded), "search_text")
    if connection.vendor == "postgresql":
        matches = queryset.filter(partial | Q(search_text__trigram_word_similar=folded))
    else:
        matches = queryset.alias(similarity=similarity).filter(partial | Q(similarity__gte=MIN_SIMILARITY))
    return matches.annotate(pertinence=Similarity("search_text", Value(folded))).order_by(
        "-pertinence", "nom", "prenom", "id"
    )
