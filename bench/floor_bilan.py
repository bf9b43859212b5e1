"""The bilan's raw-SQL floor (issue 17): every section of the bilan JSON of one PLIE for one year
from hand-written statements, written apart from the bilan's queries (never generated from them)
so that a slow query of the bilan cannot slow its own floor down. Each statement reads only the
year's rows on the indexes (the PLIE's parcours by entry / exit date, the étapes and entretiens by
parcours, the enrolments by operation) and returns final counts; :func:`chiffres` only puts them
in the bilan's shape (no rate: the rates are functions of these counts).

``tests/reporting/test_bilan_floor.py`` checks, section by section, that these figures are the
bilan's. The FSE ``questionnaires_incomplets`` is the MDFSE entry check
(``operations.completude``'s rules) written out by hand, its patterns passed as parameters."""

import calendar
import datetime

from django.db import connection

from entreprises.enums import SITUATIONS_EN_EMPLOI, SituationSixMois
from operations.completude import (
    CODE_POSTAL_FRANCAIS,
    COMMUNE_NAISSANCE,
    COURRIEL,
    DUREE_RECHERCHE_MAX,
    TELEPHONE_NATIONAL,
)
from parcours.enums import CategorieEtape, CategorieSortie, ModeEntretien
from participants.fse import AGE_MAX, AGE_MIN

POSITIVES = ("emploi_durable", "qualifiante", "positive_autre")  # the national classes
CATEGORIES_VALIDEES = ("emploi_durable", "creation_entreprise", "qualifiante", "positive_autre")

# The year's parcours of the PLIE: in parcours at some point of it (the indexes
# (plie_id, date_entree) and (plie_id, date_sortie) bound it).
DANS_L_ANNEE = """p.plie_id = %(plie)s AND p.date_entree <= %(fin)s
  AND (p.date_sortie IS NULL OR p.date_sortie >= %(debut)s)"""

FLUX_SQL = """
SELECT g.*, u.first_name, u.last_name, u.email, st.nom
FROM (
  SELECT GROUPING(p.referent_id) AS sans_ref, GROUPING(p.prescripteur_id) AS sans_pres,
         p.referent_id, p.prescripteur_id,
         count(*) FILTER (WHERE p.date_entree < %(debut)s) AS debut,
         count(*) FILTER (WHERE p.date_entree >= %(debut)s) AS entrees,
         count(*) FILTER (WHERE p.date_sortie <= %(fin)s) AS sorties,
         count(*) FILTER (WHERE p.date_sortie <= %(fin)s AND s.validee
                          AND ts.classe_nationale IN ('emploi_durable', 'qualifiante', 'positive_autre'))
           AS positives,
         {classes},
         {categories},
         count(*) FILTER (WHERE p.date_sortie IS NULL OR p.date_sortie > %(fin)s) AS fin,
         sum(p.date_sortie - p.date_entree) FILTER (WHERE p.date_sortie <= %(fin)s) AS jours,
         count(*) FILTER (WHERE p.date_entree >= %(debut)s OR p.date_sortie <= %(fin)s) AS mouvements,
         {mois}
  FROM parcours_parcours p
  LEFT JOIN parcours_sortie s ON s.parcours_id = p.id
  LEFT JOIN parcours_typesortie ts ON ts.id = s.type_id
  WHERE {annee}
  GROUP BY GROUPING SETS ((), (p.referent_id), (p.prescripteur_id))
) g
LEFT JOIN core_user u ON u.id = g.referent_id
LEFT JOIN core_structure st ON st.id = g.prescripteur_id
"""

