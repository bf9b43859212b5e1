"""What Ma Démarche FSE would reject in the participant file, listed BEFORE upload.

The platform answers a mass integration with a « fichier d'erreur » naming, for each rejected line,
the column and the reason (documentation technique « Intégration en masse des participants » v2.0,
24/03/2015, section « Fichier d'erreur — Contenu des fichiers / Messages d'erreur »; only its table
of contents could be recovered, see :mod:`operations.mdfse`). This module gives the same shape of
answer — line number as in the file (the header is line 1), column header, French reason — from:

- the rules the documentation names: blocks of questions complete or absent (« Blocs de question »),
  the address / postal code / commune rule (« Adresse / Code postal / Commune »), the formats its FAQ
  warns about (dates, 10-digit phones, 5-digit postal codes broken by Excel, the postal code /
  commune association);
- the DGEFP entry questionnaire (26/11/2018; docs/domaine.md §6, seed 004 l.8084-8150): every question
  answered (l.7915-7940), 1e/1f only without a job, 1g only when seeking, entry not after the
  questionnaire date, the household block (l.7960-7965, l.8020-8030), commune of birth 99999 abroad;
- the exit data, within 4 weeks of leaving or it no longer counts (docs/domaine.md §6, l.7930-7945): a
  block partly filled is rejected (an error per missing answer); a block wholly absent is accepted
  by the platform, so it is one warning (still to collect, or past the 4 weeks);
- one participant = one operation (l.8016-8018): the same person twice in one file is a duplicate.

A file edited by hand, e.g. in Excel (:func:`valider_fichier`), is checked cell by cell, as
written. Our own export (:func:`valider_operation`) is checked with the SAME definition of
« complete » as the completeness board: its identity, contact, entry and questionnaire faults
are :func:`operations.completude.manques_entree` (one function for both), so an enrolment the
board calls complete is never rejected; the exit block, exit dates and duplicates are checked
on the cells. Each fault names the participant (« NOM Prénom ») and, where the enrolment is
known, the view links it to the form that fixes it."""

import re
from dataclasses import dataclass, replace
from types import SimpleNamespace

from django.utils import timezone

from operations import mdfse
from operations.completude import (
    DELAI_DONNEES_SORTIE,  # 4 weeks, docs/domaine.md §6, seed 004 l.7930-7945
    manques_entree,
)
from participants.fse import AGE_MAX, AGE_MIN
from participants.normalize import fold
from plie.core import dates

ERREUR = "erreur"
AVERTISSEMENT = "avertissement"
DUREE_RECHERCHE_MAX = 600  # months (50 years): anything above is a typing error

CODE_POSTAL = re.compile(r"^\d{5}$")
CODE_COMMUNE = re.compile(r"^(\d{5}|2[AB]\d{3})$")
TELEPHONE = re.compile(r"^0[1-9]\d{8}$")
COURRIEL = re.compile(r"^[^@\s;,]+@[^@\s;,]+\.[A-Za-z]{2,}$")
ENTIER = re.compile(r"^\d{1,4}$")

EMPLOI = {"1a", "1b", "1c", "1d"}
CODES_Q1 = EMPLOI | {"N"}
CODES_Q2 = {"2a", "2b", "2c", "2d"}
OUI_NON = {"O", "N"}
OUI_NON_NSP = {"O", "N", "NSP"}

