"""FSE indicators of a set of enrolments over a period — the ONE module the operations pages and
the bilan (``reporting.bilan``) read. Everything is counted in the database, in one aggregate
query (``Count(filter=Q(...))``), never by looping over participants.

A participant in the FSE sense is an **enrolment**: one participant = one operation (docs/domaine.md §6,
seed 004 l.8016-8018), so a person in two operations counts twice, each with its own
questionnaire. Figures are given for the enrolments whose entry (resp. exit) date falls in the
period.

**Output indicators at entry** — the situation the entry questionnaire records (docs/domaine.md §6,
DGEFP questionnaire 26/11/2018, seed 004 l.8084-8150), coded as the Commission's SFC2021 codes
the common indicators of Regulation (EU) 2021/1057 annex I (ESF+).

Sources (each code below names the one that states it):

- [A] Regulation (EU) 2021/1057, annex I « Common indicators for general support from the ESF+
  strand under shared management », points 1.1 and 1.2 (the list and its order), EUR-Lex
  CELEX 32021R1057 (text read at eumonitor.eu, « Annexes to COM(2018)382 — European Social Fund
  Plus (ESF+) », https://eumonitor.eu/9353000/1/j4nvirkkkr58fyw_j9vvik7m1c3gyxp/vkoseu9025xz);
- [B] SFC Support Portal (European Commission), FAQ « Need to collect individual data for common
  output indicators if the operation focuses on a specific target group »: « 'Unemployed,
  including long-term unemployed' (EECO02) », « 'Participants with disabilities' (EECO12) »,
  https://sfc.ec.europa.eu/en/need-collect-individual-data-common-output-indicators-if-operation-focuses-specific-target-group;
- [C] SFC Support Portal, « Définitions des ressortissants de pays tiers (EECO13), participants
  d'origine étrangère (EECO14), et minorités (EECO15) » (13/04/2023),
  https://sfc.ec.europa.eu/en/node?page=154;
- [D] SFC Support Portal, « 24.06.2024: Validation Rule changes for TOD Table 6 (ESF+) »: the
  reserved indicators EECO02+04+05 (unemployed + inactive + employed), EECO06+07 and EECO10+11
  are sums of the common ones, https://sfc.ec.europa.eu/en/2021/news/24062024-validation-rule-changes-tod-table-6-esf;
- [E] SFC Support Portal, « Período de referência para indicadores de resultado imediato »:
  4 weeks (28 days) after leaving; « EECR01 — empenhado na procura de emprego » and « EECR04 —
  empregado », mutually exclusive (the last event of the 4 weeks counts),
  https://sfc.ec.europa.eu/en/periodo-de-referencia-para-indicadores-de-resultado-imediato.

Codes marked « (ordre [A]) » are not written out in a page we could read: they follow from the
annex's order between two codes a page does state ([B], [C], [D], [E]); a gestionnaire checks
them against the programme's SFC2021 table before the first upload.

- ``participants`` (EECO01, total number of participants — [A] 1.1 « total number of
  participants », EECO02 being the first characteristic [B]): enrolments entered in the period;
  ``femmes`` / ``hommes``: sexe;
- ``chomeurs`` (EECO02, unemployed incl. long-term unemployed [B]): Q1 « non » (no job) and 1f
  « oui » (actively seeking);
- ``chomeurs_longue_duree`` (EECO03, long-term unemployed, ordre [A]): unemployed seeking for
  12 months or more (1g ≥ 12), or 6 months or more when under 25 at entry (the EU definition);
- ``inactifs`` (EECO04, inactive [D]): Q1 « non » and 1f « non »; ``inactifs_hors_formation``:
  and 1e « non » (no code in 2021-2027: the 2014-2020 « inactive, not in education or training »);
- ``en_emploi`` (EECO05, employed incl. self-employed [D]): Q1 1a, 1b, 1c or 1d;
- ``moins_18`` (EECO06, children below 18 years of age [D]), ``de_18_a_29`` (EECO07, young
  people between 18 and 29 [D]), ``plus_55`` (EECO08, participants of 55 years and above, ordre
  [A]): age in whole years on the entry date (``participants.categories.age_at``: a birthday not
  yet reached that year is not counted), < 18, 18–29, ≥ 55;
- ``cite_0_2`` (EECO09, lower secondary education or less, ISCED 0-2, ordre [A]): Q2 2a or 2b;
  ``cite_3_4`` (EECO10, upper secondary or post-secondary, ISCED 3-4 [D]): 2c; ``cite_5_8``
  (EECO11, tertiary education, ISCED 5-8 [D]): 2d;
- ``handicap`` (EECO12, participants with disabilities [B]): Q3 « oui »;
- ``pays_tiers`` (EECO13, third-country nationals [C]): nationality outside the EU
  (``Participant.nationalite == "hors_ue"``, required on the entry questionnaire);
- ``origine_etrangere`` (EECO14, participants with a foreign background [C]): Q6 « oui » (one
  parent born abroad, the UNECE reading [C] gives when there is no national definition);
- EECO15 (minorities [C]) and EECO17 (participants from rural areas, ordre [A]) are not
  collected by the DGEFP questionnaire: not counted here;
- ``sans_abri`` (EECO16, homeless or affected by housing exclusion, ordre [A] between EECO15 [C]
  and EECO17): Q5 « oui »;
- ``minima_sociaux``: Q4 « oui »; ``rsa``: of which RSA;
- ``menage_sans_emploi``, ``menage_enfants``, ``menage_monoparental``: the household questions
  (seed 004 l.7960-7965, l.8020-8030);
- ``questionnaires_incomplets``: entries whose questionnaire misses an answer (ineligible,
  seed 004 l.7915-7940; ``operations.completude``); ``reports``: entries that are the carry-over
  of a previous operation's enrolment.

**Immediate result indicators at exit** — the exit data, counted only when recorded within
4 weeks of the exit (docs/domaine.md §6, seed 004 l.7930-7945, [E]; ``operations.completude``):

- ``sorties``: enrolments left in the period; ``donnees_dans_delai``: with exit data recorded
  in time; ``donnees_tardives``: recorded after the 4 weeks (not counted below);
  ``donnees_a_saisir``: no data, window still open on ``aujourd_hui``; ``donnees_manquantes``:
  no data and the window is past;
- ``en_recherche`` (EECR01, participants engaged in job searching upon leaving [E]):
  « recherche activement un emploi » at exit;
- ``en_formation`` (EECR02, participants in education or training upon leaving, ordre [A]);
- ``qualification`` (EECR03, participants gaining a qualification upon leaving, ordre [A]);
- ``en_emploi`` (EECR04, participants in employment, including self-employment, upon leaving
  [E]): 1a–1d at exit;
- ``sorties_anticipees``: left early (abandon), data in time.

**Longer-term result indicators** — six months after leaving ([A] point 1.3 « Common
longer-term result indicators for participants », the codes EECR05 and EECR06 ordre [A] after
EECR04 [E]); the situation is the one the six-month follow-up of the participant's parcours
records (``entreprises.SuiviSixMois``, due on the PLIE exit date + 6 calendar months, the day
clamped to the month's end: ``entreprises.regles.echeance_suivi``). Counted, like the immediate
results, on the enrolments that **left during the period** (an exit on 31/12/2026 belongs to
2026 even though its follow-up falls due on 30/06/2027), each by :func:`resultat_six_mois`:

- ``sans_suivi``: left the operation while the parcours goes on (carried over to another
  operation): no exit from the PLIE, no follow-up;
- ``suivis_a_venir``: six months not yet passed on ``aujourd_hui``: not due (a situation recorded
  early does not count either);
- ``suivis_dus`` = ``suivis_realises`` + ``suivis_inconnus`` + ``suivis_a_relever``: due, with a
  known situation / recorded « inconnue » (not reached) / nothing recorded yet;
- ``emploi_six_mois`` (EECR05, participants in employment, including self-employment, six
  months after leaving): due and « en emploi salarié » or « indépendant »;
- ``amelioree_six_mois`` (EECR06, participants with an improved labour market situation six
  months after leaving): due, **in employment at entry** (Q1 1a–1d), in employment six months
  after and the follow-up says the situation improved. The definition is the Commission's
  ([F]): persons employed when entering who moved from precarious to stable employment, from
  underemployment to full employment, to a job requiring higher competences or received a
  promotion; someone out of work at entry who found a job counts in EECR05, not here;
- ``situations``: the due follow-ups by recorded situation (« inconnue » included).

- [F] SFC Support Portal (European Commission), FAQ « Does the indicator on improved labour
  market situation also cover participants who, due to the ESF support, better meet the
  requirements of the labour market… » (28/07/2014, quoting annex C1 of the Commission's
  guidance on monitoring and evaluation; the 2021-2027 indicator keeps the wording),
  https://sfc.ec.europa.eu/en/2014/support-ms/part/faq/does-indicator-improved-labour-market-situation-also-cover-participants.
"""

