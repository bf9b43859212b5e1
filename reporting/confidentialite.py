"""Small-cell suppression (secret statistique) for whoever reads aggregates only: the rules are
``plie.core.confidentialite``'s; this module applies them to the bilans, reports and dashboards.

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

from plie.core.confidentialite import (
    NON_COMMUNIQUE,
    agrege_seulement,
    est_compte,
    masque,
    masquer,
    masquer_compte,
    seuil,
)

SANS_REFERENT = "Sans référent"
REFERENT = "Référent {}"
# The breakdowns keyed by référent: renamed and stripped of rates.
DIMENSIONS_REFERENT = (("repartitions", "referent"), ("etapes", "accompagnement", "par_referent"))


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
                noms[nom] = max(noms.get(nom, 0), poids if est_compte(poids) else 0)
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


# The keys of a report that describe it rather than count people (never masked).
DESCRIPTION = ("plie", "annee", "mois", "debut", "fin", "statut", "regle", "cloture")


def pour_scope(donnees, scope, plie_ids, limite=None):
    """``donnees`` (a bilan or a monthly report dict) as ``scope`` may read it: unchanged for
    those who see the participants of every PLIE in ``plie_ids``; else référents anonymised and
    small counts masked."""
    if not agrege_seulement(scope, plie_ids):
        return donnees
    # what describes the report (its PLIE, period, counting rule, closed version) is no count
    meta = {cle: donnees[cle] for cle in DESCRIPTION if cle in donnees}
    chiffres = {cle: valeur for cle, valeur in donnees.items() if cle not in DESCRIPTION}
    return {**masquer(anonymiser_referents(chiffres), limite), **meta}


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
            {cle: masquer_compte(v, limite) if est_compte(v) else v for cle, v in mois.items()}
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
