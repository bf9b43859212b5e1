"""Scoped reads of the operations' follow-up, computed in the database: the completeness board
of an operation and its counts across operations, occupancy (taux d'occupation) and results
against targets. Each function costs a fixed number of queries whatever the number of
enrolments (the counts are ``Count(filter=Q(...))`` aggregates, never Python loops).

Also the ``operations`` section of the annual bilan (:func:`bilan_operations`, read by
``reporting.bilan``). The caller decides who may read what (``operations.views_suivi``)."""

import calendar
import datetime
from dataclasses import dataclass, field

from django.db.models import Count, F, Q

from operations.completude import (
    delai_saisie_expression,
    entree_incomplete_expression,
    fenetre_sortie,
    manques_entree,
    q_entree_incomplete,
    q_sortie_a_renseigner,
    q_sortie_hors_delai,
    q_sortie_renseignee_dans_delai,
    q_sortie_renseignee_tard,
)
from operations.models import Inscription, Operation
from operations.nomenclatures import resultats, taux

# --- Completeness ---------------------------------------------------------------------------


def compteurs_completude(aujourd_hui, prefix=""):
    """The aggregates of the completeness board (for ``aggregate()`` or ``annotate()``):
    enrolments, incomplete entries (ineligible), exits, exit data to record within the window,
    past the window without data, recorded in time, recorded late."""
    return {
        "inscriptions": Count("pk"),
        "entrees_incompletes": Count("pk", filter=q_entree_incomplete(prefix)),
        "sorties": Count("pk", filter=Q(**{f"{prefix}date_sortie__isnull": False})),
        "sorties_a_renseigner": Count("pk", filter=q_sortie_a_renseigner(aujourd_hui, prefix)),
        "sorties_hors_delai": Count("pk", filter=q_sortie_hors_delai(aujourd_hui, prefix)),
        "sorties_renseignees": Count("pk", filter=q_sortie_renseignee_dans_delai()),
        "sorties_renseignees_tard": Count("pk", filter=q_sortie_renseignee_tard()),
    }


def _avec_delai(queryset):
    return queryset.annotate(delai_saisie=delai_saisie_expression())


def completude_operation(operation, aujourd_hui):
    """The board's counts for one operation (1 query)."""
    return _avec_delai(Inscription.objects.filter(operation=operation)).aggregate(
        **compteurs_completude(aujourd_hui)
    )


def inscriptions_incompletes(operation):
    """The operation's enrolments whose entry questionnaire is incomplete, by name (a queryset:
    the view paginates it, then :func:`avec_manques` lists each line's missing answers)."""
    return (
        Inscription.objects.filter(operation=operation)
        .annotate(incomplete=entree_incomplete_expression())
        .filter(incomplete=True)
        .select_related("participant", "operation", "parcours")
        .order_by("participant__nom", "participant__prenom", "pk")
    )


def avec_manques(inscriptions):
    """Attach ``manques`` (the French list of missing answers) to each enrolment — Python, on the
    rows already fetched (the participant is ``select_related``): no query."""
    for inscription in inscriptions:
        inscription.manques = manques_entree(inscription)
    return inscriptions


LIGNES_HORS_DELAI_MAX = 200


def sorties_sans_donnees(operation, aujourd_hui):
    """``(a_renseigner, hors_delai)``: exits without exit data still within the 4-week window
    (the most urgent first, each with ``fenetre.jours_restants``) and past it (the most recent
    first, at most :data:`LIGNES_HORS_DELAI_MAX` lines: the count is on the board); each line
    says (``reportee_dans``) whether the participant was carried into the next operation. 2 queries."""
    base = Inscription.objects.filter(operation=operation).select_related(
        "participant", "parcours", "report__operation"
    )
    a_renseigner = list(base.filter(q_sortie_a_renseigner(aujourd_hui)).order_by("date_sortie", "pk"))
    hors_delai = list(
        base.filter(q_sortie_hors_delai(aujourd_hui)).order_by("-date_sortie", "pk")[:LIGNES_HORS_DELAI_MAX]
    )
    for inscription in (*a_renseigner, *hors_delai):
        inscription.fenetre = fenetre_sortie(inscription.date_sortie, None, aujourd_hui)
        # carried into the next operation (``report_de``): still an exit of this one, to record
        report = getattr(inscription, "report", None)
        inscription.reportee_dans = report.operation.code if report is not None else ""
    return a_renseigner, hors_delai