# Communes whose département we know, to check the postal code / commune association where we can
# (the platform checks it against the national postal code base; we have no such base offline).
# Folded name -> départements it exists in (Saint-Denis is in 93 and 974, Valence in 26 and 82).
COMMUNES_CONNUES = {
    "paris": {"75"},
    "marseille": {"13"},
    "lyon": {"69"},
    "toulouse": {"31"},
    "nice": {"06"},
    "nantes": {"44"},
    "strasbourg": {"67"},
    "montpellier": {"34"},
    "bordeaux": {"33"},
    "lille": {"59"},
    "rennes": {"35"},
    "villeurbanne": {"69"},
    "vaulx en velin": {"69"},
    "venissieux": {"69"},
    "grenoble": {"38"},
    "bourgoin jallieu": {"38"},
    "vienne": {"38"},
    "saint etienne": {"42"},
    "bourg en bresse": {"01"},
    "valence": {"26", "82"},
    "chambery": {"73"},
    "annecy": {"74"},
    "clermont ferrand": {"63"},
    "ajaccio": {"2A"},
    "porto vecchio": {"2A"},
    "bastia": {"2B"},
    "corte": {"2B"},
    "pointe a pitre": {"971"},
    "fort de france": {"972"},
    "cayenne": {"973"},
    "saint denis": {"93", "974"},
    "saint pierre": {"974", "975"},
    "mamoudzou": {"976"},
}


# The file's column of each answer a fault of operations.completude.manques_entree names.
COLONNE_DU_CHAMP = {
    "nom": "Nom",
    "prenom": "Prenom",
    "sexe": "Sexe",
    "date_naissance": "Date de naissance",
    "code_commune_naissance": "Code commune de naissance",
    "nationalite": "Nationalite",
    "adresse": "Adresse",
    "code_postal": "Code postal",
    "commune": "Commune",
    "telephone": "Telephone portable",
    "telephone_fixe": "Telephone fixe",
    "email": "Courriel",
    "date_entree": "Date entree operation",
    "date_questionnaire": "Date questionnaire",
    "statut_emploi": "Q1 Emploi",
    "en_formation": "Q1e Formation",
    "recherche_emploi": "Q1f Recherche emploi",
    "duree_recherche_mois": "Q1g Duree recherche mois",
    "niveau_formation": "Q2 Niveau formation",
    "handicap_reconnu": "Q3 Handicap",
    "minima_sociaux": "Q4 Minima sociaux",
    "beneficiaire_rsa": "Q4 dont RSA",
    "sans_domicile": "Q5 Sans domicile",
    "parent_ne_etranger": "Q6 Parent ne a l'etranger",
    "menage_sans_emploi": "Menage sans emploi",
    "menage_enfants": "Menage avec enfants",
    "menage_monoparental": "Menage monoparental",
}
# The columns fixed on the participant's dossier (identity and contact), not the questionnaire.
COLONNES_DOSSIER = frozenset(
    mdfse.ENTETES[mdfse.ENTETES.index("Nom") : mdfse.ENTETES.index("Date entree operation")]
)


@dataclass(frozen=True)
class Anomalie:
    ligne: int  # as in the file: the header is line 1
    colonne: str  # the column header
    code: str  # a stable identifier of the rule (tests, filters)
    message: str  # French, for the user
    gravite: str = ERREUR
    inscription_id: int | None = None
    participant: str = ""  # « NOM Prénom » as in the file
    participant_id: int | None = None

    @property
    def bloquante(self):
        return self.gravite == ERREUR


def departement_du_code_postal(code_postal):
    """The département a 5-digit postal code belongs to, ``None`` if it belongs to none
    (Corsica: 200xx-201xx Corse-du-Sud 2A, 202xx-206xx Haute-Corse 2B; overseas: 971-976)."""
    if not CODE_POSTAL.match(code_postal or ""):
        return None
    prefixe = code_postal[:2]
    if prefixe == "20":
        return "2A" if code_postal < "20200" else ("2B" if code_postal < "20700" else None)
    if prefixe == "97":
        return code_postal[:3] if code_postal[2] in "123456" else None
    if prefixe in ("00", "96", "98", "99"):  # 98000 is Monaco: not a French commune
        return None
    return prefixe


def departement_de_naissance_valide(code):
    """INSEE code of the commune of birth: a real département (2A/2B for Corsica, 971-978 overseas,
    98x for the overseas collectivities) or exactly 99999 abroad."""
    if code == "99999":
        return True
    prefixe = code[:2]
    if prefixe in ("2A", "2B"):
        return True
    if prefixe == "97":
        return code[2] in "12345678"
    if prefixe == "98":
        return True
    return prefixe.isdigit() and 1 <= int(prefixe) <= 95 and prefixe != "20"


