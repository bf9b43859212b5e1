"""The plan de financement of an operation over a period: expenses by category and resources by
funder, forecast and realised, with the direct staff cost computed from the salaries and the
validated time sheets (``finances.couts`` states the formulas and the rounding)."""

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Sum

from finances import couts
from finances.enums import CategorieDepense, Financeur, ModeIndirects, Nature, StatutFiche
from finances.models import Affectation, Depense, LigneTemps, ParametresFinanciers, Ressource, Salaire

ZERO = Decimal("0")


@dataclass
class LignePersonnel:
    """The direct staff cost of one person for one month on the operation."""

    personnel: object
    mois: datetime.date
    mode: str
    heures_tracees: Decimal
    salaire: Decimal | None
    heures_travaillees: Decimal | None
    montant: Decimal


def couts_personnel(operation, debut, fin):
    """Per person and month of ``debut``–``fin``, the direct staff cost on ``operation``
    (3 queries: assignments, salaries, validated hours)."""
    affectations = list(
        Affectation.objects.filter(operation=operation)
        .actives(debut, fin)
        .select_related("personnel__user")
        .order_by("personnel__user__last_name", "date_debut")
    )
    personnel_ids = {a.personnel_id for a in affectations}
    salaires = {
        (s.personnel_id, s.mois): s
        for s in Salaire.objects.filter(
            personnel_id__in=personnel_ids, mois__gte=couts.premier_du_mois(debut), mois__lte=fin
        )
    }
    # validated hours per person and day: a day counts for the assignment covering it only
    # (a person whose mode changes within a month is not counted twice)
    heures = {}
    for personnel_id, jour, total in (
        LigneTemps.objects.filter(
            operation=operation,
            fiche__statut=StatutFiche.VALIDEE,
            fiche__personnel_id__in=personnel_ids,
            jour__range=(debut, fin),
        )
        .order_by()
        .values("fiche__personnel_id", "jour")
        .annotate(total=Sum("heures"))
        .values_list("fiche__personnel_id", "jour", "total")
    ):
        heures.setdefault(personnel_id, []).append((jour, total))
    lignes = []
    for affectation in affectations:
        a_debut, a_fin = max(affectation.date_debut, debut), min(affectation.date_fin, fin)
        regle = couts.Affect(affectation.mode, a_debut, a_fin, affectation.pourcentage)
        for month in couts.mois_de(a_debut, a_fin):
            salaire = salaires.get((affectation.personnel_id, month))
            tracees = sum(
                (
                    total
                    for jour, total in heures.get(affectation.personnel_id, ())
                    if jour.year == month.year and jour.month == month.month and a_debut <= jour <= a_fin
                ),
                ZERO,
            )
            montant = couts.cout_personnel_mois(
                month=month,
                salaire=salaire.total if salaire else None,
                heures_travaillees=salaire.heures_travaillees if salaire else None,
                affectation=regle,
                heures_tracees=tracees,
            )
            lignes.append(
                LignePersonnel(
                    affectation.personnel,
                    month,
                    affectation.mode,
                    tracees,
                    salaire.total if salaire else None,
                    salaire.heures_travaillees if salaire else None,
                    montant,
                )
            )
    return lignes


@dataclass
class Plan:
    operation: object
    debut: datetime.date
    fin: datetime.date
    parametres: ParametresFinanciers
    personnel: list
    depenses: dict  # (categorie, nature) -> Decimal
    ressources: dict  # (financeur, nature) -> Decimal
    lignes_depenses: list = field(default_factory=list)
    lignes_ressources: list = field(default_factory=list)

    def total_depenses(self, nature):
        return sum((v for (_, n), v in self.depenses.items() if n == nature), ZERO)

    def total_ressources(self, nature):
        return sum((v for (_, n), v in self.ressources.items() if n == nature), ZERO)

    def taux_fse(self, nature):
        return couts.taux(self.ressources.get((Financeur.FSE, nature), ZERO), self.total_depenses(nature))

    @property
    def categories(self):
        return [
            {
                "code": code,
                "libelle": label,
                "prevu": self.depenses.get((code, Nature.PREVU), ZERO),
                "realise": self.depenses.get((code, Nature.REALISE), ZERO),
            }
            for code, label in CategorieDepense.choices
        ]

    @property
    def financeurs(self):
        return [
            {
                "code": code,
                "libelle": label,
                "prevu": self.ressources.get((code, Nature.PREVU), ZERO),
                "realise": self.ressources.get((code, Nature.REALISE), ZERO),
                "taux_prevu": couts.taux(
                    self.ressources.get((code, Nature.PREVU), ZERO), self.total_depenses(Nature.PREVU)
                ),
                "taux_realise": couts.taux(
                    self.ressources.get((code, Nature.REALISE), ZERO), self.total_depenses(Nature.REALISE)
                ),
            }
            for code, label in Financeur.choices
        ]


def parametres_de(operation):
    """The operation's parameters (unsaved defaults when none: a 15 % flat rate)."""
    try:
        return operation.parametres_financiers
    except ParametresFinanciers.DoesNotExist:
        return ParametresFinanciers(operation=operation)


def plan(operation, debut=None, fin=None):
    """The plan of ``operation`` over ``debut``–``fin`` (default: its whole period). Forecast
    lines count whatever their date; realised lines when dated in the period. 7 queries."""
    debut, fin = debut or operation.date_debut, fin or operation.date_fin
    parametres = parametres_de(operation)
    personnel = couts_personnel(operation, debut, fin)
    lignes_depenses = list(
        Depense.objects.filter(operation=operation).order_by("nature", "categorie", "date", "pk")
    )
    lignes_depenses = [
        d for d in lignes_depenses if d.nature == Nature.PREVU or d.date is None or debut <= d.date <= fin
    ]
    lignes_ressources = list(
        Ressource.objects.filter(operation=operation).order_by("nature", "financeur", "pk")
    )
    depenses = {}
    for ligne in lignes_depenses:
        key = (ligne.categorie, ligne.nature)
        depenses[key] = depenses.get(key, ZERO) + couts.au_centime(ligne.montant)
    key = (CategorieDepense.PERSONNEL, Nature.REALISE)
    depenses[key] = depenses.get(key, ZERO) + sum((ligne.montant for ligne in personnel), ZERO)
    if parametres.mode_indirects == ModeIndirects.FORFAIT:
        for nature in Nature.values:
            base = depenses.get((CategorieDepense.PERSONNEL, nature), ZERO)
            depenses[(CategorieDepense.INDIRECTES, nature)] = couts.forfait_indirects(
                base, parametres.taux_forfaitaire
            )
    ressources = {}
    for ligne in lignes_ressources:
        key = (ligne.financeur, ligne.nature)
        ressources[key] = ressources.get(key, ZERO) + couts.au_centime(ligne.montant)
    return Plan(
        operation, debut, fin, parametres, personnel, depenses, ressources, lignes_depenses, lignes_ressources
    )
