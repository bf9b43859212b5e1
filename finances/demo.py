"""Demo data of the finances app, run by ``seed_demo`` after the operations' step.

Per PLIE, on its own operation of the last full year before the demo's « today »
(``ACC-2025``): the référents are assigned with their time traced per day and the animateur at a
fixed 50 %, each with a salary per month (gross 2 100–2 900 €, employer charges about 42 %,
151,67 h worked) and, for the référents, a year of weekly time sheets (Monday to Friday, 7 h a
day split between the operation and « hors opération »), signed and validated except the last
weeks of the year (left to sign or to validate, so the follow-up page has work); and a plan de
financement: forecast expenses and resources (FSE 60 %, Département, EPCI, autofinancement),
realised expenses and resources (the realised resources stay below the realised expenses).

Rows are written with ``bulk_create`` (no history, as for the other demo steps)."""

import datetime
from decimal import Decimal

from django.utils import timezone

from finances import couts, plan
from finances.enums import CategorieDepense, Financeur, ModeAffectation, Nature, StatutFiche
from finances.models import (
    Affectation,
    Depense,
    FicheTemps,
    LigneTemps,
    ParametresFinanciers,
    Personnel,
    Ressource,
    Salaire,
)
from operations.models import Operation
from plie.core.demo import BATCH_SIZE, demo_email
from plie.core.enums import Role
from plie.core.models import User

QUART = Decimal("0.25")
HEURES_MOIS = Decimal("151.67")
A_SIGNER, A_VALIDER = 2, 2  # the last weeks: to sign, then to validate


def create_finances(world):
    rng = world.random("finances")
    year = world.today.year - 1
    emails = {
        demo_email(role, plie.code) for plie in world.plies for role in (Role.DIRECTION, Role.ANIMATION)
    }
    staff = {user.email: user for user in User.objects.filter(email__in=emails)}
    for plie in world.plies:
        operation = Operation.objects.filter(plie=plie, porteur=plie, date_debut__year=year).first()
        if operation is None:
            continue
        direction = staff.get(demo_email(Role.DIRECTION, plie.code))
        animateur = staff.get(demo_email(Role.ANIMATION, plie.code))
        referents = world.referents.get(plie.id, [])
        personnels = Personnel.objects.bulk_create(
            [
                Personnel(
                    plie=plie,
                    user=u,
                    heures_jour=Decimal("7.00"),
                    responsable=direction,
                    fonction="Référent·e de parcours",
                )
                for u in referents
            ]
            + (
                [
                    Personnel(
                        plie=plie,
                        user=animateur,
                        heures_jour=Decimal("7.00"),
                        responsable=direction,
                        fonction="Animateur·rice du PLIE",
                    )
                ]
                if animateur
                else []
            )
        )
        debut, fin = operation.date_debut, operation.date_fin
        Affectation.objects.bulk_create(
            Affectation(
                personnel=p,
                operation=operation,
                mode=ModeAffectation.TEMPS_TRACE if p.user in referents else ModeAffectation.POURCENTAGE,
                pourcentage=None if p.user in referents else Decimal("50.00"),
                date_debut=debut,
                date_fin=fin,
            )
            for p in personnels
        )
        Salaire.objects.bulk_create(
            [
                Salaire(
                    personnel=p,
                    mois=month,
                    brut=brut,
                    charges=couts.au_centime(brut * Decimal("0.42")),
                    heures_travaillees=HEURES_MOIS,
                )
                for p in personnels
                for brut in [Decimal(rng.randrange(2100, 2900, 25))]
                for month in couts.mois_de(debut, fin)
            ],
            batch_size=BATCH_SIZE,
        )
        world.created["salaires"] += len(personnels) * 12
        _fiches(world, rng, [p for p in personnels if p.user in referents], operation, direction)
        _plan(rng, operation)
        world.created["plans de financement"] += 1