# The public categories at entry of the parcours entered or exited in the year, each dimension a
# grouping set; the participant and its latest situation at entry read by primary key / index.
CUBE_SQL = """
WITH x AS (
  SELECT p.date_entree >= %(debut)s AS entre,
         p.date_sortie <= %(fin)s AS sorti,
         coalesce(p.date_sortie <= %(fin)s AND ts.validee
                  AND ts.classe_nationale IN ('emploi_durable', 'qualifiante', 'positive_autre'), FALSE)
           AS positive,
         coalesce(p.date_sortie <= %(fin)s AND ts.classe_nationale = 'abandon', FALSE) AS abandon,
         pa.sexe,
         CASE WHEN a.age IS NULL THEN NULL WHEN a.age < 26 THEN 'moins_26' WHEN a.age < 45 THEN '26_44'
              WHEN a.age <= 54 THEN '45_54' ELSE '55_plus' END AS tranche,
         CASE pa.qpv WHEN TRUE THEN 'oui' WHEN FALSE THEN 'non' ELSE 'inconnu' END AS qpv,
         CASE se.handicap_reconnu WHEN TRUE THEN 'oui' WHEN FALSE THEN 'non' ELSE 'inconnu' END AS th,
         CASE WHEN se.statut_emploi IS NULL OR se.statut_emploi = '' THEN 'inconnu'
              WHEN se.statut_emploi <> 'non' OR se.recherche_emploi = FALSE THEN 'non'
              WHEN se.recherche_emploi IS NULL OR se.duree_recherche_mois IS NULL THEN 'inconnu'
              WHEN se.duree_recherche_mois >= 12 THEN 'oui' ELSE 'non' END AS deld,
         CASE WHEN se.minima_sociaux IS NULL THEN 'inconnu'
              WHEN se.minima_sociaux AND se.beneficiaire_rsa THEN 'oui' ELSE 'non' END AS brsa,
         CASE WHEN se.niveau_formation IN ('2a', '2b', '2c', '2d') THEN se.niveau_formation
              ELSE 'inconnu' END AS niveau
  FROM parcours_parcours p
  CROSS JOIN LATERAL (  -- by primary key, not a scan of every participant
    SELECT pa.sexe, pa.qpv, pa.date_naissance FROM participants_participant pa
    WHERE pa.id = p.participant_id OFFSET 0
  ) pa
  CROSS JOIN LATERAL (
    SELECT extract(year FROM p.date_entree)::int - extract(year FROM pa.date_naissance)::int
           - (to_char(p.date_entree, 'MMDD') < to_char(pa.date_naissance, 'MMDD'))::int AS age
  ) a
  LEFT JOIN LATERAL (
    SELECT * FROM participants_situationentree se
    WHERE se.participant_id = p.participant_id AND se.date_entree <= p.date_entree
    ORDER BY se.date_entree DESC LIMIT 1
  ) se ON TRUE
  LEFT JOIN LATERAL (  -- the exit and its type by their keys
    SELECT s.validee,
           (SELECT t.classe_nationale FROM parcours_typesortie t WHERE t.id = s.type_id) AS classe_nationale
    FROM parcours_sortie s WHERE s.parcours_id = p.id
  ) ts ON TRUE
  WHERE p.plie_id = %(plie)s AND p.date_entree IS NOT NULL
    AND (p.date_entree BETWEEN %(debut)s AND %(fin)s OR p.date_sortie BETWEEN %(debut)s AND %(fin)s)
)
SELECT coalesce(CASE WHEN GROUPING(sexe) = 0 THEN 'sexe|' || sexe END,
                CASE WHEN GROUPING(tranche) = 0 THEN 'tranche_age|' || tranche END,
                CASE WHEN GROUPING(qpv) = 0 THEN 'qpv|' || qpv END,
                CASE WHEN GROUPING(th) = 0 THEN 'th|' || th END,
                CASE WHEN GROUPING(deld) = 0 THEN 'deld|' || deld END,
                CASE WHEN GROUPING(brsa) = 0 THEN 'brsa|' || brsa END,
                CASE WHEN GROUPING(niveau) = 0 THEN 'niveau_formation|' || niveau END) AS cle,
       count(*) FILTER (WHERE entre), count(*) FILTER (WHERE sorti),
       count(*) FILTER (WHERE positive), count(*) FILTER (WHERE abandon)
FROM x
GROUP BY GROUPING SETS ((sexe), (tranche), (qpv), (th), (deld), (brsa), (niveau))
"""

