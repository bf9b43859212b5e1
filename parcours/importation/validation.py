"""Checking the whole file against the PLIE before anything is written.

:func:`valider` reads every row once (streamed), parses it (:mod:`parcours.importation.regles`),
checks it against the PLIE (référents, exit referential) and keeps one compact :class:`Ligne`
per row; then the checks across rows of the same person (duplicate rows, overlapping parcours,
different birth dates), against the parcours already imported, and the duplicate detection of
the participants (:func:`participants.doublons.noms_similaires`, reported, never merged).

A fixed number of queries whatever the file's size (the référents and users named in it, the
exit referential, the prescripteurs, the participants and parcours already imported)."""

import datetime
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Q
from django.utils import timezone

from parcours.importation import regles
from parcours.importation.lecture import FichierInvalide, lire
from parcours.importation.regles import ValeurInvalide
from participants.doublons import noms_similaires

MAX_ERREURS = 5000  # kept in the report; the count goes on
PROGRESS_EVERY = 2000
AGE_MAX = 100


@dataclass(frozen=True, slots=True)
class Erreur:
    ligne: int | None
    colonne: str
    valeur: str
    message: str

    def as_list(self):
        return [self.ligne, self.colonne, self.valeur, self.message]


@dataclass(slots=True)
class Ligne:
    """One valid row, compact (kept in memory between the validation and the writes)."""

    ligne: int
    identifiant: str
    nom: str
    prenom: str
    sexe: str
    date_naissance: datetime.date
    code_postal: str
    referent_id: int | None
    prescripteur: str  # the name as written ("" if none)
    date_entree: datetime.date
    date_sortie: datetime.date | None
    type_sortie_id: int | None
    niveau: str
    brsa: bool | None
    deld: bool | None
    th: bool | None
    qpv: bool | None


@dataclass
class Existant:
    """What the PLIE already holds from earlier imports, keyed like the file."""

    participants: dict = field(default_factory=dict)  # identifiant -> Participant
    parcours: dict = field(default_factory=dict)  # (participant_id, date_entree) -> Parcours


@dataclass
class Resultat:
    lignes: list = field(default_factory=list)
    erreurs: list = field(default_factory=list)
    nb_erreurs: int = 0
    doublons: list = field(default_factory=list)  # [ligne, identifiant, message]
    nb_lignes: int = 0
    existant: Existant = field(default_factory=Existant)
    types_sortie: dict = field(default_factory=dict)

    @property
    def valide(self):
        return self.nb_erreurs == 0

    def erreur(self, ligne, colonne, valeur, message):
        self.nb_erreurs += 1
        if len(self.erreurs) < MAX_ERREURS:
            self.erreurs.append(Erreur(ligne, colonne, regles.text(valeur)[:200], message))


class Contexte:
    """The PLIE's referentials, loaded once (a few queries)."""

    def __init__(self, plie, today=None):
        from parcours.models import TypeSortie
        from plie.core.models import Membership

        self.plie = plie
        self.today = today or timezone.localdate()
        self.types_sortie = {
            t.code.upper(): t for t in TypeSortie.objects.filter(plie=plie).only("id", "code", "is_active")
        }
        self.membres = dict(
            Membership.objects.active()
            .filter(structure=plie)
            .values_list("user__email", "user_id")
            .distinct()
        )
        self.membres = {email.lower(): uid for email, uid in self.membres.items()}
        self._autres = {}

    def referent_id(self, email):
        """The member of the PLIE with that email; :class:`ValeurInvalide` otherwise, saying
        whether the user exists elsewhere (another PLIE, another structure)."""
        if email in self.membres:
            return self.membres[email]
        if email not in self._autres:
            from plie.core.models import Membership, User

            user = User.objects.filter(email=email).first()
            structures = (
                sorted(
                    set(
                        Membership.objects.active().filter(user=user).values_list("structure__nom", flat=True)
                    )
                )
                if user
                else []
            )
            self._autres[email] = (user is not None, structures)
        exists, structures = self._autres[email]
        if not exists:
            raise ValeurInvalide(f"Référent inconnu : aucun utilisateur n'a l'adresse « {email} ».")
        where = f" (rattaché à {', '.join(structures)})" if structures else ""
        raise ValeurInvalide(
            f"« {email} » n'est pas un utilisateur de {self.plie.nom}{where} : il ne peut pas être référent."
        )