class _Ligne:
    """The checks of one line; each fault found is appended to ``anomalies``."""

    def __init__(self, numero, cells, operation, inscription_id, anomalies, aujourd_hui):
        self.numero = numero
        self.aujourd_hui = aujourd_hui
        self.c = dict(zip(mdfse.ENTETES, cells, strict=True))
        self.operation = operation
        self.inscription_id = inscription_id
        self.anomalies = anomalies

    @property
    def participant(self):
        return " ".join(part for part in (self.c["Nom"], self.c["Prenom"]) if part)

    @property
    def participant_id(self):
        ident = self.c["Identifiant participant"]
        return int(ident) if ident.isdigit() else None

    def faute(self, colonne, code, message, gravite=ERREUR):
        self.anomalies.append(
            Anomalie(
                self.numero,
                colonne,
                code,
                message,
                gravite,
                self.inscription_id,
                self.participant,
                self.participant_id,
            )
        )

    def manquant(self, colonne, code, libelle):
        if not self.c[colonne]:
            self.faute(colonne, code, f"{libelle} : réponse manquante.")
            return True
        return False

    def date(self, colonne):
        """The cell as a date, or ``None`` (and a fault) if it is not a real ``jj/mm/aaaa`` date."""
        try:
            return dates.parse_date(self.c[colonne], strict=True)
        except dates.DateInvalide:
            self.faute(
                colonne,
                "date_invalide",
                f"Date « {self.c[colonne]} » invalide : une date réelle au format jj/mm/aaaa est attendue.",
            )
            return None

    def code(self, colonne, codes, code_faute, libelle):
        valeur = self.c[colonne]
        if valeur and valeur not in codes:
            attendus = ", ".join(sorted(codes))
            self.faute(colonne, code_faute, f"{libelle} : code « {valeur} » inconnu (attendu : {attendus}).")

    def verifier(self):
        self.identite()
        self.coordonnees()
        entree = self.entree()
        self.questionnaire()
        self.sortie(entree)

    def verifier_export(self, manques):
        """A line of our own export: its entry faults are the enrolment's ``manques`` (the
        board's definition, :func:`operations.completude.manques_entree`), then the exit block."""
        for manque in manques:
            self.faute(COLONNE_DU_CHAMP.get(manque.champ, ""), f"incomplet_{manque.champ}", manque.message)
        try:
            entree = dates.parse_date(self.c["Date entree operation"], strict=True)
        except ValueError:
            entree = None
        self.sortie(entree)

    # Identity block
    def identite(self):
        self.manquant("Nom", "nom_manquant", "Nom")
        self.manquant("Prenom", "prenom_manquant", "Prénom")
        if not self.manquant("Sexe", "sexe_manquant", "Sexe"):
            self.code("Sexe", {"F", "H"}, "sexe_invalide", "Sexe")
        if not self.manquant("Date de naissance", "naissance_manquante", "Date de naissance"):
            self.naissance = self.date("Date de naissance")
        else:
            self.naissance = None
        if not self.manquant("Nationalite", "nationalite_manquante", "Nationalité"):
            self.code("Nationalite", set(mdfse.NATIONALITES.values()), "nationalite_invalide", "Nationalité")
        code = self.c["Code commune de naissance"]
        manquant = self.manquant(
            "Code commune de naissance", "commune_naissance_manquante", "Commune de naissance"
        )
        if not manquant and not (CODE_COMMUNE.match(code) and departement_de_naissance_valide(code)):
            self.faute(
                "Code commune de naissance",
                "commune_naissance_invalide",
                f"Code commune de naissance « {code} » invalide : code INSEE à 5 caractères "
                "d'un département existant (2A/2B pour la Corse), 99999 si né à l'étranger.",
            )

    # Contact block and the « Adresse / Code postal / Commune » rule
    def coordonnees(self):
        c = self.c
        sans_domicile = c["Q5 Sans domicile"] == "O"
        if not c["Adresse"] and not (sans_domicile and c["Contact"]):
            self.faute(
                "Adresse",
                "adresse_manquante",
                "Adresse manquante (une personne sans domicile peut indiquer une personne à contacter).",
            )
        code_postal = c["Code postal"]
        if not code_postal:
            if not sans_domicile:
                self.faute("Code postal", "code_postal_manquant", "Code postal : réponse manquante.")
        elif not CODE_POSTAL.match(code_postal):
            detail = (
                " (zéro initial perdu, par exemple par Excel ?)" if re.match(r"^\d{4}$", code_postal) else ""
            )
            self.faute(
                "Code postal",
                "code_postal_format",
                f"Code postal « {code_postal} » invalide : 5 chiffres attendus{detail}.",
            )
        elif (departement := departement_du_code_postal(code_postal)) is None:
            self.faute(
                "Code postal",
                "code_postal_departement",
                f"Code postal « {code_postal} » : ne correspond à aucun département français.",
            )
        else:
            connus = COMMUNES_CONNUES.get(fold(c["Commune"]))
            if connus and departement not in connus:
                self.faute(
                    "Code postal",
                    "code_postal_commune",
                    f"Code postal « {code_postal} » (département {departement}) incompatible avec la "
                    f"commune « {c['Commune']} » (département {', '.join(sorted(connus))}).",
                )
        self.manquant("Commune", "commune_manquante", "Commune de résidence")
        for colonne in ("Telephone fixe", "Telephone portable"):
            if c[colonne] and not TELEPHONE.match(c[colonne]):
                self.faute(
                    colonne,
                    "telephone_format",
                    f"Téléphone « {c[colonne]} » invalide : 10 chiffres commençant par 0, sans espace.",
                )
        if c["Courriel"] and not COURRIEL.match(c["Courriel"]):
            self.faute("Courriel", "courriel_format", f"Courriel « {c['Courriel']} » invalide.")
        if not (c["Telephone fixe"] or c["Telephone portable"] or c["Courriel"] or c["Contact"]):
            self.faute(
                "Telephone portable",
                "coordonnees_manquantes",
                "Coordonnées : au moins un téléphone, un courriel ou une personne à contacter.",
            )

    # Entry
    def entree(self):
        entree = None
        if not self.manquant("Date entree operation", "date_entree_manquante", "Date d'entrée"):
            entree = self.date("Date entree operation")
        questionnaire = None
        if not self.manquant("Date questionnaire", "date_questionnaire_manquante", "Date du questionnaire"):
            questionnaire = self.date("Date questionnaire")
        operation = self.operation
        if entree and not operation.date_debut <= entree <= operation.date_fin:
            self.faute(
                "Date entree operation",
                "entree_hors_operation",
                f"Entrée le {entree:%d/%m/%Y} hors de la période de l'opération "
                f"(du {operation.date_debut:%d/%m/%Y} au {operation.date_fin:%d/%m/%Y}).",
            )
        if entree and questionnaire and entree > questionnaire:
            self.faute(
                "Date entree operation",
                "entree_apres_questionnaire",
                f"La date d'entrée ({entree:%d/%m/%Y}) ne peut pas être postérieure à la date du "
                f"questionnaire ({questionnaire:%d/%m/%Y}).",
            )
        if entree and self.naissance:
            age = (
                entree.year
                - self.naissance.year
                - ((entree.month, entree.day) < (self.naissance.month, self.naissance.day))
            )
            if age < AGE_MIN:
                self.faute(
                    "Date de naissance",
                    "age_trop_jeune",
                    f"Âge à l'entrée de {age} ans : un participant a au moins {AGE_MIN} ans.",
                )
            elif age > AGE_MAX:
                self.faute(
                    "Date de naissance",
                    "age_absurde",
                    f"Âge à l'entrée de {age} ans : date de naissance à vérifier (plus de {AGE_MAX} ans).",
                )
        return entree

    # Entry questionnaire (DGEFP 26/11/2018)
    def questionnaire(self):
        c = self.c
        if not self.manquant("Q1 Emploi", "q1_manquante", "Q1. Statut sur le marché du travail"):
            self.code("Q1 Emploi", CODES_Q1, "q1_invalide", "Q1. Statut sur le marché du travail")
        recherche = c["Q1f Recherche emploi"]
        duree = c["Q1g Duree recherche mois"]
        if c["Q1 Emploi"] == "N":
            self.manquant("Q1e Formation", "q1e_manquante", "1e. En formation (personne sans emploi)")
            self.manquant(
                "Q1f Recherche emploi", "q1f_manquante", "1f. Recherche d'emploi (personne sans emploi)"
            )
            if recherche == "O" and not duree:
                self.faute(
                    "Q1g Duree recherche mois",
                    "q1g_manquante",
                    "1g. Durée de recherche d'emploi (en mois) : réponse manquante.",
                )
        elif c["Q1 Emploi"] in EMPLOI and (recherche == "O" or duree):
            self.faute(
                "Q1g Duree recherche mois" if duree else "Q1f Recherche emploi",
                "emploi_et_recherche",
                f"Q1 incohérente : « en emploi » ({c['Q1 Emploi']}) et « recherche un emploi"
                + (f" depuis {duree} mois" if duree else "")
                + " » ; les questions 1e à 1g ne concernent que les personnes sans emploi.",
            )
        if duree and not (ENTIER.match(duree) and int(duree) <= DUREE_RECHERCHE_MAX):
            self.faute(
                "Q1g Duree recherche mois",
                "q1g_invalide",
                f"1g. Durée « {duree} » invalide : un nombre entier de mois (au plus {DUREE_RECHERCHE_MAX}).",
            )
        elif duree and recherche == "N":
            self.faute(
                "Q1g Duree recherche mois",
                "duree_sans_recherche",
                "1g renseignée alors que la personne ne recherche pas d'emploi (1f = N).",
            )
        for colonne in ("Q1e Formation", "Q1f Recherche emploi"):
            self.code(colonne, OUI_NON, "reponse_invalide", colonne)
        if not self.manquant("Q2 Niveau formation", "q2_manquante", "Q2. Niveau de formation"):
            self.code("Q2 Niveau formation", CODES_Q2, "q2_invalide", "Q2. Niveau de formation")
        for colonne, code, libelle, codes in (
            ("Q3 Handicap", "q3_manquante", "Q3. Reconnaissance d'un handicap", OUI_NON),
            ("Q4 Minima sociaux", "q4_manquante", "Q4. Minima sociaux", OUI_NON),
            (
                "Q5 Sans domicile",
                "q5_manquante",
                "Q5. Sans domicile fixe ou exclusion du logement",
                OUI_NON_NSP,
            ),
            ("Q6 Parent ne a l'etranger", "q6_manquante", "Q6. Parent né à l'étranger", OUI_NON_NSP),
            ("Menage sans emploi", "menage_manquant", "Ménage : aucun membre en emploi", OUI_NON),
            ("Menage avec enfants", "menage_manquant", "Ménage : enfants à charge", OUI_NON),
            ("Menage monoparental", "menage_manquant", "Ménage : un seul adulte avec enfants", OUI_NON),
        ):
            if not self.manquant(colonne, code, libelle):
                self.code(colonne, codes, "reponse_invalide", libelle)
        if c["Q4 Minima sociaux"] == "N" and c["Q4 dont RSA"] == "O":
            self.faute(
                "Q4 dont RSA", "rsa_sans_minima", "Q4 incohérente : bénéficiaire du RSA sans minima sociaux."
            )
        if c["Menage monoparental"] == "O" and c["Menage avec enfants"] == "N":
            self.faute(
                "Menage monoparental",
                "monoparental_sans_enfant",
                "Ménage incohérent : un seul adulte avec enfants, mais sans enfant à charge.",
            )

    # Exit block: complete or absent
    def sortie(self, entree):
        c = self.c
        reponses = [colonne for colonne in mdfse.BLOC_SORTIE if c[colonne]]
        if not c["Date sortie operation"]:
            if reponses:
                self.faute(
                    reponses[0],
                    "sortie_sans_date",
                    "Données de sortie renseignées sans date de sortie de l'opération.",
                )
            return
        sortie = self.date("Date sortie operation")
        if sortie is None:
            return
        if entree and sortie < entree:
            self.faute(
                "Date sortie operation",
                "sortie_avant_entree",
                f"Sortie le {sortie:%d/%m/%Y} avant l'entrée du {entree:%d/%m/%Y}.",
            )
        if sortie > self.operation.date_fin:
            self.faute(
                "Date sortie operation",
                "sortie_hors_operation",
                f"Sortie le {sortie:%d/%m/%Y} après la fin de l'opération "
                f"({self.operation.date_fin:%d/%m/%Y}).",
            )
        echeance = sortie + DELAI_DONNEES_SORTIE
        reponses = ("Sortie anticipee", "Sortie emploi", "Sortie formation", "Sortie recherche emploi")
        reponses += ("Sortie qualification",)
        manquantes = [colonne for colonne in reponses if not c[colonne]]
        if len(manquantes) == len(reponses):
            # The exit answers are absent as a block: the line is accepted, the results will lack it.
            if self.aujourd_hui <= echeance:
                message = f"Données de sortie à recueillir au plus tard le {echeance:%d/%m/%Y}."
            else:
                message = (
                    f"Données de sortie non recueillies dans les 4 semaines (échéance {echeance:%d/%m/%Y}) : "
                    "la sortie ne comptera pas dans les résultats immédiats."
                )
            self.faute("Date sortie operation", "sortie_non_renseignee", message, AVERTISSEMENT)
            return
        for colonne in manquantes:  # a block partly filled is rejected
            self.faute(
                colonne,
                "sortie_incomplete",
                f"Données de sortie : « {colonne} » manquante "
                f"(à recueillir au plus tard le {echeance:%d/%m/%Y}).",
            )
        self.code("Sortie emploi", CODES_Q1, "reponse_invalide", "Sortie emploi")
        if c["Date donnees sortie"]:
            renseignee = self.date("Date donnees sortie")
            if renseignee and renseignee > echeance:
                self.faute(
                    "Date donnees sortie",
                    "sortie_renseignee_tard",
                    f"Données de sortie recueillies le {renseignee:%d/%m/%Y}, plus de 4 semaines après la "
                    f"sortie (échéance {echeance:%d/%m/%Y}) : elles ne compteront pas dans les résultats "
                    "immédiats.",
                    AVERTISSEMENT,
                )