from django.db.models import Count, Q
from django.utils import timezone

from entreprises.enums import SITUATIONS_EN_EMPLOI, SituationSixMois
from entreprises.regles import echeance_suivi
from operations.completude import (
    age_expression,
    delai_saisie_expression,
    q_entree_incomplete,
    q_sortie_a_renseigner,
    q_sortie_hors_delai,
    q_sortie_renseignee_dans_delai,
    q_sortie_renseignee_tard,
)
from participants.enums import Nationalite, NiveauFormation, OuiNonNsp, Sexe, StatutEmploi

EN_EMPLOI = [
    StatutEmploi.INDEPENDANT,
    StatutEmploi.EMPLOI_DURABLE,
    StatutEmploi.EMPLOI_TEMPORAIRE,
    StatutEmploi.EMPLOI_AIDE,
]
SANS_EMPLOI = StatutEmploi.SANS_EMPLOI

ENTREE = (
    ("participants", "Participants entrés (EECO01)"),
    ("femmes", "dont femmes"),
    ("hommes", "dont hommes"),
    ("chomeurs", "Chômeurs, y compris de longue durée (EECO02)"),
    ("chomeurs_longue_duree", "Chômeurs de longue durée (EECO03)"),
    ("inactifs", "Personnes inactives (EECO04)"),
    ("inactifs_hors_formation", "dont ni en emploi, ni en études, ni en formation"),
    ("en_emploi", "Personnes en emploi, y compris indépendants (EECO05)"),
    ("moins_18", "Moins de 18 ans (EECO06)"),
    ("de_18_a_29", "18 à 29 ans (EECO07)"),
    ("plus_55", "55 ans et plus (EECO08)"),
    ("cite_0_2", "Niveau CITE 0 à 2 (EECO09)"),
    ("cite_3_4", "Niveau CITE 3 à 4 (EECO10)"),
    ("cite_5_8", "Niveau CITE 5 à 8 (EECO11)"),
    ("handicap", "Participants handicapés (EECO12)"),
    ("pays_tiers", "Ressortissants de pays tiers (EECO13)"),
    ("origine_etrangere", "Participants d'origine étrangère (EECO14)"),
    ("sans_abri", "Sans domicile ou exclus du logement (EECO16)"),
    ("minima_sociaux", "Allocataires de minima sociaux"),
    ("rsa", "dont bénéficiaires du RSA"),
    ("menage_sans_emploi", "Ménage dont aucun membre n'a d'emploi"),
    ("menage_enfants", "Ménage avec enfants à charge"),
    ("menage_monoparental", "Ménage d'un seul adulte avec enfants à charge"),
    ("questionnaires_incomplets", "Questionnaires d'entrée incomplets (inéligibles)"),
    ("reports", "dont reports d'une opération précédente"),
)

