"""Small-cell suppression (secret statistique): the pure rules, for every app.

For whoever reads a PLIE's figures without seeing its participants (a financeur, an OI
membership, ``plie.core.scoping``), a count of 1, 2… people points at someone:

- every count ``n`` with ``0 < n < seuil`` (``settings.PLIE_SMALL_CELL_THRESHOLD``, default 5)
  becomes the text ``« < 5 »``; 0 stays 0 (nobody to find);
- **complementary suppression**: when a single count is masked among its siblings (the counts
  of one dict, or one counter across the values of a breakdown), the smallest other non-zero
  sibling is masked too, so the masked one cannot be found back by subtracting from a total;
- a rate or an average next to a masked count (same dict) becomes ``« n.c. »`` (non
  communiqué): 2 positive exits out of 3 would read 66,7 %.

``reporting.confidentialite`` applies them to the bilans, reports and dashboards (and
anonymises the référents); ``operations`` to an operation's figures."""

import copy

from django.conf import settings

NON_COMMUNIQUE = "n.c."
# Where the rates of a ``taux`` dict come from (the bilan's flow table, the monthly report's exits).
TAUX_CALCULES_SUR = ("flux", "sorties_positives", "sorties_sans_suite")


def seuil():
    return settings.PLIE_SMALL_CELL_THRESHOLD


def masque(limite=None):
    """The text shown instead of a small count: « < 5 »."""
    return f"< {limite or seuil()}"


def est_compte(valeur):
    return isinstance(valeur, int) and not isinstance(valeur, bool)


def _petit(valeur, limite):
    return est_compte(valeur) and 0 < valeur < limite


def masquer_compte(valeur, limite=None):
    """``valeur`` if it is no small count, else « < 5 »."""
    limite = limite or seuil()
    return masque(limite) if _petit(valeur, limite) else valeur


def _masquer_groupe(valeurs, limite):
    """The indexes to mask in a group of sibling counts: the small ones, plus the smallest other
    non-zero one when only one is small (complementary suppression)."""
    masques = {i for i, v in enumerate(valeurs) if _petit(v, limite)}
    if len(masques) == 1:
        autres = [(v, i) for i, v in enumerate(valeurs) if i not in masques and est_compte(v) and v > 0]
        if autres:
            masques.add(min(autres)[1])
    return masques


def masquer(donnees, limite=None):
    """A copy of ``donnees`` (dicts, lists, numbers, texts) with small counts masked, following
    the module's rules. Pure: the argument is not changed."""
    limite = limite or seuil()
    return _masquer(copy.deepcopy(donnees), limite)


def _masquer(noeud, limite):
    if isinstance(noeud, list):
        return [_masquer(element, limite) for element in noeud]
    if not isinstance(noeud, dict):
        return noeud
    # a breakdown: {valeur: {compteur: n}}, one counter compared across values
    enfants = [v for v in noeud.values() if isinstance(v, dict)]
    if len(enfants) >= 2:
        compteurs = set.intersection(*(set(e) for e in enfants))
        for compteur in compteurs:
            valeurs = [e[compteur] for e in enfants]
            if all(est_compte(v) for v in valeurs):
                for i in _masquer_groupe(valeurs, limite):
                    enfants[i][compteur] = masque(limite)
    for cle, valeur in noeud.items():
        if isinstance(valeur, dict | list):
            noeud[cle] = _masquer(valeur, limite)
    cles = [cle for cle, valeur in noeud.items() if est_compte(valeur)]
    masques = _masquer_groupe([noeud[cle] for cle in cles], limite)
    for i in masques:
        noeud[cles[i]] = masque(limite)
    if masques or any(v == masque(limite) for v in noeud.values()):
        for cle, valeur in noeud.items():
            if isinstance(valeur, float):
                noeud[cle] = NON_COMMUNIQUE
    # the flow table's rates (``taux``) beside the counts they are computed from
    sources = [noeud.get(cle) for cle in TAUX_CALCULES_SUR] + [
        v for v in noeud.values() if not isinstance(v, dict)
    ]
    if isinstance(noeud.get("taux"), dict) and any(_contient_masque(v, limite) for v in sources):
        noeud["taux"] = {k: NON_COMMUNIQUE if isinstance(v, float) else v for k, v in noeud["taux"].items()}
    return noeud


def _contient_masque(noeud, limite):
    if isinstance(noeud, dict):
        return any(_contient_masque(v, limite) for v in noeud.values())
    return noeud == masque(limite)


def agrege_seulement(scope, plie_ids):
    """Whether ``scope`` reads the figures of ``plie_ids`` as aggregates only (it does not see
    the participants of one of them): then the figures are suppressed."""
    return any(not scope.sees_personal_data(plie_id) for plie_id in plie_ids)