# The étapes running in the year of the year's parcours, per category; the main one of each
# parcours (most days in the year, then latest start, then latest created) flagged by a window.
ETAPES_SQL = """
SELECT categorie, count(*), count(*) FILTER (WHERE date_debut >= %(debut)s),
       count(DISTINCT parcours_id), count(*) FILTER (WHERE rang = 1)
FROM (
  SELECT t.categorie, e.parcours_id, e.date_debut,
         row_number() OVER (PARTITION BY e.parcours_id
                            ORDER BY least(coalesce(e.date_fin, %(fin)s), %(fin)s)
                                     - greatest(e.date_debut, %(debut)s) DESC,
                                     e.date_debut DESC, e.id DESC) AS rang
  FROM parcours_parcours p
  CROSS JOIN LATERAL (  -- per parcours on the index, not a scan of every étape
    SELECT e.id, e.parcours_id, e.type_id, e.date_debut, e.date_fin FROM parcours_etape e
    WHERE e.parcours_id = p.id AND NOT e.annulee AND e.date_debut <= %(fin)s
      AND (e.date_fin IS NULL OR e.date_fin >= %(debut)s)
    OFFSET 0
  ) e
  JOIN parcours_typeetape t ON t.id = e.type_id
  WHERE {annee}
) e
GROUP BY categorie
"""

# The entretiens of the year held while in parcours: each parcours' entretiens read on the index
# (parcours_id, date) INCLUDE (mode) into one row of counts up to each month's end (one comparison
# per month and row) and per mode, then summed per référent of the parcours: a month's entretiens
# are the difference of two running counts, and the parcours was met that month when it is above 0.
ENTRETIENS_SQL = """
SELECT p.referent_id, {par_mois}, {par_mode}
FROM parcours_parcours p
CROSS JOIN LATERAL (
  SELECT {mois}, {modes}
  FROM parcours_entretien e
  WHERE e.parcours_id = p.id
    AND e.date BETWEEN greatest(%(debut)s, p.date_entree) AND least(%(fin)s, p.date_sortie)
) n
WHERE {annee}
GROUP BY 1
"""

# The operations overlapping the year: participants enrolled during it, present at each month end.
OPERATIONS_SQL = """
SELECT o.id, o.code, o.date_debut, o.date_fin, c.*
FROM operations_operation o
CROSS JOIN LATERAL (
  SELECT count(*) FILTER (WHERE i.date_entree <= %(fin)s
                          AND (i.date_sortie IS NULL OR i.date_sortie >= %(debut)s)),
         {presents}
  FROM operations_inscription i WHERE i.operation_id = o.id
) c
WHERE o.plie_id = %(plie)s AND o.date_debut <= %(fin)s AND o.date_fin >= %(debut)s
ORDER BY o.date_debut, o.code
"""

# Their participants' exits (parcours exited from the enrolment to the operation's end).
SORTIES_OPERATIONS_SQL = """
SELECT o.id, ts.categorie, coalesce(ts.categorie_departement, ''), coalesce(s.validee, FALSE),
       count(DISTINCT p.id)
FROM operations_operation o
CROSS JOIN LATERAL (
  SELECT i.parcours_id, i.date_entree FROM operations_inscription i WHERE i.operation_id = o.id
  OFFSET 0  -- read per operation on its index, not a scan of every enrolment
) i
JOIN parcours_parcours p ON p.id = i.parcours_id
LEFT JOIN parcours_sortie s ON s.parcours_id = p.id
LEFT JOIN parcours_typesortie ts ON ts.id = s.type_id
WHERE o.plie_id = %(plie)s AND o.date_debut <= %(fin)s AND o.date_fin >= %(debut)s
  AND p.date_sortie BETWEEN i.date_entree AND o.date_fin
GROUP BY 1, 2, 3, 4
"""

