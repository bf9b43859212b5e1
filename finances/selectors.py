"""Scoped reads of the finances app: the weekly grid with its pre-fill, and the weeks still to
fill or sign.

Pre-fill (the hours a person already recorded that day, issue #19), only while the week has no
sheet yet, and always editable:

- their **entretiens** (``Entretien.referent`` is them, with a duration): the duration goes to
  the operation the participant is enrolled on that day, if the person is assigned to it that
  day, else to « hors opération »;
- the **collective sessions** they ran (``ActionCollective.animateur`` is their full name, the
  field being free text): from ``heure_debut`` to ``heure_fin``, else
  :data:`DUREE_ACTION_DEFAUT`, on the session's operation if they are assigned to it, else
  « hors opération »;
- the **commissions** held that day in their PLIE where a parcours they follow was on the
  agenda: :data:`DUREE_COMMISSION` « hors opération » (a commission serves the whole PLIE)."""

import datetime
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Prefetch, Q

from finances import temps
from finances.enums import ModeAffectation, StatutFiche
from finances.models import Affectation, FicheTemps, LigneTemps, Personnel
from operations.models import ActionCollective, Inscription
from parcours.enums import StatutCommission
from parcours.models import Decision, Entretien

DUREE_ACTION_DEFAUT = 120  # minutes
DUREE_COMMISSION = 120  # minutes
CENT = Decimal("0.01")


def fiche_courante(personnel, monday):
    """The current sheet of the week (its lines prefetched), or ``None``."""
    return (
        FicheTemps.objects.courantes()
        .filter(personnel=personnel, semaine=monday)
        .prefetch_related(Prefetch("lignes", queryset=LigneTemps.objects.order_by("jour")))
        .first()
    )


def lignes_operations(personnel, monday):
    """``{operation_id: temps.LigneOperation}`` of the operations the person is assigned to during
    the week (one query)."""
    sunday = monday + datetime.timedelta(days=6)
    lignes = {}
    for affectation in (
        Affectation.objects.filter(personnel=personnel).actives(monday, sunday).select_related("operation")
    ):
        op = affectation.operation
        ligne = lignes.get(op.pk) or temps.LigneOperation(op.pk, op.code, op.date_debut, op.date_fin, ())
        lignes[op.pk] = temps.LigneOperation(
            op.pk,
            op.code,
            op.date_debut,
            op.date_fin,
            (*ligne.affectations, (affectation.date_debut, affectation.date_fin)),
        )
    return dict(sorted(lignes.items(), key=lambda item: item[1].code))


def _heures(minutes):
    return (Decimal(minutes) / 60).quantize(CENT, rounding=ROUND_HALF_UP)