def valider_lignes(lignes, operation, aujourd_hui=None, *, manques=None):
    """Faults of ``(inscription id or None, cells)`` rows, numbered as in the file (header = line 1).
    ``aujourd_hui`` (today by default) tells whether absent exit data may still be collected.
    ``manques``: ``{inscription id: manques_entree(...)}`` for the rows of our own export (their
    entry cells are then judged by the board's definition, not re-read)."""
    aujourd_hui = aujourd_hui or timezone.localdate()
    anomalies = []
    vus = {}
    for numero, (inscription_id, cells) in enumerate(lignes, start=2):
        if len(cells) != len(mdfse.ENTETES):
            anomalies.append(
                Anomalie(
                    numero,
                    "",
                    "colonnes",
                    f"{len(cells)} colonnes au lieu de {len(mdfse.ENTETES)} "
                    "(séparateur « ; » dans une valeur ?).",
                    inscription_id=inscription_id,
                )
            )
            continue
        ligne = _Ligne(numero, cells, operation, inscription_id, anomalies, aujourd_hui)
        if manques is not None and inscription_id in manques:
            ligne.verifier_export(manques[inscription_id])
        else:
            ligne.verifier()
        personne = (fold(ligne.c["Nom"]), fold(ligne.c["Prenom"]), ligne.c["Date de naissance"])
        if all(personne):
            if personne in vus:
                ligne.faute(
                    "Nom",
                    "doublon",
                    f"Même personne qu'à la ligne {vus[personne]} : un participant n'a qu'une inscription "
                    "par opération (une personne = un participant par opération).",
                )
            else:
                vus[personne] = numero
    return anomalies


