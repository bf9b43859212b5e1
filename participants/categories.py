"""Public categories used by the reports, derived from stored facts (never typed twice).

Each category is computed on the situation **at entry** (the FSE rule), with the age at the
entry date, not today's."""

from dataclasses import dataclass

from participants.enums import Nationalite, NiveauFormation, StatutEmploi

DELD_MOIS = 12  # demandeur d'emploi de longue durée: seeking for 12 months or more
AGE_JEUNE = 26  # jeunes: under 26 at entry
AGE_SENIOR = 45  # seniors: 45 and over at entry
AGE_SENIOR_PLUS = 54  # over 54 at entry (FSE « plus de 54 ans »)


def age_at(date_naissance, on):
    """Age in whole years on the date ``on`` (a birthday on 29 February counts from 1 March)."""
    if date_naissance is None or on is None:
        return None
    before_birthday = (on.month, on.day) < (date_naissance.month, date_naissance.day)
    return on.year - date_naissance.year - before_birthday


@dataclass(frozen=True)
class CategoriesPubliques:
    age_entree: int | None
    jeune: bool | None  # < 26 at entry
    senior: bool | None  # ≥ 45 at entry
    senior_plus_54: bool | None  # > 54 at entry
    deld: bool | None  # seeking a job for 12 months or more at entry
    brsa: bool | None
    th: bool | None  # travailleur handicapé: officially recognised disability (Q3)
    qpv: bool | None
    hors_ue: bool | None
    niveau_formation: str  # FSE code 2a..2d, "" if unknown
    faible_niveau: bool | None  # ISCED 0-2 (2a, 2b)

    def labels(self):
        """The French labels of the categories that apply, for the dossier's badges."""
        names = {
            "jeune": "Jeune (< 26 ans)",
            "senior": "Senior (≥ 45 ans)",
            "senior_plus_54": "Plus de 54 ans",
            "deld": "DELD",
            "brsa": "BRSA",
            "th": "TH / BOETH",
            "qpv": "QPV",
            "hors_ue": "Hors UE",
        }
        return [label for field, label in names.items() if getattr(self, field)]


def categories_publiques(*, date_naissance, date_entree, situation=None, qpv=None, nationalite=""):
    """Derive the public categories from the stored facts.

    - jeune: age at entry < 26; senior: ≥ 45; senior_plus_54: > 54 (age at the entry date);
    - DELD: not in employment (Q1 « non »), actively seeking (1f) for 12 months or more (1g);
    - BRSA: receives the RSA (a minimum social benefit, Q4 « oui »);
    - TH: officially recognised disability (Q3);
    - QPV: lives in a quartier prioritaire; hors UE: nationality outside the European Union;
    - faible niveau: ISCED 0-2 (Q2 2a or 2b).
    A fact not yet recorded gives ``None`` (unknown), never ``False``."""
    age = age_at(date_naissance, date_entree)
    s = situation

    def known(value, test):
        return None if value is None or value == "" else test(value)

    if s is None or not s.statut_emploi:
        deld = None
    elif s.statut_emploi != StatutEmploi.SANS_EMPLOI or s.recherche_emploi is False:
        deld = False
    elif s.recherche_emploi is None or s.duree_recherche_mois is None:
        deld = None
    else:
        deld = s.duree_recherche_mois >= DELD_MOIS

    brsa = None if s is None or s.minima_sociaux is None else bool(s.minima_sociaux and s.beneficiaire_rsa)

    niveau = s.niveau_formation if s is not None else ""
    return CategoriesPubliques(
        age_entree=age,
        jeune=known(age, lambda a: a < AGE_JEUNE),
        senior=known(age, lambda a: a >= AGE_SENIOR),
        senior_plus_54=known(age, lambda a: a > AGE_SENIOR_PLUS),
        deld=deld,
        brsa=brsa,
        th=None if s is None else s.handicap_reconnu,
        qpv=qpv,
        hors_ue=known(nationalite, lambda n: n == Nationalite.HORS_UE),
        niveau_formation=niveau or "",
        faible_niveau=known(
            niveau, lambda n: n in (NiveauFormation.INFERIEUR_PRIMAIRE, NiveauFormation.PRIMAIRE_COLLEGE)
        ),
    )


def categories_of(participant, situation=None):
    """:func:`categories_publiques` for a participant and its (latest) situation at entry."""
    situation = situation if situation is not None else participant.situation_entree
    return categories_publiques(
        date_naissance=participant.date_naissance,
        date_entree=situation.date_entree if situation else None,
        situation=situation,
        qpv=participant.qpv,
        nationalite=participant.nationalite,
    )
