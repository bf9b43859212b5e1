"""Small-cell suppression (secret statistique) for whoever reads aggregates only.

A financeur, or anyone who does not see a PLIE's participants, reads figures, never people. A
count of 1, 2… people in a breakdown (disability, age, a référent's caseload, a month) points at
someone, so for them:

- every count ``n`` with ``0 < n < seuil`` (``settings.PLIE_SMALL_CELL_THRESHOLD``, default 5)
  becomes the text ``« < 5 »``; 0 stays 0 (nobody to find);
- **complementary suppression**: when a single count is masked among its siblings (the counts
  of one dict, or one counter across the values of a breakdown), the smallest other non-zero
  sibling is masked too, so the masked one cannot be found back by subtracting from a total;
- a rate or an average next to a masked count (same dict) becomes ``« n.c. »`` (non
  communiqué): 2 positive exits out of 3 would read 66,7 %;
- **référents** are anonymised: « Référent 1 », « Référent 2 »… (numbered by caseload, not by
  name), and their individual rates are not given (staff performance is not a funder's data).

:func:`pour_scope` applies it to a bilan (or monthly report) dict when the scope does not see
the personal data of every PLIE it covers; :func:`masquer_tableau` to a dashboard. The API,
the financeur's dashboard and home panel, the monthly report page and the bilan exports
(JSON, CSV, XLSX, PDF) all go through them."""

import copy

from django.conf import settings

NON_COMMUNIQUE = "n.c."
SANS_REFERENT = "Sans référent"
REFERENT = "Référent {}"
# The breakdowns keyed by référent: renamed and stripped of rates.
# Where the rates of a ``taux`` dict come from (the bilan's flow table, the monthly report's exits).
TAUX_CALCULES_SUR = ("flux", "sorties_positives", "sorties_sans_suite")
DIMENSIONS_REFERENT = (("repartitions", "referent"), ("etapes", "accompagnement", "par_referent"))


def seuil():
    return settings.PLIE_SMALL_CELL_THRESHOLD


def masque(limite=None):
    """The text shown instead of a small count: « < 5 »."""
    return f"< {limite or seuil()}"


def _est_compte(valeur):
    return isinstance(valeur, int) and not isinstance(valeur, bool)


def _petit(valeur, limite):
    return _est_compte(valeur) and 0 < valeur < limite


def masquer_compte(valeur, limite=None):
    """``valeur`` if it is no small count, else « < 5 »."""
    limite = limite or seuil()
    return masque(limite) if _petit(valeur, limite) else valeur


def _masquer_groupe(valeurs, limite):
    """The indexes to mask in a group of sibling counts: the small ones, plus the smallest other
    non-zero one when only one is small (complementary suppression)."""
    masques = {i for i, v in enumerate(valeurs) if _petit(v, limite)}
    if len(masques) == 1:
        autres = [(v, i) for i, v in enumerate(valeurs) if i not in masques and _est_compte(v) and v > 0]
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
            if all(_est_compte(v) for v in valeurs):
                for i in _masquer_groupe(valeurs, limite):
                    enfants[i][compteur] = masque(limite)
    for cle, valeur in noeud.items():
        if isinstance(valeur, dict | list):
            noeud[cle] = _masquer(valeur, limite)
    cles = [cle for cle, valeur in noeud.items() if _est_compte(valeur)]
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


def anonymiser_referents(donnees):
    """A copy of a bilan dict whose référents are « Référent 1… » (numbered by decreasing caseload),
    without individual rates."""
    donnees = copy.deepcopy(donnees)
    noms = {}
    tables = []
    for chemin in DIMENSIONS_REFERENT:
        noeud = donnees
        for cle in chemin:
            noeud = noeud.get(cle) if isinstance(noeud, dict) else None
        if isinstance(noeud, dict):
            tables.append((chemin, noeud))
            for nom, valeur in noeud.items():  # numbered by entries in the breakdown, then name
                poids = valeur.get("entrees", 0) if isinstance(valeur, dict) else 0
                noms[nom] = max(noms.get(nom, 0), poids if _est_compte(poids) else 0)
    ordre = sorted((n for n in noms if n != SANS_REFERENT), key=lambda n: (-noms[n], n))
    alias = {nom: REFERENT.format(i) for i, nom in enumerate(ordre, start=1)}
    alias[SANS_REFERENT] = SANS_REFERENT
    for chemin, table in tables:
        nouvelle = {}
        for nom, valeur in table.items():
            if isinstance(valeur, dict):
                # no individual rate: every rate, share or average of a référent is withheld
                valeur = {
                    k: NON_COMMUNIQUE if isinstance(v, float) or v is None else v for k, v in valeur.items()
                }
            nouvelle[alias[nom]] = valeur
        parent = donnees
        for cle in chemin[:-1]:
            parent = parent[cle]
        parent[chemin[-1]] = dict(sorted(nouvelle.items(), key=lambda kv: _rang(kv[0])))
    return donnees


def _rang(libelle):
    if libelle == SANS_REFERENT:
        return (1, 0)
    return (0, int(libelle.rsplit(" ", 1)[-1]))


def agrege_seulement(scope, plie_ids):
    """Whether ``scope`` reads the figures of ``plie_ids`` as aggregates only (it does not see
    the participants of one of them): then the figures are suppressed and anonymised."""
    return any(not scope.sees_personal_data(plie_id) for plie_id in plie_ids)


def pour_scope(donnees, scope, plie_ids, limite=None):
    """``donnees`` (a bilan or a monthly report dict) as ``scope`` may read it: unchanged for
    those who see the participants of every PLIE in ``plie_ids``; else référents anonymised and
    small counts masked."""
    if not agrege_seulement(scope, plie_ids):
        return donnees
    return masquer(anonymiser_referents(donnees), limite)


def masquer_tableau(tableau, limite=None):
    """The dashboard ``tableau`` (``reporting.dashboards.Tableau``) with small counts masked in
    every column and the consolidation, in place; the charts of masked series are dropped (a bar
    of height 2 is a count of 2)."""
    limite = limite or seuil()
    for colonne in [*tableau.colonnes, tableau.total]:
        sorties = masquer_compte(colonne.sorties, limite)
        colonne.flux = masquer(colonne.flux, limite)
        colonne.alertes = masquer(colonne.alertes, limite)
        colonne.completude_operations = masquer(colonne.completude_operations, limite)
        colonne.sans_situation_entree = masquer_compte(colonne.sans_situation_entree, limite)
        if any(isinstance(v, str) for v in _feuilles(colonne.flux)):
            colonne.taux = dict.fromkeys(colonne.taux, NON_COMMUNIQUE)
        colonne.sorties_masquees = str(sorties)
        colonne.tendance = [
            {cle: masquer_compte(v, limite) if _est_compte(v) else v for cle, v in mois.items()}
            for mois in colonne.tendance
        ]
        colonne.files_actives = []
    masquees = {cle for mois in tableau.total.tendance for cle, v in mois.items() if v == masque(limite)}
    tableau.graphiques = [g for g in tableau.graphiques if g["serie"] not in masquees]
    return tableau


def _feuilles(noeud):
    if isinstance(noeud, dict):
        for valeur in noeud.values():
            yield from _feuilles(valeur)
    else:
        yield noeud