SORTIE = (
    ("sorties", "Participants sortis"),
    ("donnees_dans_delai", "Données de sortie saisies dans les 4 semaines"),
    ("donnees_tardives", "Données saisies après 4 semaines (non comptées)"),
    ("donnees_a_saisir", "Données à saisir (délai en cours)"),
    ("donnees_manquantes", "Données manquantes, délai dépassé"),
    ("en_recherche", "En recherche d'emploi à la sortie (EECR01)"),
    ("en_formation", "En études ou en formation à la sortie (EECR02)"),
    ("qualification", "Ayant obtenu une qualification à la sortie (EECR03)"),
    ("en_emploi", "En emploi, y compris indépendant, à la sortie (EECR04)"),
    ("sorties_anticipees", "Sorties anticipées (abandons)"),
)

LIBELLES_ENTREE = dict(ENTREE)
LIBELLES_SORTIE = dict(SORTIE)


def age_entree_expression(prefix=""):
    """Age in whole years on the entry date, in SQL (``operations.completude.age_expression``:
    the same rule as ``participants.categories.age_at``)."""
    return age_expression(f"{prefix}date_entree", f"{prefix}participant__date_naissance")


def conditions_entree():
    """``{indicator: Q}`` on an ``Inscription`` annotated with ``age_entree``."""
    chomeur = Q(statut_emploi=SANS_EMPLOI, recherche_emploi=True)
    inactif = Q(statut_emploi=SANS_EMPLOI, recherche_emploi=False)
    return {
        "participants": Q(),
        "femmes": Q(participant__sexe=Sexe.FEMME),
        "hommes": Q(participant__sexe=Sexe.HOMME),
        "chomeurs": chomeur,
        "chomeurs_longue_duree": chomeur
        & (
            Q(age_entree__gte=25, duree_recherche_mois__gte=12)
            | Q(age_entree__lt=25, duree_recherche_mois__gte=6)
        ),
        "inactifs": inactif,
        "inactifs_hors_formation": inactif & Q(en_formation=False),
        "en_emploi": Q(statut_emploi__in=EN_EMPLOI),
        "moins_18": Q(age_entree__lt=18),
        "de_18_a_29": Q(age_entree__gte=18, age_entree__lte=29),
        "plus_55": Q(age_entree__gte=55),
        "cite_0_2": Q(
            niveau_formation__in=[NiveauFormation.INFERIEUR_PRIMAIRE, NiveauFormation.PRIMAIRE_COLLEGE]
        ),
        "cite_3_4": Q(niveau_formation=NiveauFormation.SECONDAIRE),
        "cite_5_8": Q(niveau_formation=NiveauFormation.SUPERIEUR),
        "handicap": Q(handicap_reconnu=True),
        "pays_tiers": Q(participant__nationalite=Nationalite.HORS_UE),
        "origine_etrangere": Q(parent_ne_etranger=OuiNonNsp.OUI),
        "sans_abri": Q(sans_domicile=OuiNonNsp.OUI),
        "minima_sociaux": Q(minima_sociaux=True),
        "rsa": Q(beneficiaire_rsa=True),
        "menage_sans_emploi": Q(menage_sans_emploi=True),
        "menage_enfants": Q(menage_enfants=True),
        "menage_monoparental": Q(menage_monoparental=True),
        "questionnaires_incomplets": q_entree_incomplete(),
        "reports": Q(report_de__isnull=False),
    }