def q_parcours_sorti_inscription_ouverte(prefix=""):
    """The enrolment is still open although its parcours has exited (on or after the entry):
    the participant has left the operation too, the exit date (and then the exit data within 4
    weeks) is still to record."""
    return Q(
        **{
            f"{prefix}date_sortie__isnull": True,
            f"{prefix}parcours__date_sortie__isnull": False,
            f"{prefix}parcours__date_sortie__gte": F(f"{prefix}date_entree"),
        }
    )


def parcours_sortis_inscription_ouverte(operation):
    """Open enrolments of ``operation`` whose parcours has exited, the oldest exit first, with
    ``parcours.date_sortie`` to propose as the enrolment's exit date (capped at the operation's
    end). 1 query."""
    rows = list(
        Inscription.objects.filter(operation=operation)
        .filter(q_parcours_sorti_inscription_ouverte())
        .select_related("participant", "parcours")
        .order_by("parcours__date_sortie", "pk")
    )
    for inscription in rows:
        inscription.date_sortie_proposee = min(inscription.parcours.date_sortie, operation.date_fin)
    return rows


def de_l_annee(operations, annee):
    """The operations whose period overlaps the civil year ``annee`` (the year the global board,
    the dashboards and the home page report on)."""
    return operations.filter(date_debut__year__lte=annee, date_fin__year__gte=annee)


# The counts the dashboards and the home page show (the board has more).
COMPTEURS_RESUME = ("inscriptions", "entrees_incompletes", "sorties_a_renseigner", "sorties_hors_delai")


def completude_par_plie(plie_ids, aujourd_hui):
    """``{plie id: {count: int}}`` (:data:`COMPTEURS_RESUME`) over the enrolments of each PLIE's
    operations of ``aujourd_hui``'s year: one grouped query, every PLIE present."""
    compteurs = compteurs_completude(aujourd_hui)
    lignes = {
        ligne.pop("operation__plie_id"): ligne
        for ligne in Inscription.objects.filter(
            operation__in=de_l_annee(Operation.objects.filter(plie_id__in=plie_ids), aujourd_hui.year)
        )
        .values("operation__plie_id")
        .annotate(**{cle: compteurs[cle] for cle in COMPTEURS_RESUME})
        .order_by()
    }
    zeros = dict.fromkeys(COMPTEURS_RESUME, 0)
    return {plie_id: lignes.get(plie_id, zeros) for plie_id in plie_ids}


def completude_par_operation(operations, aujourd_hui):
    """The completeness counts of each operation of ``operations`` (a queryset, already scoped)
    with a total line: ``(lignes, total)``; each line is the operation with its counts as
    attributes. 2 queries (the operations, one grouped aggregate; 1 without operation).

    The enrolments are selected by the operations' own conditions (a subquery), not by the list
    of their ids: with the literal ids, PostgreSQL joined the participants by a sequential scan of
    the whole table (77 ms for one PLIE at 100,000 participants, 3× at 300,000); with the
    subquery it fetches the enrolments' participants by primary key (24 ms, issue 17). The
    counts of an operation not in the list (created between the two queries) are ignored."""
    liste = list(operations.select_related("plie"))
    counts = {}
    if liste:  # no operation: no aggregate
        counts = {
            row["operation_id"]: row
            for row in _avec_delai(
                Inscription.objects.filter(operation__in=operations.order_by().values("pk"))
            )
            .values("operation_id")
            .annotate(**compteurs_completude(aujourd_hui))
            .order_by()
        }
    total = dict.fromkeys(compteurs_completude(aujourd_hui), 0)
    for operation in liste:
        row = counts.get(operation.pk, {})
        operation.compteurs = {key: row.get(key, 0) for key in total}
        for key in total:
            total[key] += operation.compteurs[key]
    return liste, total


# --- Occupancy ------------------------------------------------------------------------------


def fins_de_mois(debut, fin, jusqu_au=None):
    """The last day of each month of the period ``[debut, fin]`` (the last month ends on ``fin``
    when the period ends mid-month), not after ``jusqu_au`` (today: a month not over yet has no
    figure)."""
    jours = []
    annee, mois = debut.year, debut.month
    while True:
        jour = datetime.date(annee, mois, calendar.monthrange(annee, mois)[1])
        jour = min(jour, fin)
        if jour < debut or (jusqu_au is not None and jour > jusqu_au):
            break
        jours.append(jour)
        if jour >= fin:
            break
        annee, mois = (annee + 1, 1) if mois == 12 else (annee, mois + 1)
    return jours