# The FSE indicators of the enrolments (every operation of the PLIE) entered or left in the year.
FSE_SQL = """
SELECT {entree}, {sortie}, {long_terme}, {situations}
FROM (
  SELECT i.*, pa.sexe, pa.nationalite, a.age,
         i.date_entree BETWEEN %(debut)s AND %(fin)s AS entre,
         i.date_sortie BETWEEN %(debut)s AND %(fin)s AS sorti,
         i.sortie_renseignee_le - i.date_sortie <= 28 AS dans_delai,
         p.date_sortie AS sortie_plie, sx.situation, sx.situation_amelioree,
         CASE WHEN i.date_entree BETWEEN %(debut)s AND %(fin)s THEN {incomplet} END AS incomplet
  FROM operations_operation o
  CROSS JOIN LATERAL (
    SELECT * FROM operations_inscription i
    WHERE i.operation_id = o.id
      AND (i.date_entree BETWEEN %(debut)s AND %(fin)s OR i.date_sortie BETWEEN %(debut)s AND %(fin)s)
    OFFSET 0  -- read per operation on the (operation, entry / exit date) indexes
  ) i
  JOIN participants_participant pa ON pa.id = i.participant_id
  CROSS JOIN LATERAL (  -- the age at entry, computed once
    SELECT extract(year FROM i.date_entree)::int - extract(year FROM pa.date_naissance)::int
           - (to_char(i.date_entree, 'MMDD') < to_char(pa.date_naissance, 'MMDD'))::int AS age
    OFFSET 0
  ) a
  LEFT JOIN parcours_parcours p ON p.id = i.parcours_id
  LEFT JOIN entreprises_suivisixmois sx ON sx.parcours_id = p.id
  WHERE o.plie_id = %(plie)s
  OFFSET 0  -- each row's age and checks computed once, not in every aggregate that reads them
) i
"""

# The entry questionnaire Ma Démarche FSE would reject (an answer missing, incoherent, or a present
# answer of the wrong format; operations.completude's rules, the patterns passed as parameters).
INCOMPLET = f"""coalesce(
  pa.nom = '' OR pa.prenom = '' OR pa.date_naissance IS NULL OR pa.sexe = ''
  OR pa.code_commune_naissance = '' OR pa.nationalite = '' OR pa.commune = ''
  OR (pa.adresse = '' AND NOT (i.sans_domicile = 'oui' AND pa.contact_tiers <> ''))
  OR (pa.code_postal = '' AND i.sans_domicile <> 'oui')
  OR (pa.telephone = '' AND pa.telephone_fixe = '' AND pa.email = '' AND pa.contact_tiers = '')
  OR i.statut_emploi = '' OR i.niveau_formation = '' OR i.sans_domicile = '' OR i.parent_ne_etranger = ''
  OR i.handicap_reconnu IS NULL OR i.minima_sociaux IS NULL OR i.menage_sans_emploi IS NULL
  OR i.menage_enfants IS NULL OR i.menage_monoparental IS NULL
  OR (i.statut_emploi = 'non' AND (i.en_formation IS NULL OR i.recherche_emploi IS NULL
                                   OR (i.recherche_emploi AND i.duree_recherche_mois IS NULL)))
  OR (i.statut_emploi IN ('1a', '1b', '1c', '1d')
      AND (i.recherche_emploi IS TRUE OR i.duree_recherche_mois > 0))
  OR (i.minima_sociaux IS FALSE AND i.beneficiaire_rsa IS TRUE)
  OR (i.menage_monoparental IS TRUE AND i.menage_enfants IS FALSE)
  OR i.date_questionnaire IS NULL OR i.date_entree > i.date_questionnaire
  OR (pa.code_commune_naissance <> '' AND pa.code_commune_naissance !~ %(re_commune)s)
  OR (pa.code_postal <> '' AND pa.code_postal !~ %(re_code_postal)s)
  OR (pa.telephone <> '' AND pa.telephone !~ %(re_telephone)s)
  OR (pa.telephone_fixe <> '' AND pa.telephone_fixe !~ %(re_telephone)s)
  OR (pa.email <> '' AND pa.email !~ %(re_courriel)s)
  OR a.age < {AGE_MIN} OR a.age > {AGE_MAX}
  OR i.date_entree < o.date_debut OR i.date_entree > o.date_fin
  OR i.duree_recherche_mois > {DUREE_RECHERCHE_MAX}, FALSE)"""