def _champs_lus():
    """``(values() names, participant fields, enrolment fields)``: the export's :data:`mdfse.CHAMPS`
    and every column of the enrolment and of its participant, read as plain values."""
    from operations.models import Inscription
    from participants.models import Participant

    du_participant = [champ.attname for champ in Participant._meta.concrete_fields]
    de_l_inscription = [champ.attname for champ in Inscription._meta.concrete_fields]
    noms = list(mdfse.CHAMPS)
    noms += [nom for nom in (f"participant__{champ}" for champ in du_participant) if nom not in noms]
    noms += [nom for nom in de_l_inscription if nom not in noms]
    return noms, du_participant, de_l_inscription


def valider_operation(operation, scope, du=None, au=None, aujourd_hui=None):
    """The faults of the file :func:`operations.mdfse.export_csv` would produce: its lines, each
    enrolment's entry judged by :func:`operations.completude.manques_entree` (the completeness
    board's definition). One query (the enrolments with their participant's columns).

    The rows are read as values, the export's own (:func:`operations.mdfse.cellules`), not as
    model instances: the board's definition reads only columns, so it is handed each enrolment
    and participant as plain attributes (every column of both), with ``operation`` the one given."""
    _du, au_ = mdfse.periode(operation, du, au)
    noms, du_participant, de_l_inscription = _champs_lus()
    lignes, manques = [], {}
    rows = mdfse.inscriptions(operation, scope, du, au).values(*noms).iterator(chunk_size=2000)
    for row in rows:
        participant = SimpleNamespace(**{champ: row[f"participant__{champ}"] for champ in du_participant})
        participant.pk = participant.id
        inscription = SimpleNamespace(**{champ: row[champ] for champ in de_l_inscription})
        inscription.pk, inscription.participant, inscription.operation = row["id"], participant, operation
        lignes.append((row["id"], mdfse.cellules(row, operation, au_)))
        manques[row["id"]] = manques_entree(inscription)
    return valider_lignes(lignes, operation, aujourd_hui, manques=manques)