def conditions_sortie(aujourd_hui):
    """``{indicator: Q}`` on an ``Inscription`` annotated with ``delai_saisie``."""
    dans_delai = q_sortie_renseignee_dans_delai()
    return {
        "sorties": Q(),
        "donnees_dans_delai": dans_delai,
        "donnees_tardives": q_sortie_renseignee_tard(),
        "donnees_a_saisir": q_sortie_a_renseigner(aujourd_hui),
        "donnees_manquantes": q_sortie_hors_delai(aujourd_hui),
        "en_recherche": dans_delai & Q(sortie_recherche_emploi=True),
        "en_formation": dans_delai & Q(sortie_en_formation=True),
        "qualification": dans_delai & Q(sortie_qualification=True),
        "en_emploi": dans_delai & Q(sortie_statut_emploi__in=EN_EMPLOI),
        "sorties_anticipees": dans_delai & Q(sortie_anticipee=True),
    }


def annoter(inscriptions):
    return inscriptions.annotate(age_entree=age_entree_expression(), delai_saisie=delai_saisie_expression())


def aggregats(debut, fin, aujourd_hui, *, suffixe=""):
    """The aggregates (``{name: Count}``) of :func:`indicateurs_fse`, for ``aggregate()`` or, with
    ``values(...)``, ``annotate()`` (one row per operation, per PLIE…)."""
    entre = Q(date_entree__range=(debut, fin))
    sorti = Q(date_sortie__range=(debut, fin))
    result = {f"e_{k}{suffixe}": Count("pk", filter=entre & q) for k, q in conditions_entree().items()}
    result.update(
        {f"s_{k}{suffixe}": Count("pk", filter=sorti & q) for k, q in conditions_sortie(aujourd_hui).items()}
    )
    return result