def present_le(jour, prefix=""):
    """Enrolled on ``jour``: entered on or before, not left before (left that day still counts)."""
    return Q(**{f"{prefix}date_entree__lte": jour}) & (
        Q(**{f"{prefix}date_sortie__isnull": True}) | Q(**{f"{prefix}date_sortie__gte": jour})
    )


@dataclass
class Occupation:
    places: int | None
    mois: list  # [{"jour", "presents", "taux"}]
    referents: list = field(default_factory=list)  # [{"nom", "presents": [int per month]}]

    @property
    def taux_moyen(self):
        valeurs = [m["taux"] for m in self.mois if m["taux"] is not None]
        return sum(valeurs) / len(valeurs) if valeurs else None

    @property
    def presents_moyen(self):
        return sum(m["presents"] for m in self.mois) / len(self.mois) if self.mois else None


def occupation(operation, aujourd_hui, *, par_referent=True):
    """Participants enrolled on the last day of each month of the operation's period vs its
    places: ``taux d'occupation = présents / places`` (docs/domaine.md §7, seed 003 l.172: « nombre
    d'allocataires accompagnés le dernier jour de chaque mois »), ``None`` without places.

    Per référent: the référent of the enrolment's parcours **on that day** (the
    :class:`parcours.models.AffectationReferent` history: affectations never overlap, the next one
    starts the day after the previous ends); enrolments without a parcours or a référent that day
    are « Sans référent ». 1 query, 2 with ``par_referent``."""
    jours = fins_de_mois(operation.date_debut, operation.date_fin, aujourd_hui)
    base = Inscription.objects.filter(operation=operation)
    if not jours:
        return Occupation(operation.places, [])
    presents = base.aggregate(
        **{f"m{i}": Count("participant", distinct=True, filter=present_le(j)) for i, j in enumerate(jours)}
    )
    mois = [
        {"jour": j, "presents": presents[f"m{i}"], "taux": taux(presents[f"m{i}"], operation.places)}
        for i, j in enumerate(jours)
    ]
    result = Occupation(operation.places, mois)
    if not par_referent:
        return result
    a = "parcours__affectations__"
    rows = (
        base.filter(parcours__affectations__isnull=False)
        .values(
            f"{a}referent_id", f"{a}referent__first_name", f"{a}referent__last_name", f"{a}referent__email"
        )
        .annotate(
            **{
                f"m{i}": Count(
                    "participant",
                    distinct=True,
                    filter=present_le(j)
                    & Q(**{f"{a}date_debut__lte": j})
                    & (Q(**{f"{a}date_fin__isnull": True}) | Q(**{f"{a}date_fin__gte": j})),
                )
                for i, j in enumerate(jours)
            }
        )
        .order_by(f"{a}referent__last_name", f"{a}referent__first_name", f"{a}referent_id")
    )
    sans = [m["presents"] for m in mois]
    for row in rows:
        counts = [row[f"m{i}"] for i in range(len(jours))]
        if not any(counts):
            continue
        nom = f"{row[f'{a}referent__first_name']} {row[f'{a}referent__last_name']}".strip()
        result.referents.append({"nom": nom or row[f"{a}referent__email"], "presents": counts})
        sans = [s - c for s, c in zip(sans, counts, strict=True)]
    if any(sans):
        result.referents.append({"nom": "Sans référent", "presents": sans})
    return result


# --- Results against targets ----------------------------------------------------------------


def sorties_operation(operations):
    """The exits of the participants of ``operations`` (a queryset or ids), grouped by operation
    and exit type: ``[(operation_id, categorie, categorie_departement, validee, n)]``.

    An exit counts for an operation when the enrolment's parcours has exited (``Parcours.
    date_sortie`` is set: the exit is recorded, validated when its rule asks it) on or after the
    enrolment's entry and not after the operation's end — a parcours carried into next year's
    operation is not an exit of this year's. Exits are counted once per parcours. 1 query."""
    rows = (
        Inscription.objects.filter(
            operation__in=operations,
            parcours__date_sortie__isnull=False,
            parcours__date_sortie__gte=F("date_entree"),
            parcours__date_sortie__lte=F("operation__date_fin"),
        )
        .values(
            "operation_id",
            "parcours__sortie__type__categorie",
            "parcours__sortie__type__categorie_departement",
            "parcours__sortie__validee",
        )
        .annotate(n=Count("parcours", distinct=True))
        .order_by()
    )
    return [
        (
            row["operation_id"],
            row["parcours__sortie__type__categorie"],
            row["parcours__sortie__type__categorie_departement"] or "",
            bool(row["parcours__sortie__validee"]),
            row["n"],
        )
        for row in rows
    ]