FSE_ENTREE = {
    "participants": "TRUE",
    "femmes": "sexe = 'F'",
    "hommes": "sexe = 'M'",
    "chomeurs": "statut_emploi = 'non' AND recherche_emploi",
    "chomeurs_longue_duree": "statut_emploi = 'non' AND recherche_emploi"
    " AND ((age >= 25 AND duree_recherche_mois >= 12) OR (age < 25 AND duree_recherche_mois >= 6))",
    "inactifs": "statut_emploi = 'non' AND NOT recherche_emploi",
    "inactifs_hors_formation": "statut_emploi = 'non' AND NOT recherche_emploi AND NOT en_formation",
    "en_emploi": "statut_emploi IN ('1a', '1b', '1c', '1d')",
    "moins_18": "age < 18",
    "de_18_a_29": "age BETWEEN 18 AND 29",
    "plus_55": "age >= 55",
    "cite_0_2": "niveau_formation IN ('2a', '2b')",
    "cite_3_4": "niveau_formation = '2c'",
    "cite_5_8": "niveau_formation = '2d'",
    "handicap": "handicap_reconnu",
    "pays_tiers": "nationalite = 'hors_ue'",
    "origine_etrangere": "parent_ne_etranger = 'oui'",
    "sans_abri": "sans_domicile = 'oui'",
    "minima_sociaux": "minima_sociaux",
    "rsa": "beneficiaire_rsa",
    "menage_sans_emploi": "menage_sans_emploi",
    "menage_enfants": "menage_enfants",
    "menage_monoparental": "menage_monoparental",
    "questionnaires_incomplets": "incomplet",
    "reports": "report_de_id IS NOT NULL",
}
FSE_SORTIE = {
    "sorties": "TRUE",
    "donnees_dans_delai": "dans_delai",
    "donnees_tardives": "sortie_renseignee_le - date_sortie > 28",
    "donnees_a_saisir": "sortie_renseignee_le IS NULL AND date_sortie >= %(aujourd_hui)s - 28",
    "donnees_manquantes": "sortie_renseignee_le IS NULL AND date_sortie < %(aujourd_hui)s - 28",
    "en_recherche": "dans_delai AND sortie_recherche_emploi",
    "en_formation": "dans_delai AND sortie_en_formation",
    "qualification": "dans_delai AND sortie_qualification",
    "en_emploi": "dans_delai AND sortie_statut_emploi IN ('1a', '1b', '1c', '1d')",
    "sorties_anticipees": "dans_delai AND sortie_anticipee",
}
_DU = "sortie_plie IS NOT NULL AND sortie_plie + interval '6 months' <= %(aujourd_hui)s"
_SITUATIONS_EMPLOI = ", ".join(f"'{s.value}'" for s in sorted(SITUATIONS_EN_EMPLOI))
_EMPLOI_6 = f"{_DU} AND situation IN ({_SITUATIONS_EMPLOI})"
FSE_LONG_TERME = {
    "suivis_dus": _DU,
    "suivis_realises": f"{_DU} AND situation <> 'inconnu'",
    "suivis_inconnus": f"{_DU} AND situation = 'inconnu'",
    "suivis_a_relever": f"{_DU} AND situation IS NULL",
    "suivis_a_venir": "sortie_plie + interval '6 months' > %(aujourd_hui)s",
    "sans_suivi": "sortie_plie IS NULL",
    "emploi_six_mois": _EMPLOI_6,
    "amelioree_six_mois": f"{_EMPLOI_6} AND statut_emploi IN ('1a', '1b', '1c', '1d')"
    " AND situation_amelioree",
}