def suggestions(personnel, monday, operations):
    """``{(jour, operation_id | None): Decimal hours}`` pre-filled from what the person recorded
    during the week (4 queries: entretiens, enrolments of their participants, collective
    sessions, commissions); see the module docstring."""
    sunday = monday + datetime.timedelta(days=6)
    user = personnel.user
    minutes = {}

    def assigned(operation_id, day):
        ligne = operations.get(operation_id)
        return ligne is not None and any(d <= day <= f for d, f in ligne.affectations)

    def add(day, operation_id, value):
        key = (day, operation_id)
        minutes[key] = minutes.get(key, 0) + value

    entretiens = list(
        Entretien.objects.filter(
            referent=user,
            date__range=(monday, sunday),
            duree_minutes__gt=0,
            parcours__plie_id=personnel.plie_id,
        ).values_list("date", "duree_minutes", "parcours__participant_id")
    )
    if entretiens:
        enrolments = {}
        for participant_id, operation_id, entree, sortie in (
            Inscription.objects.filter(
                participant_id__in={p for _, _, p in entretiens},
                operation_id__in=list(operations),
                date_entree__lte=sunday,
            )
            .filter(Q(date_sortie__isnull=True) | Q(date_sortie__gte=monday))
            .values_list("participant_id", "operation_id", "date_entree", "date_sortie")
        ):
            enrolments.setdefault(participant_id, []).append((operation_id, entree, sortie))
        for day, duree, participant_id in entretiens:
            target = next(
                (
                    op
                    for op, entree, sortie in enrolments.get(participant_id, ())
                    if entree <= day and (sortie is None or day <= sortie) and assigned(op, day)
                ),
                None,
            )
            add(day, target, duree)

    nom = f"{user.first_name} {user.last_name}".strip()
    if nom:
        actions = ActionCollective.objects.filter(
            operation__plie_id=personnel.plie_id, date__range=(monday, sunday), animateur__iexact=nom
        ).values_list("date", "operation_id", "heure_debut", "heure_fin")
        for day, operation_id, debut, fin in actions:
            duree = DUREE_ACTION_DEFAUT
            if debut and fin and fin > debut:
                duree = (fin.hour * 60 + fin.minute) - (debut.hour * 60 + debut.minute)
            add(day, operation_id if assigned(operation_id, day) else None, duree)

    for day in (
        Decision.objects.filter(
            parcours__referent=user,
            commission__plie_id=personnel.plie_id,
            commission__status=StatutCommission.TENUE,
            commission__date__range=(monday, sunday),
        )
        .values_list("commission__date", flat=True)
        .distinct()
    ):
        add(day, None, DUREE_COMMISSION)

    return {key: _heures(value) for key, value in minutes.items()}


@dataclass
class Grille:
    """The weekly grid: one row per assigned operation then « hors opération », 7 days."""

    personnel: Personnel
    semaine: datetime.date
    fiche: FicheTemps | None
    operations: dict
    jours: list
    valeurs: dict  # (jour, operation_id | None) -> Decimal
    prerempli: bool
    versions: list = field(default_factory=list)

    @property
    def operations_lignes(self):
        """``{operation_id: code}`` of the grid's operation rows (assigned, or already in the
        sheet)."""
        return dict(self._rows())

    def _rows(self):
        rows = [(op_id, ligne.code) for op_id, ligne in self.operations.items()]
        extra = {op for (_, op) in self.valeurs if op is not None and op not in self.operations}
        return rows + [(op_id, f"n° {op_id}") for op_id in sorted(extra)]

    @property
    def lignes(self):
        rows = [*self._rows(), (None, temps.HORS_OPERATION)]
        return [
            {
                "operation_id": op_id,
                "libelle": libelle,
                "cellules": [
                    {"jour": day, "name": cell_name(op_id, day), "valeur": self.valeurs.get((day, op_id))}
                    for day in self.jours
                ],
                "total": sum((self.valeurs.get((day, op_id), Decimal(0)) for day in self.jours), Decimal(0)),
            }
            for op_id, libelle in rows
        ]

    @property
    def totaux_jours(self):
        return [sum((v for (d, _), v in self.valeurs.items() if d == day), Decimal(0)) for day in self.jours]

    @property
    def total(self):
        return sum(self.valeurs.values(), Decimal(0))


def cell_name(operation_id, day):
    return f"h-{operation_id or 'hors'}-{day:%Y-%m-%d}"


def grille(personnel, monday):
    """The grid of ``personnel``'s week (6 queries with the pre-fill, 3 once a sheet exists:
    assignments, current sheet, its lines; + the sheet's versions)."""
    operations = lignes_operations(personnel, monday)
    fiche = fiche_courante(personnel, monday)
    if fiche is not None:
        fiche.personnel = personnel
        valeurs = {(ligne.jour, ligne.operation_id): ligne.heures for ligne in fiche.lignes.all()}
        prerempli = False
    else:
        valeurs = suggestions(personnel, monday, operations)
        prerempli = bool(valeurs)
    versions = list(
        FicheTemps.objects.filter(personnel=personnel, semaine=monday, statut=StatutFiche.REMPLACEE)
        .select_related("signee_par", "validee_par")
        .order_by("version")
    )
    return Grille(
        personnel, monday, fiche, operations, temps.jours_semaine(monday), valeurs, prerempli, versions
    )