def depuis_ligne(row):
    """``{"entree": {...}, "sortie": {...}}`` from one row of :func:`aggregats`."""
    return {
        "entree": {k: row[f"e_{k}"] for k, _ in ENTREE},
        "sortie": {k: row[f"s_{k}"] for k, _ in SORTIE},
    }


def indicateurs_fse(inscriptions, debut, fin, aujourd_hui=None):
    """The FSE output indicators at entry and immediate result indicators at exit of
    ``inscriptions`` (an ``Inscription`` queryset, already scoped) for the period
    ``[debut, fin]`` (both included), in one query: ``{"entree": {indicator: int}, "sortie":
    {indicator: int}}`` (see the module docstring for each formula). ``aujourd_hui`` (today by
    default) only matters for the exits whose data is still awaited."""
    aujourd_hui = aujourd_hui or timezone.localdate()
    return depuis_ligne(annoter(inscriptions).aggregate(**aggregats(debut, fin, aujourd_hui)))


COMPLETUDE = (
    ("questionnaires_incomplets", "entree"),
    ("donnees_a_saisir", "sortie"),
    ("donnees_manquantes", "sortie"),
    ("donnees_tardives", "sortie"),
)


def inscriptions_de_la_periode(plie_ids, debut, fin, operation_ids=None):
    """The enrolments in the operations of ``plie_ids`` that entered or left during
    ``[debut, fin]``: the only ones :func:`aggregats` counts (each count is filtered on an entry or
    an exit in the period), so the others need not be read (issue 17: the bilan aggregated every
    enrolment of every year, 90 → 33 ms at 100,000 participants)."""
    from operations.models import Inscription

    inscriptions = Inscription.objects.filter(operation__plie_id__in=plie_ids)
    if operation_ids is not None:
        # the same enrolments (``operation_ids``: every operation of ``plie_ids``), but written
        # as a list PostgreSQL reads on the (operation, entry / exit date) indexes instead of
        # scanning every enrolment of every PLIE (issue 17: 82 -> 2.5 ms at 100,000 participants)
        inscriptions = inscriptions.filter(operation_id__in=operation_ids)
    return inscriptions.filter(Q(date_entree__range=(debut, fin)) | Q(date_sortie__range=(debut, fin)))


def bilan_fse(plie_ids, debut, fin, aujourd_hui, *, operation_ids=None):
    """The ``fse`` section of the annual bilan: :func:`indicateurs_fse` of the enrolments in the
    operations of ``plie_ids`` for the period, with ``completude`` (incomplete entry
    questionnaires, exit data to record / missing / recorded late) picked from the same counts,
    and the longer-term results (``long_terme``: follow-ups six months after exit due / done,
    EECR05, EECR06; ``situations``: the due follow-ups by situation). 2 queries."""
    inscriptions = inscriptions_de_la_periode(plie_ids, debut, fin, operation_ids)
    figures = indicateurs_fse(inscriptions, debut, fin, aujourd_hui)
    figures["completude"] = {cle: figures[section][cle] for cle, section in COMPLETUDE}
    figures.update(indicateurs_six_mois(inscriptions, debut, fin, aujourd_hui))
    return figures


LONG_TERME = (
    ("suivis_dus", "Suivis à six mois dus (sortie du PLIE depuis six mois ou plus)"),
    ("suivis_realises", "dont réalisés, situation connue"),
    ("suivis_inconnus", "dont situation inconnue (personne non jointe)"),
    ("suivis_a_relever", "dont situation non relevée"),
    ("suivis_a_venir", "Suivis à venir (six mois non écoulés)"),
    ("sans_suivi", "Sorties de l'opération sans sortie du PLIE (pas de suivi)"),
    ("emploi_six_mois", "En emploi, y compris indépendant, six mois après la sortie (EECR05)"),
    ("amelioree_six_mois", "Situation améliorée sur le marché du travail six mois après la sortie (EECR06)"),
)
LIBELLES_LONG_TERME = dict(LONG_TERME)