def resultats_operation(operation):
    """Results against targets in the operation's own nomenclature
    (:func:`operations.nomenclatures.resultats`), plus the number of participants vs its
    target. 2 queries."""
    lignes = [(cat, dep, val, n) for _op, cat, dep, val, n in sorties_operation([operation.pk])]
    result = resultats(operation.nomenclature, lignes, operation)
    participants = Inscription.objects.filter(operation=operation).aggregate(
        n=Count("participant", distinct=True)
    )["n"]
    result["participants"] = participants
    result["objectif_participants"] = operation.objectif_participants
    result["taux_participants"] = taux(participants, operation.objectif_participants)
    return result


# --- The annual bilan (``reporting.bilan``) -------------------------------------------------


def _iso(day):
    return day.isoformat() if day else None


def operations_des_plie(plie_ids):
    """Every FSE operation of ``plie_ids``, whatever its period, in the bilan's order (1 query):
    read once by the bilan for its ``operations`` section (those overlapping the year, see
    :func:`bilan_operations`) and its ``fse`` section (their ids)."""
    return list(Operation.objects.filter(plie_id__in=plie_ids).order_by("plie_id", "date_debut", "code"))


def bilan_operations(plie_ids, debut, fin, aujourd_hui, *, operations=None):
    """The ``operations`` section of the annual bilan: each operation of ``plie_ids`` whose period
    overlaps ``[debut, fin]`` with its code, title, places, participants enrolled during the
    period, average occupancy over the period's month ends (within the operation's period, not
    after ``aujourd_hui``: ``présents moyens / places``, docs/domaine.md §7, seed 003 l.172) and results
    against targets in its own nomenclature (:func:`resultats_operation`'s rules). Plain JSON
    values (dates as ISO strings). 1 query when there is no operation, else 3 (one less when
    ``operations``, the PLIE's operations of :func:`operations_des_plie`, are given)."""
    if operations is None:
        operations = list(
            Operation.objects.filter(plie_id__in=plie_ids, date_debut__lte=fin, date_fin__gte=debut).order_by(
                "plie_id", "date_debut", "code"
            )
        )
    else:
        operations = [o for o in operations if o.date_debut <= fin and o.date_fin >= debut]
    if not operations:
        return []
    ids = [o.pk for o in operations]
    jours = fins_de_mois(debut, fin, aujourd_hui)
    pendant = Q(date_entree__lte=fin) & (Q(date_sortie__isnull=True) | Q(date_sortie__gte=debut))
    comptes = {
        row["operation_id"]: row
        for row in Inscription.objects.filter(operation_id__in=ids)
        .values("operation_id")
        .annotate(
            participants=Count("participant", distinct=True, filter=pendant),
            **{
                f"m{i}": Count("participant", distinct=True, filter=present_le(j))
                for i, j in enumerate(jours)
            },
        )
        .order_by()
    }
    sorties = {}
    for operation_id, categorie, departement, validee, n in sorties_operation(ids):
        sorties.setdefault(operation_id, []).append((categorie, departement, validee, n))
    result = []
    for operation in operations:
        row = comptes.get(operation.pk, {})
        presents = [
            row.get(f"m{i}", 0)
            for i, j in enumerate(jours)
            if operation.date_debut <= j <= operation.date_fin
        ]
        moyen = sum(presents) / len(presents) if presents else None
        table = resultats(operation.nomenclature, sorties.get(operation.pk, []), operation)
        result.append(
            {
                "code": operation.code,
                "intitule": operation.intitule,
                "date_debut": _iso(operation.date_debut),
                "date_fin": _iso(operation.date_fin),
                "nomenclature": operation.nomenclature,
                "places": operation.places,
                "objectif_participants": operation.objectif_participants,
                "participants": row.get("participants", 0),
                "presents_moyen": moyen,
                "taux_occupation_moyen": taux(moyen, operation.places) if moyen is not None else None,
                "sorties": table["sorties"],
                "resultats": table["classes"],
            }
        )
    return result