def _comptes(conditions, filtre):
    return ", ".join(f"count(*) FILTER (WHERE {filtre} AND ({c}))" for c in conditions.values())


def fins_de_mois(debut, fin, aujourd_hui):
    jours = []
    for mois in range(debut.month, fin.month + 1):
        jour = datetime.date(debut.year, mois, calendar.monthrange(debut.year, mois)[1])
        if jour <= aujourd_hui:
            jours.append(min(jour, fin))
    return jours


def requetes(plie_id, annee, aujourd_hui):
    """``{section: (sql, params)}``: the floor's statements for the PLIE ``plie_id``'s bilan of
    ``annee`` (a civil year), ``aujourd_hui`` the day the month ends and follow-ups are judged on."""
    debut, fin = datetime.date(annee, 1, 1), datetime.date(annee, 12, 31)
    params = {
        "plie": plie_id,
        "debut": debut,
        "fin": fin,
        "aujourd_hui": aujourd_hui,
        "re_commune": COMMUNE_NAISSANCE,
        "re_code_postal": CODE_POSTAL_FRANCAIS,
        "re_telephone": TELEPHONE_NATIONAL,
        "re_courriel": COURRIEL,
    }
    sortie = "p.date_sortie <= %(fin)s"
    classes = ", ".join(
        f"count(*) FILTER (WHERE {sortie} AND ts.classe_nationale = '{classe}'"
        f"{' AND s.validee' if classe in POSITIVES else ''}) AS c_{classe}"
        for classe in (*POSITIVES, "abandon", "demenagement_deces_retraite")
    )
    categories = ", ".join(
        f"count(*) FILTER (WHERE {sortie} AND ts.categorie = '{categorie}'"
        f"{' AND s.validee' if categorie in CATEGORIES_VALIDEES else ''}) AS k_{categorie}"
        for categorie in CategorieSortie.values
    )
    mois = []
    for m in range(1, 13):
        params[f"d{m}"] = datetime.date(annee, m, 1)
        params[f"f{m}"] = datetime.date(annee, m, calendar.monthrange(annee, m)[1])
        mois.append(
            f"count(*) FILTER (WHERE p.date_entree <= %(f{m})s"
            f" AND (p.date_sortie IS NULL OR p.date_sortie >= %(d{m})s)) AS m{m}"
        )
    jours = fins_de_mois(debut, fin, aujourd_hui)
    for n, jour in enumerate(jours):
        params[f"j{n}"] = jour
    presents = ", ".join(
        f"count(i.id) FILTER (WHERE i.date_entree <= %(j{n})s"
        f" AND (i.date_sortie IS NULL OR i.date_sortie >= %(j{n})s))"
        for n in range(len(jours))
    )
    situations = ", ".join(
        f"count(*) FILTER (WHERE sorti AND {_DU} AND situation = '{s}')" for s in SituationSixMois.values
    )
    return {
        "flux": (
            FLUX_SQL.format(classes=classes, categories=categories, mois=", ".join(mois), annee=DANS_L_ANNEE),
            params,
        ),
        "cube": (CUBE_SQL, params),
        "etapes": (ETAPES_SQL.format(annee=DANS_L_ANNEE), params),
        "entretiens": (
            ENTRETIENS_SQL.format(
                par_mois=", ".join(
                    f"sum(n.n{m} - n.n{m - 1})::int, count(*) FILTER (WHERE n.n{m} > n.n{m - 1})"
                    for m in range(1, 13)
                ),
                par_mode=", ".join(f"sum(n.{mode})::int" for mode in ModeEntretien.values),
                mois=", ".join(
                    ["0 AS n0"]
                    + [f"count(*) FILTER (WHERE e.date <= %(f{m})s) AS n{m}" for m in range(1, 12)]
                    + ["count(*) AS n12"]
                ),
                modes=", ".join(
                    f"count(*) FILTER (WHERE e.mode = '{mode}') AS {mode}" for mode in ModeEntretien.values
                ),
                annee=DANS_L_ANNEE,
            ),
            params,
        ),
        "operations": (OPERATIONS_SQL.format(presents=presents or "0"), params),
        "sorties_operations": (SORTIES_OPERATIONS_SQL, params),
        "fse": (
            FSE_SQL.format(
                entree=_comptes(FSE_ENTREE, "entre"),
                sortie=_comptes(FSE_SORTIE, "sorti"),
                long_terme=_comptes(FSE_LONG_TERME, "sorti"),
                situations=situations,
                incomplet=INCOMPLET,
            ),
            params,
        ),
    }