class _Memo:
    """A value parser of :mod:`~parcours.importation.regles` remembered per raw value for one
    file: its columns repeat a few values (dates, sexe, niveau, oui/non, référents,
    prescripteurs) and the parsers are pure functions of the text, so the result (or the French
    reason) is the same as calling it again. At most ``LIMIT`` values are remembered."""

    LIMIT = 100_000

    def __init__(self, parser):
        self.parser = parser
        self.cache = {}

    def __call__(self, raw):
        try:
            known = self.cache.get(raw)
        except TypeError:  # an unhashable cell: never remembered
            return self.parser(raw)
        if known is None:
            try:
                known = (self.parser(raw), None)
            except ValeurInvalide as exc:
                known = (None, str(exc))
            if len(self.cache) < self.LIMIT:
                self.cache[raw] = known
        value, message = known
        if message is not None:
            raise ValeurInvalide(message)
        return value


def _required(label, max_length):
    return lambda value: regles.required_text(value, label, max_length)


# The columns of a row in the order they are checked (an error's order in the report), their
# parser, and whether their values repeat enough to be remembered (:class:`_Memo`).
CHAMPS = (
    ("identifiant", _required("L'identifiant", 50), False),
    ("nom", _required("Le nom", 100), False),
    ("prenom", _required("Le prénom", 100), False),
    ("sexe", regles.parse_sexe, True),
    ("date_naissance", regles.parse_date, True),
    ("code_postal", regles.parse_code_postal, True),
    ("referent_email", regles.parse_email, True),
    ("prescripteur", lambda value: regles.optional_text(value, "Le prescripteur", 200), True),
    ("date_entree", regles.parse_date, True),
    ("date_sortie", regles.parse_date, True),
    ("niveau_formation", regles.parse_niveau, True),
    ("brsa", regles.parse_oui_non, True),
    ("deld", regles.parse_oui_non, True),
    ("th", regles.parse_oui_non, True),
    ("qpv", regles.parse_oui_non, True),
)


def parseurs():
    """The ``(column, parser)`` of :data:`CHAMPS` for one file (the remembered ones share a
    :class:`_Memo` per parser)."""
    memos = {}
    result = []
    for colonne, parser, repeated in CHAMPS:
        if repeated:
            parser = memos.setdefault(parser, _Memo(parser))
        result.append((colonne, parser))
    return tuple(result)


def _parse(resultat, ctx, line, row, champs=None):
    """Parse one row into a :class:`Ligne`, or record its errors and return ``None``
    (``champs``: :func:`parseurs`, made once per file)."""
    erreurs_avant = resultat.nb_erreurs
    values = {}
    for colonne, parser in champs or parseurs():
        try:
            values[colonne] = parser(row[colonne])
        except ValeurInvalide as exc:
            values[colonne] = None
            resultat.erreur(line, colonne, row[colonne], str(exc))
    if row.get("_extra"):
        resultat.erreur(line, "", "", "La ligne a plus de valeurs que l'en-tête n'a de colonnes.")

    naissance, entree, sortie = values["date_naissance"], values["date_entree"], values["date_sortie"]
    if naissance is None and regles.text(row["date_naissance"]) == "":
        resultat.erreur(line, "date_naissance", "", "La date de naissance est obligatoire.")
    if entree is None and regles.text(row["date_entree"]) == "":
        resultat.erreur(line, "date_entree", "", "La date d'entrée est obligatoire.")
    if naissance and naissance > ctx.today:
        resultat.erreur(
            line, "date_naissance", row["date_naissance"], "La date de naissance est dans le futur."
        )
    elif naissance and entree and naissance >= entree:
        resultat.erreur(
            line, "date_naissance", row["date_naissance"], "La date de naissance suit la date d'entrée."
        )
    elif naissance and entree and entree.year - naissance.year > AGE_MAX:
        resultat.erreur(
            line,
            "date_naissance",
            row["date_naissance"],
            f"Plus de {AGE_MAX} ans à l'entrée : date invraisemblable.",
        )
    if entree and entree > ctx.today:
        resultat.erreur(line, "date_entree", row["date_entree"], "La date d'entrée est dans le futur.")
    if sortie and sortie > ctx.today:
        resultat.erreur(line, "date_sortie", row["date_sortie"], "La date de sortie est dans le futur.")
    if entree and sortie and sortie < entree:
        resultat.erreur(
            line,
            "date_sortie",
            row["date_sortie"],
            f"La sortie ({sortie:%d/%m/%Y}) précède l'entrée ({entree:%d/%m/%Y}).",
        )

    code = regles.text(row["type_sortie"]).upper()
    type_sortie = None
    if code:
        type_sortie = ctx.types_sortie.get(code)
        if type_sortie is None:
            resultat.erreur(
                line,
                "type_sortie",
                row["type_sortie"],
                f"Code de sortie « {code} » absent du référentiel du PLIE.",
            )
        elif not type_sortie.is_active:
            resultat.erreur(
                line,
                "type_sortie",
                row["type_sortie"],
                f"Le type de sortie « {code} » est inactif dans ce PLIE.",
            )
        if sortie is None and regles.text(row["date_sortie"]) == "":
            resultat.erreur(line, "date_sortie", "", "Un type de sortie est indiqué sans date de sortie.")
    elif sortie is not None:
        resultat.erreur(line, "type_sortie", "", "Une date de sortie est indiquée sans type de sortie.")

    referent_id = None
    if values["referent_email"]:
        try:
            referent_id = ctx.referent_id(values["referent_email"])
        except ValeurInvalide as exc:
            resultat.erreur(line, "referent_email", row["referent_email"], str(exc))

    if resultat.nb_erreurs > erreurs_avant:
        return None
    return Ligne(
        ligne=line,
        identifiant=values["identifiant"],
        nom=values["nom"],
        prenom=values["prenom"],
        sexe=values["sexe"],
        date_naissance=naissance,
        code_postal=values["code_postal"],
        referent_id=referent_id,
        prescripteur=values["prescripteur"],
        date_entree=entree,
        date_sortie=sortie,
        type_sortie_id=type_sortie.pk if type_sortie else None,
        niveau=values["niveau_formation"],
        brsa=values["brsa"],
        deld=values["deld"],
        th=values["th"],
        qpv=values["qpv"],
    )


