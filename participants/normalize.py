"""Text normalisation shared by the search index and the duplicate detection."""

import re
import unicodedata

_NON_LETTERS = re.compile(r"[^a-z0-9]+")


def fold(text):
    """Lower case, no accents, hyphens/apostrophes/punctuation as spaces, single spaces.

    >>> fold("  Hélène-Marie d'ARCY ")
    'helene marie d arcy'
    """
    if not text:
        return ""
    decomposed = unicodedata.normalize("NFKD", text.replace("œ", "oe").replace("Œ", "OE").replace("æ", "ae"))
    ascii_only = "".join(c for c in decomposed if not unicodedata.combining(c)).lower()
    return _NON_LETTERS.sub(" ", ascii_only).strip()


def name_tokens(*names):
    """The set of folded words of the given names (order of first names ignored)."""
    tokens = set()
    for name in names:
        tokens.update(fold(name).split())
    return tokens


def digits(text):
    return re.sub(r"\D", "", text or "")