def lignes(plie_id, annee, aujourd_hui):
    """``{section: rows}``: each statement of :func:`requetes` run, its rows fetched."""
    resultat = {}
    with connection.cursor() as cursor:
        for section, (sql, params) in requetes(plie_id, annee, aujourd_hui).items():
            cursor.execute(sql, params)
            resultat[section] = cursor.fetchall()
    return resultat


def _valeur(entrees, sorties, positives, abandons):
    return {"entrees": entrees, "sorties": sorties, "sorties_positives": positives, "abandons": abandons}


def _libelles(rows, nom):
    noms = [nom(row) for row in rows]
    return {
        (f"{n} (n° {ident})" if noms.count(n) > 1 else n): row
        for n, (ident, row) in zip(noms, [(r[0], r) for r in rows], strict=True)
    }


def chiffres(plie_id, annee, aujourd_hui):
    """The bilan's figures (counts only) from the floor's rows, in the JSON's shape."""
    rows = lignes(plie_id, annee, aujourd_hui)
    total, referents, prescripteurs = None, [], []
    for row in rows["flux"]:
        (sans_ref, sans_pres, ref, pres, debut, entrees, sorties, positives, *reste) = row
        c_ed, c_q, c_pa, c_ab, c_n = reste[:5]
        categories = dict(zip(CategorieSortie.values, reste[5:12], strict=True))
        fin, jours, mouvements = reste[12:15]
        mensuels = reste[15:27]
        first, last, email, nom_pres = reste[27:]
        valeurs = _valeur(entrees, sorties, positives, c_ab)
        if sans_ref and sans_pres:
            total = {
                "en_parcours_debut": debut,
                "entrees": entrees,
                "en_parcours_annee": debut + entrees,
                "sorties_positives": {
                    "total": c_ed + c_q + c_pa,
                    "emploi_durable": c_ed,
                    "qualifiante": c_q,
                    "autres": c_pa,
                },
                "sorties_sans_suite": {
                    "total": sorties - positives,
                    "abandons": c_ab,
                    "neutralisees": c_n,
                    "autres": sorties - positives - c_ab - c_n,
                },
                "en_parcours_fin": fin,
                "sorties_par_categorie": {**categories, "non_validee": sorties - sum(categories.values())},
            }
            duree = jours / sorties / 30.4375 if sorties else None
        elif not sans_ref:
            libelle = "Sans référent" if ref is None else (f"{first} {last}".strip() or email)
            referents.append((ref, libelle, valeurs, mensuels))
        elif mouvements:
            prescripteurs.append((pres, nom_pres or "Sans prescripteur", valeurs))
    par_referent = _libelles(referents, lambda r: r[1])
    repartitions = {
        dimension: {}
        for dimension in ("sexe", "tranche_age", "th", "deld", "brsa", "qpv", "niveau_formation")
    }
    for cle, *compte in rows["cube"]:
        if cle is None:  # no age: no band
            continue
        dimension, valeur = cle.split("|", 1)
        if dimension == "sexe" and valeur not in ("F", "M"):
            continue
        repartitions[dimension][valeur] = _valeur(*compte)
    tranches = repartitions["tranche_age"]
    zero = _valeur(0, 0, 0, 0)
    tranches["45_plus"] = {k: tranches.get("45_54", zero)[k] + tranches.get("55_plus", zero)[k] for k in zero}
    tranches["plus_54"] = tranches.pop("55_plus", zero)
    tranches.pop("45_54", None)
    repartitions["referent"] = {
        libelle: valeurs for libelle, (_, _, valeurs, _) in par_referent.items() if any(valeurs.values())
    }
    repartitions["prescripteur"] = {
        libelle: r[2] for libelle, r in _libelles(prescripteurs, lambda r: r[1]).items()
    }

    par_categorie = {c: {"etapes": 0, "debutees": 0, "participants": 0} for c in CategorieEtape.values}
    principale = dict.fromkeys(CategorieEtape.values, 0)
    for categorie, n, debutees, participants, principales in rows["etapes"]:
        par_categorie[categorie] = {"etapes": n, "debutees": debutees, "participants": participants}
        principale[categorie] = principales
    participants = total["en_parcours_annee"]
    principale["sans_etape"] = participants - sum(principale.values())

    entretiens, modes = {}, dict.fromkeys(ModeEntretien.values, 0)
    for ref, *valeurs in rows["entretiens"]:
        for m in range(1, 13):
            entretiens[(ref, m)] = (valeurs[2 * m - 2], valeurs[2 * m - 1])
        for mode, n in zip(ModeEntretien.values, valeurs[24:], strict=True):
            modes[mode] += n
    par_mois = {f"{annee}-{m:02d}": [0, 0, 0] for m in range(1, 13)}
    par_ref = {}
    for libelle, (ref, _, _, mensuels) in par_referent.items():
        sommes = [0, 0, 0]
        for m, presents in enumerate(mensuels, start=1):
            n, rencontres = entretiens.get((ref, m), (0, 0))
            for j, v in enumerate((presents, n, presents - rencontres)):
                par_mois[f"{annee}-{m:02d}"][j] += v
                sommes[j] += v
        par_ref[libelle] = sommes
    cles = ("participants_mois", "entretiens", "sans_contact_mois")
    accompagnement = {
        "par_mois": {
            m: dict(zip(("participants", "entretiens", "sans_contact"), v, strict=True))
            for m, v in par_mois.items()
        },
        "total": dict(zip(cles, [sum(v[j] for v in par_mois.values()) for j in range(3)], strict=True)),
        "par_referent": {libelle: dict(zip(cles, v, strict=True)) for libelle, v in par_ref.items()},
        "par_mode": modes,
    }
    sorties_op = {}
    for operation_id, *ligne in rows["sorties_operations"]:
        sorties_op.setdefault(operation_id, []).append(tuple(ligne))
    jours = fins_de_mois(datetime.date(annee, 1, 1), datetime.date(annee, 12, 31), aujourd_hui)
    operations = []
    for operation_id, code, op_debut, op_fin, inscrits, *presents in rows["operations"]:
        dans = [n for j, n in zip(jours, presents, strict=False) if op_debut <= j <= op_fin]
        operations.append(
            {
                "code": code,
                "participants": inscrits,
                "presents_moyen": sum(dans) / len(dans) if dans else None,
                "sorties": sorted(sorties_op.get(operation_id, [])),
            }
        )
    (fse_row,) = rows["fse"]
    fse_row = list(fse_row)
    fse = {}
    for section, conditions in (
        ("entree", FSE_ENTREE),
        ("sortie", FSE_SORTIE),
        ("long_terme", FSE_LONG_TERME),
    ):
        fse[section] = {cle: fse_row.pop(0) for cle in conditions}
    fse["situations"] = {s: fse_row.pop(0) for s in SituationSixMois.values}
    return {
        "flux": total,
        "duree_moyenne_parcours_mois": duree,
        "repartitions": repartitions,
        "etapes": {
            "participants": participants,
            "etapes": sum(c["etapes"] for c in par_categorie.values()),
            "par_categorie": par_categorie,
            "categorie_principale": principale,
            "accompagnement": accompagnement,
        },
        "operations": operations,
        "fse": fse,
    }