class Snapshot:
    """What is compared of a row already in the database (lighter than a model instance: a
    re-import of 100,000 rows loads them all); the changed ones are loaded as instances to be
    updated (:func:`parcours.importation.services._update_from`)."""

    def __init__(self, values):
        self.__dict__.update(values)

    @property
    def pk(self):
        return self.id


PARTICIPANT_FIELDS = (
    "id",
    "identifiant_externe",
    "nom",
    "prenom",
    "sexe",
    "date_naissance",
    "code_postal",
    "qpv",
)
PARCOURS_FIELDS = (
    "id",
    "participant_id",
    "date_entree",
    "date_sortie",
    "status",
    "referent_id",
    "prescripteur_id",
)
SORTIE_FIELDS = ("id", "type_id", "date_sortie", "validee")


def charger_existant(plie):
    """The participants of ``plie`` imported before (by legacy id) and their parcours, with their
    exit (2 queries)."""
    from parcours.models import Parcours
    from participants.models import Participant

    existant = Existant()
    participants = Participant.objects.filter(plie=plie).exclude(identifiant_externe="")
    existant.participants = {
        row["identifiant_externe"]: Snapshot(row)
        for row in participants.values(*PARTICIPANT_FIELDS).iterator()
    }
    if existant.participants:
        rows = (
            Parcours.objects.filter(plie=plie)
            .exclude(participant__identifiant_externe="")
            .exclude(date_entree__isnull=True)
            .values(*PARCOURS_FIELDS, *(f"sortie__{f}" for f in SORTIE_FIELDS))
        )
        for row in rows.iterator():
            sortie = {f: row.pop(f"sortie__{f}") for f in SORTIE_FIELDS}
            parcours = Snapshot(row)
            parcours.sortie = Snapshot(sortie) if sortie["id"] is not None else None
            existant.parcours[(parcours.participant_id, parcours.date_entree)] = parcours
    return existant


