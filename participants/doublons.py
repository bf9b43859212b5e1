"""Likely duplicates: the same person entered twice, in this PLIE or another PLIE of its OI.

Rule: same birth date and similar names, ignoring accents, case, hyphens, the order of first
names, and the maiden name (a married woman may be entered under either name); names typed in
the wrong fields (nom ↔ prénom) match too. Small typos are tolerated (similarity ≥ 0.8)."""

from difflib import SequenceMatcher

from participants.normalize import fold, name_tokens

SIMILARITY = 0.8


def _close(a, b):
    return a == b or (min(len(a), len(b)) >= 4 and SequenceMatcher(None, a, b).ratio() >= SIMILARITY)


def _sets_match(left, right):
    """Some word of one side is close to some word of the other, or the joined words are close
    (``jean pierre`` ~ ``jeanpierre``)."""
    if not left or not right:
        return False
    if any(_close(a, b) for a in left for b in right):
        return True
    return _close("".join(sorted(left)), "".join(sorted(right)))


def noms_similaires(a, b):
    """``a`` and ``b`` are dicts (or objects) with nom, prenom, nom_naissance."""

    def get(obj, key):
        return (obj.get(key) if isinstance(obj, dict) else getattr(obj, key, "")) or ""

    nom_a = name_tokens(get(a, "nom"), get(a, "nom_naissance"))
    nom_b = name_tokens(get(b, "nom"), get(b, "nom_naissance"))
    prenom_a, prenom_b = name_tokens(get(a, "prenom")), name_tokens(get(b, "prenom"))
    if _sets_match(nom_a, nom_b) and _sets_match(prenom_a, prenom_b):
        return True
    # nom and prénom swapped
    return _sets_match(name_tokens(get(a, "nom")), prenom_b) and _sets_match(
        prenom_a, name_tokens(get(b, "nom"))
    )


def doublons_probables(*, plie, nom, prenom, date_naissance, nom_naissance="", exclude_id=None):
    """Participants of ``plie`` and of the other PLIE of its OI who are probably the same person.

    One query: same birth date in those PLIE (indexed on (plie, date_naissance)); names are then
    compared in Python on that handful of rows."""
    from participants.models import Participant
    from plie.core.models import Structure

    plie_ids = [plie.id]
    if plie.oi_id:
        plie_ids = Structure.objects.plies().filter(oi_id=plie.oi_id).values("id")
    candidates = (
        Participant.objects.filter(plie_id__in=plie_ids, date_naissance=date_naissance)
        .exclude(pk=exclude_id)
        .select_related("plie")
    )
    wanted = {"nom": nom, "prenom": prenom, "nom_naissance": nom_naissance}
    return [p for p in candidates if noms_similaires(wanted, p)]


__all__ = ["doublons_probables", "fold", "noms_similaires"]