def inscriptions_du_fichier(anomalies, operation):
    """The anomalies of an uploaded file with the enrolment of their line in ``operation`` (one
    participant has one enrolment per operation, found by the « Identifiant participant »
    column), so that the page links each to the form that fixes it. One query."""
    from operations.models import Inscription

    ids = {a.participant_id for a in anomalies if a.participant_id is not None and a.inscription_id is None}
    if not ids:
        return anomalies
    par_participant = dict(
        Inscription.objects.filter(operation=operation, participant_id__in=ids).values_list(
            "participant_id", "pk"
        )
    )
    return [
        replace(a, inscription_id=par_participant.get(a.participant_id)) if a.inscription_id is None else a
        for a in anomalies
    ]


def valider_fichier(texte, operation, aujourd_hui=None):
    """The faults of a file as it will be uploaded (e.g. after editing it in Excel)."""
    texte = texte.removeprefix("\ufeff")
    lignes = texte.splitlines()
    if not lignes:
        return [Anomalie(1, "", "fichier_vide", "Fichier vide : la ligne d'en-tête est attendue.")]
    entetes = lignes[0].split(mdfse.SEPARATEUR)
    if tuple(entetes) != mdfse.ENTETES:
        return [
            Anomalie(
                1,
                "",
                "entete",
                "Ligne d'en-tête inattendue : les colonnes et leur ordre doivent être ceux du modèle.",
            )
        ]
    rows = ((None, ligne.split(mdfse.SEPARATEUR)) for ligne in lignes[1:])
    return valider_lignes(rows, operation, aujourd_hui)


def resume(anomalies):
    """Counts for the page: faulty lines, blocking errors, warnings."""
    return {
        "lignes": len({a.ligne for a in anomalies if a.bloquante}),
        "erreurs": sum(a.bloquante for a in anomalies),
        "avertissements": sum(not a.bloquante for a in anomalies),
    }