def resultat_six_mois(*, sortie_plie, aujourd_hui, situation, en_emploi_entree, amelioree):
    """The longer-term counts (keys of :data:`LONG_TERME`) one enrolment that left the operation
    falls in, from plain values (see the module docstring):

    ``sortie_plie``: the exit date of its parcours (``None``: the parcours goes on);
    ``situation``: the ``SituationSixMois`` value recorded (``None``: nothing recorded);
    ``en_emploi_entree``: in employment at entry (Q1 1a–1d); ``amelioree``: the follow-up's
    « situation améliorée » (``None``/``False``: no)."""
    if sortie_plie is None:
        return ("sans_suivi",)
    if echeance_suivi(sortie_plie) > aujourd_hui:
        return ("suivis_a_venir",)
    if situation is None:
        return ("suivis_dus", "suivis_a_relever")
    if situation == SituationSixMois.INCONNU:
        return ("suivis_dus", "suivis_inconnus")
    result = ["suivis_dus", "suivis_realises"]
    if situation in SITUATIONS_EN_EMPLOI:
        result.append("emploi_six_mois")
        if en_emploi_entree and amelioree:
            result.append("amelioree_six_mois")
    return tuple(result)


def totaliser_six_mois(lignes, aujourd_hui):
    """``{"long_terme": {key: n}, "situations": {situation: n}}`` over ``lignes``, tuples
    ``(sortie_plie, situation, amelioree, statut_emploi_entree)`` of the enrolments that left in
    the period (one per enrolment). Every key is present, even at 0; ``situations`` counts the
    due follow-ups by the situation recorded."""
    totaux = dict.fromkeys(LIBELLES_LONG_TERME, 0)
    situations = dict.fromkeys(SituationSixMois.values, 0)
    for sortie_plie, situation, amelioree, statut_entree in lignes:
        cles = resultat_six_mois(
            sortie_plie=sortie_plie,
            aujourd_hui=aujourd_hui,
            situation=situation,
            en_emploi_entree=statut_entree in EN_EMPLOI,
            amelioree=amelioree,
        )
        for cle in cles:
            totaux[cle] += 1
        if "suivis_dus" in cles and situation is not None:
            situations[situation] += 1
    return {"long_terme": totaux, "situations": situations}


def indicateurs_six_mois(inscriptions, debut, fin, aujourd_hui=None):
    """The longer-term result indicators (EECR05, EECR06) and the six-month follow-ups due of
    ``inscriptions`` (already scoped) that left during ``[debut, fin]``: one query (a row per
    enrolment left, its parcours' exit and follow-up joined)."""
    aujourd_hui = aujourd_hui or timezone.localdate()
    # unordered: the model's default order joined the participant and the PLIE and sorted every
    # row for nothing (issue 17: 69 -> 25 ms at 100,000 participants)
    lignes = (
        inscriptions.filter(date_sortie__range=(debut, fin))
        .order_by()
        .values_list(
            "parcours__date_sortie",
            "parcours__suivi_six_mois__situation",
            "parcours__suivi_six_mois__situation_amelioree",
            "statut_emploi",
        )
    )
    return totaliser_six_mois(lignes, aujourd_hui)


def lignes_six_mois(fse):
    """The longer-term section of ``fse`` (a bilan's, possibly masked) as two ``(libelle,
    valeur)`` lists: the counts of :data:`LONG_TERME` and the due follow-ups by situation; both
    empty for a bilan stored before the section existed."""
    long_terme = fse.get("long_terme") or {}
    situations = fse.get("situations") or {}
    return (
        [(libelle, long_terme[cle]) for cle, libelle in LONG_TERME if cle in long_terme],
        [(libelle, situations[cle]) for cle, libelle in SituationSixMois.choices if cle in situations],
    )


def realises_sur_dus(fse):
    """« réalisés / dus » of the six-month follow-ups (« 3 / 5 »), or ``""`` without the section."""
    long_terme = fse.get("long_terme") or {}
    if "suivis_dus" not in long_terme:
        return ""
    return f"{long_terme['suivis_realises']} / {long_terme['suivis_dus']}"