def _par_personne(resultat, existant):
    """Checks across the rows of one person: different birth dates, overlapping parcours (with
    each other and with the parcours of the PLIE not in the file)."""
    personnes = defaultdict(list)
    for ligne in resultat.lignes:
        personnes[ligne.identifiant].append(ligne)
    autres_parcours = defaultdict(list)
    for (participant_id, _), parcours in existant.parcours.items():
        autres_parcours[participant_id].append(parcours)
    for identifiant, lignes in personnes.items():
        premiere = lignes[0]
        for ligne in lignes[1:]:
            if ligne.date_naissance != premiere.date_naissance:
                resultat.erreur(
                    ligne.ligne,
                    "date_naissance",
                    f"{ligne.date_naissance:%d/%m/%Y}",
                    f"L'identifiant « {identifiant} » a une autre date de naissance "
                    f"à la ligne {premiere.ligne} "
                    f"({premiere.date_naissance:%d/%m/%Y}).",
                )
        periodes = [(lg.date_entree, lg.date_sortie, lg.ligne) for lg in lignes]
        participant = existant.participants.get(identifiant)
        if participant is not None:
            if participant.date_naissance != premiere.date_naissance:
                resultat.erreur(
                    premiere.ligne,
                    "date_naissance",
                    f"{premiere.date_naissance:%d/%m/%Y}",
                    f"Le participant « {identifiant} » déjà importé est né le "
                    f"{participant.date_naissance:%d/%m/%Y}.",
                )
            dans_fichier = {lg.date_entree for lg in lignes}
            periodes += [
                (p.date_entree, p.date_sortie, None)
                for p in autres_parcours.get(participant.pk, ())
                if p.date_entree not in dans_fichier
            ]
        periodes.sort(key=lambda p: (p[0], p[2] or 0))
        for avant, apres in zip(periodes, periodes[1:], strict=False):
            if avant[1] is None or avant[1] > apres[0]:
                ligne, autre = (apres[2], avant) if apres[2] else (avant[2], apres)
                quoi = f"la ligne {autre[2]}" if autre[2] else "un parcours déjà enregistré"
                debut = f"{autre[0]:%d/%m/%Y}"
                fin = f"{autre[1]:%d/%m/%Y}" if autre[1] else "en cours"
                resultat.erreur(
                    ligne,
                    "date_entree",
                    f"{apres[0]:%d/%m/%Y}",
                    f"Parcours qui se chevauchent pour « {identifiant} » : {quoi} ({debut} – {fin}).",
                )


def _doublons(resultat, plie, existant):
    """New people of the file who are probably participants already in the PLIE (or another PLIE
    of its OI) under no legacy id: reported, never merged (one query)."""
    from participants.models import Participant
    from plie.core.models import Structure

    nouveaux = {}
    for ligne in resultat.lignes:
        if ligne.identifiant not in existant.participants:
            nouveaux.setdefault(ligne.identifiant, ligne)
    if not nouveaux:
        return
    plie_ids = [plie.pk]
    if plie.oi_id:
        plie_ids = list(Structure.objects.plies().filter(oi_id=plie.oi_id).values_list("id", flat=True))
    naissances = {ligne.date_naissance for ligne in nouveaux.values()}
    candidats = defaultdict(list)
    for row in (
        Participant.objects.filter(plie_id__in=plie_ids)
        .exclude(Q(plie=plie) & ~Q(identifiant_externe=""))
        .values("id", "nom", "prenom", "nom_naissance", "date_naissance", "identifiant_externe", "plie__nom")
        .iterator(chunk_size=5000)
    ):
        if row["date_naissance"] in naissances:
            candidats[row["date_naissance"]].append(row)
    for ligne in nouveaux.values():
        for row in candidats.get(ligne.date_naissance, ()):
            if noms_similaires({"nom": ligne.nom, "prenom": ligne.prenom}, row):
                resultat.doublons.append(
                    [
                        ligne.ligne,
                        ligne.identifiant,
                        f"{ligne.nom.upper()} {ligne.prenom}, né(e) le {ligne.date_naissance:%d/%m/%Y}, "
                        f"ressemble à {row['nom'].upper()} {row['prenom']} (dossier n° {row['id']}, "
                        f"{row['plie__nom']}) : un nouveau dossier est créé, à rapprocher si besoin.",
                    ]
                )


def valider(binary, filename, plie, *, today=None, progress=None):
    """Validate the whole file for ``plie``; returns a :class:`Resultat` (its ``lignes`` are
    ready to write when ``valide``). ``progress(n)`` is called every few thousand rows."""
    resultat = Resultat()
    ctx = Contexte(plie, today=today)
    resultat.types_sortie = ctx.types_sortie
    vus = {}
    champs = parseurs()
    try:
        for line, row in lire(binary, filename):
            resultat.nb_lignes += 1
            if progress and resultat.nb_lignes % PROGRESS_EVERY == 0:
                progress(resultat.nb_lignes)
            ligne = _parse(resultat, ctx, line, row, champs)
            if ligne is None:
                continue
            key = (ligne.identifiant, ligne.date_entree)
            if key in vus:
                resultat.erreur(
                    line,
                    "date_entree",
                    f"{ligne.date_entree:%d/%m/%Y}",
                    f"Ligne en double : même identifiant et même date d'entrée qu'à la ligne {vus[key]}.",
                )
                continue
            vus[key] = line
            resultat.lignes.append(ligne)
    except FichierInvalide as exc:
        for message in exc.erreurs:
            resultat.erreur(exc.ligne, "", "", message)
        return resultat
    del vus
    resultat.existant = charger_existant(plie)
    _par_personne(resultat, resultat.existant)
    _doublons(resultat, plie, resultat.existant)
    resultat.erreurs.sort(key=lambda e: (e.ligne or 0, e.colonne))
    return resultat