def _fiches(world, rng, personnels, operation, direction):
    mondays = []
    monday = couts.premier_du_mois(operation.date_debut)
    monday -= datetime.timedelta(days=monday.weekday())
    while monday <= operation.date_fin:
        mondays.append(monday)
        monday += datetime.timedelta(days=7)
    signed_at = timezone.make_aware(datetime.datetime.combine(operation.date_fin, datetime.time(17, 0)))
    fiches, days = [], []
    for personnel in personnels:
        for index, monday in enumerate(mondays):
            remaining = len(mondays) - index
            statut = StatutFiche.VALIDEE
            if remaining <= A_SIGNER:
                statut = StatutFiche.BROUILLON
            elif remaining <= A_SIGNER + A_VALIDER:
                statut = StatutFiche.SIGNEE
            fiche = FicheTemps(
                personnel=personnel,
                semaine=monday,
                statut=statut,
                signee_le=None if statut == StatutFiche.BROUILLON else signed_at,
                signee_par=None if statut == StatutFiche.BROUILLON else personnel.user,
                validee_le=signed_at if statut == StatutFiche.VALIDEE else None,
                validee_par=direction if statut == StatutFiche.VALIDEE else None,
            )
            fiches.append(fiche)
            days.append([monday + datetime.timedelta(days=i) for i in range(5)])
    FicheTemps.objects.bulk_create(fiches, batch_size=BATCH_SIZE)
    lignes = []
    for fiche, week in zip(fiches, days, strict=True):
        for day in week:
            on_op = (
                QUART * rng.randint(16, 26)
                if operation.date_debut <= day <= operation.date_fin
                else Decimal(0)
            )
            if on_op:
                lignes.append(LigneTemps(fiche=fiche, jour=day, operation=operation, heures=on_op))
            if Decimal(7) - on_op > 0:
                lignes.append(LigneTemps(fiche=fiche, jour=day, operation=None, heures=Decimal(7) - on_op))
    LigneTemps.objects.bulk_create(lignes, batch_size=BATCH_SIZE)
    world.created["fiches temps"] += len(fiches)


def _plan(rng, operation):
    ParametresFinanciers.objects.create(operation=operation, taux_forfaitaire=Decimal("15.00"))
    realised = plan.plan(operation)
    staff = realised.depenses[(CategorieDepense.PERSONNEL, Nature.REALISE)]
    forecast_staff = couts.au_centime(staff * Decimal("1.05"))
    fonctionnement = couts.au_centime(forecast_staff * Decimal("0.08"))
    Depense.objects.bulk_create(
        [
            Depense(
                operation=operation,
                categorie=CategorieDepense.PERSONNEL,
                nature=Nature.PREVU,
                libelle="Référents et animation",
                montant=forecast_staff,
            ),
            Depense(
                operation=operation,
                categorie=CategorieDepense.FONCTIONNEMENT,
                nature=Nature.PREVU,
                libelle="Locaux, déplacements, fournitures",
                montant=fonctionnement,
            ),
        ]
        + [
            Depense(
                operation=operation,
                categorie=CategorieDepense.FONCTIONNEMENT,
                nature=Nature.REALISE,
                libelle=f"Location de salle — {month:%m/%Y}",
                date=month.replace(day=28),
                montant=Decimal(rng.randrange(30000, 60000)) / 100,
            )
            for month in couts.mois_de(operation.date_debut, operation.date_fin)
        ]
    )
    forecast = plan.plan(operation)
    total_prevu, total_realise = (
        forecast.total_depenses(Nature.PREVU),
        forecast.total_depenses(Nature.REALISE),
    )
    parts = (
        (Financeur.FSE, Decimal("0.60")),
        (Financeur.DEPARTEMENT, Decimal("0.20")),
        (Financeur.EPCI, Decimal("0.10")),
    )
    ressources = [
        Ressource(
            operation=operation,
            financeur=f,
            nature=Nature.PREVU,
            montant=couts.au_centime(total_prevu * share),
        )
        for f, share in parts
    ]
    ressources.append(
        Ressource(
            operation=operation,
            financeur=Financeur.AUTOFINANCEMENT,
            nature=Nature.PREVU,
            montant=total_prevu - sum(r.montant for r in ressources),
        )
    )
    ressources += [
        Ressource(
            operation=operation,
            financeur=f,
            nature=Nature.REALISE,
            montant=couts.au_centime(total_realise * share * Decimal("0.95")),
        )
        for f, share in parts
    ]
    Ressource.objects.bulk_create(ressources)