def personnel_de(scope, user, plie_id=None):
    """The staff records of ``user`` visible to ``scope`` (the person's own PLIE)."""
    qs = Personnel.objects.visible_to(scope).filter(user=user).select_related("plie", "user", "responsable")
    if plie_id is not None:
        qs = qs.filter(plie_id=plie_id)
    return qs


def _attente(personnels, debut, today):
    """``[(personnel, monday, état)]`` for ``personnels`` since ``debut`` (2 queries: their traced
    assignments, their current sheets)."""
    periodes = {}
    for personnel_id, d, f in (
        Affectation.objects.filter(personnel__in=personnels, mode=ModeAffectation.TEMPS_TRACE)
        .actives(debut, today)
        .order_by()
        .values_list("personnel_id", "date_debut", "date_fin")
    ):
        periodes.setdefault(personnel_id, []).append((d, f))
    statuts = {
        (personnel_id, semaine): statut
        for personnel_id, semaine, statut in FicheTemps.objects.courantes()
        .filter(personnel__in=personnels, semaine__gte=debut)
        .order_by()
        .values_list("personnel_id", "semaine", "statut")
    }
    attente = []
    for personnel in personnels:
        weeks = set()
        for d, f in periodes.get(personnel.pk, ()):
            weeks.update(temps.semaines_a_suivre(max(d, debut), f, today))
        for monday in sorted(weeks):
            etat = temps.etat_semaine(statuts.get((personnel.pk, monday)))
            if etat:
                attente.append((personnel, monday, etat))
    return attente


def semaines_en_attente(scope, plie_id, today, nb_semaines=8):
    """The weeks of the last ``nb_semaines`` that a person with a traced assignment has not
    filled, signed or had validated: ``[(personnel, monday, état)]`` (3 queries: staff, their
    traced assignments, their sheets)."""
    debut = temps.lundi(today) - datetime.timedelta(weeks=nb_semaines - 1)
    personnels = list(
        Personnel.objects.visible_to(scope).filter(plie_id=plie_id).select_related("user", "responsable")
    )
    return _attente(personnels, debut, today)


def semaines_en_attente_de(personnel, today, nb_semaines=8):
    """The same for one person (2 queries): what they still have to fill or sign."""
    debut = temps.lundi(today) - datetime.timedelta(weeks=nb_semaines - 1)
    return [(monday, etat) for _, monday, etat in _attente([personnel], debut, today)]


def ressources_par_financeur(plie_ids):
    """Per PLIE of ``plie_ids`` and in total, the resources by funder, forecast and realised
    (2 queries)."""
    from django.db.models import Sum

    from finances.enums import Financeur, Nature
    from finances.models import Ressource
    from plie.core.models import Structure

    plies = list(Structure.objects.filter(pk__in=plie_ids).order_by("nom"))
    montants = {
        (row["operation__plie_id"], row["financeur"], row["nature"]): row["total"]
        for row in Ressource.objects.filter(operation__plie_id__in=plie_ids)
        .order_by()
        .values("operation__plie_id", "financeur", "nature")
        .annotate(total=Sum("montant"))
    }
    zero = Decimal("0")

    def ligne(ids, code):
        return {
            nature: sum((montants.get((pid, code, nature), zero) for pid in ids), zero)
            for nature in Nature.values
        }

    all_ids = [p.pk for p in plies]
    return {
        "plies": [
            {"plie": p, "financeurs": [(label, ligne([p.pk], code)) for code, label in Financeur.choices]}
            for p in plies
        ],
        "total": [(label, ligne(all_ids, code)) for code, label in Financeur.choices],
    }
