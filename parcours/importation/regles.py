"""Parsing one value of the legacy file into a fact, or a French reason (:class:`ValeurInvalide`).

Pure functions over text (no database): table-driven tests in
``tests/parcours/importation/test_regles.py``."""

import re

from participants.enums import NiveauFormation, Sexe
from plie.core import dates
from plie.core.writers import is_dangerous


class ValeurInvalide(ValueError):
    pass


_CODE_POSTAL = re.compile(r"^\d{5}$")

# Older French levels (nomenclature of 1969) mapped to the FSE questionnaire's Q2 (ISCED groups):
# VI and Vbis (no diploma, left school at collège) → 2b; V (CAP, BEP) and IV (bac) → 2c;
# III, II, I (bac+2 and above) → 2d.
NIVEAUX_ANCIENS = {
    "vi": NiveauFormation.PRIMAIRE_COLLEGE,
    "vbis": NiveauFormation.PRIMAIRE_COLLEGE,
    "v": NiveauFormation.SECONDAIRE,
    "iv": NiveauFormation.SECONDAIRE,
    "iii": NiveauFormation.SUPERIEUR,
    "ii": NiveauFormation.SUPERIEUR,
    "i": NiveauFormation.SUPERIEUR,
}
SEXES = frozenset(Sexe.values)
NIVEAUX = frozenset(NiveauFormation.values)
OUI = ("oui", "o", "1", "vrai")
NON = ("non", "n", "0", "faux")
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def text(value):
    return value.strip() if isinstance(value, str) else ("" if value is None else str(value).strip())


def parse_date(value):
    """``jj/mm/aaaa`` or ``aaaa-mm-jj`` (or a date cell of a spreadsheet) → date; empty → None
    (:func:`plie.core.dates.parse_date`)."""
    try:
        return dates.parse_date(value)
    except dates.DateInvalide as error:
        raise ValeurInvalide(str(error)) from None


def parse_sexe(value):
    raw = text(value).upper()
    if raw not in SEXES:
        raise ValeurInvalide(
            f"« {text(value)} » : le sexe s'écrit F ou M." if raw else "Le sexe est obligatoire."
        )
    return raw


def parse_code_postal(value):
    raw = text(value).replace(" ", "")
    if raw and raw.isdigit() and len(raw) == 4:  # a spreadsheet dropped the leading zero
        raw = f"0{raw}"
    if raw and not _CODE_POSTAL.match(raw):
        raise ValeurInvalide(f"« {text(value)} » n'est pas un code postal (5 chiffres).")
    return raw


def parse_niveau(value):
    """FSE codes 2a…2d, or the older levels VI…I (mapped, see :data:`NIVEAUX_ANCIENS`); empty → ""."""
    raw = text(value).lower().replace(" ", "")
    if not raw:
        return ""
    if raw in NIVEAUX:
        return raw
    if raw in NIVEAUX_ANCIENS:
        return NIVEAUX_ANCIENS[raw]
    raise ValeurInvalide(
        f"« {text(value)} » n'est pas un niveau de formation "
        "(2a, 2b, 2c, 2d, ou VI, Vbis, V, IV, III, II, I)."
    )


def parse_oui_non(value):
    """``oui`` / ``non`` / empty → True / False / None."""
    raw = text(value).lower()
    if not raw:
        return None
    if raw in OUI:
        return True
    if raw in NON:
        return False
    raise ValeurInvalide(f"« {text(value)} » : répondez oui, non ou laissez vide.")


def parse_email(value):
    raw = text(value).lower()
    if raw and not EMAIL.match(raw):
        raise ValeurInvalide(f"« {text(value)} » n'est pas une adresse électronique.")
    return refuse_formula(raw, "L'adresse du référent")


def refuse_formula(raw, label):
    """Refuse a text a spreadsheet could read as a formula (``=``, ``+``, ``-``, ``@``; a leading
    tab or carriage return is already stripped): the identity fields are refused rather than
    neutralised, a name or an identifier never starts so (CWE-1236, see plie.core.writers)."""
    if is_dangerous(raw):
        raise ValeurInvalide(
            f"{label} commence par « {raw[0]} » : une valeur commençant par =, +, -, @, une tabulation "
            "ou un retour chariot peut s'exécuter comme une formule dans un tableur ; elle est refusée "
            "dans les champs d'identité. Corrigez la cellule."
        )
    return raw


def required_text(value, label, max_length):
    raw = text(value)
    if not raw:
        raise ValeurInvalide(f"{label} est obligatoire.")
    if len(raw) > max_length:
        raise ValeurInvalide(f"{label} dépasse {max_length} caractères.")
    return refuse_formula(raw, label)


def optional_text(value, label, max_length):
    raw = text(value)
    if len(raw) > max_length:
        raise ValeurInvalide(f"{label} dépasse {max_length} caractères.")
    return refuse_formula(raw, label)


# --- The facts of the situation at entry the legacy file carries -------------------------------
# The bilan reads DELD / BRSA / TH / niveau from the FSE questionnaire answers of the situation at
# entry (reporting.selectors.FAITS); the legacy tool only says « oui » / « non »:
# - deld oui → Q1 « sans emploi », seeking (1f) for 12 months (1g = 12, the DELD threshold);
#   deld non → Q1 « sans emploi », seeking, for 0 months (« less than a year », not DELD);
# - brsa oui → minima sociaux and RSA; brsa non → neither (the file does not tell other minima);
# - th → Q3 (recognised disability). Empty: not answered (unknown in the bilan).


def faits_situation(*, deld, brsa, th, niveau):
    """The SituationEntree answer fields for the legacy facts (see above)."""
    faits = {
        "statut_emploi": "",
        "recherche_emploi": None,
        "duree_recherche_mois": None,
        "minima_sociaux": None,
        "beneficiaire_rsa": None,
        "handicap_reconnu": th,
        "niveau_formation": niveau or "",
    }
    if deld is not None:
        faits.update(statut_emploi="non", recherche_emploi=True, duree_recherche_mois=12 if deld else 0)
    if brsa is not None:
        faits.update(minima_sociaux=brsa, beneficiaire_rsa=brsa)
    return faits
