"""Demo data of the employer side, run by ``seed_demo`` after the parcours' step.

For each PLIE: the twelve employers the demo's contracts name (``parcours.demo.EMPLOYEURS``),
with a valid SIRET, a contact and a few exchanges; two offers each; mises en relation for some
of the participants in parcours, with every outcome (the hires point at the job étapes the
parcours step created, and their contracts are linked to their employer by
``services.contrats_lier``); three clause markets with participants placed and their monthly
hours (within 48 h a week). The shape follows the call for projects' targets (seed 004
l.2128–2149: 60 employers with an offer, 120 mises en relation; l.995–1008: 30 markets, 40 000
hours, for a whole PLIE and year — scaled down here)."""

import datetime
from decimal import Decimal

from entreprises import regles
from entreprises.enums import (
    ModaliteClause,
    SecteurEntreprise,
    SituationSixMois,
    StatutMiseEnRelation,
    StatutOffre,
    TailleEntreprise,
    TypeEchange,
    TypePartenaireConvention,
)
from parcours.demo import EMPLOYEURS
from parcours.enums import TypeContrat
from plie.core.demo import PLIE_COMMUNES

# name -> (NAF, sector, size, [(job title, ROME code, contract, hours)])
PROFILS = {
    "Boulangerie Martin": ("10.71C", SecteurEntreprise.COMMERCE, TailleEntreprise.TPE,
                           [("Vendeur en boulangerie", "D1106", TypeContrat.CDD, 28)]),
    "Clinique du Parc": ("86.10Z", SecteurEntreprise.SANTE, TailleEntreprise.MOYENNE,
                         [("Agent de service hospitalier", "J1301", TypeContrat.CDD, 35)]),
    "Transports Rhône Express": ("49.41A", SecteurEntreprise.TRANSPORT, TailleEntreprise.PETITE,
                                 [("Conducteur livreur", "N4105", TypeContrat.CDI, 35)]),
    "Propreté Services": ("81.21Z", SecteurEntreprise.PROPRETE, TailleEntreprise.MOYENNE,
                          [("Agent d'entretien", "K2204", TypeContrat.CDI, 24)]),
    "Supermarché Casino": ("47.11F", SecteurEntreprise.COMMERCE, TailleEntreprise.MOYENNE,
                           [("Employé de libre-service", "D1507", TypeContrat.CDD, 30)]),
    "Mairie": ("84.11Z", SecteurEntreprise.PUBLIC, TailleEntreprise.PETITE,
               [("Agent d'espaces verts", "A1203", TypeContrat.CONTRAT_AIDE, 26)]),
    "Logistique Sud": ("52.10B", SecteurEntreprise.TRANSPORT, TailleEntreprise.PETITE,
                       [("Préparateur de commandes", "N1103", TypeContrat.INTERIM, 35)]),
    "Restaurant Le Relais": ("56.10A", SecteurEntreprise.HOTELLERIE, TailleEntreprise.TPE,
                             [("Commis de cuisine", "G1602", TypeContrat.CDD, 35)]),
    "ETTI Adéquat Insertion": ("78.20Z", SecteurEntreprise.IAE, TailleEntreprise.PETITE,
                               [("Manœuvre BTP", "F1704", TypeContrat.IAE, 35)]),
    "Bâtiment Rénov'": ("43.39Z", SecteurEntreprise.BTP, TailleEntreprise.PETITE,
                        [("Maçon VRD", "F1703", TypeContrat.CDD, 35)]),
    "EHPAD Les Tilleuls": ("87.10A", SecteurEntreprise.SANTE, TailleEntreprise.PETITE,
                           [("Aide-soignant", "J1501", TypeContrat.CDI, 35)]),
    "Jardins de Cocagne": ("01.13Z", SecteurEntreprise.IAE, TailleEntreprise.PETITE,
                           [("Maraîcher", "A1414", TypeContrat.IAE, 26)]),
}  # fmt: skip
DONNEURS = ("Métropole", "Département", "Office public de l'habitat")
MISES_PAR_PLIE = 30


def create_entreprises(world):
    from entreprises.models import (
        ActionEntreprise,
        Contact,
        Convention,
        Echange,
        Employeur,
        HeuresMois,
        Marche,
        MiseEnRelation,
        Offre,
        Placement,
        PresenceAction,
        SuiviSixMois,
    )
    from entreprises.services import contrats_lier
    from parcours.models import Contrat, Parcours
    from plie.core.scoping import Scope

    rng = world.random("entreprises")
    for index, plie in enumerate(world.plies):
        commune, code_postal = PLIE_COMMUNES.get(plie.code, ("Lyon", "69003"))
        employeurs = Employeur.objects.bulk_create(
            [
                Employeur(
                    plie=plie,
                    siret=regles.with_luhn_key(f"{(1 + index % 9) * 10**8 + 1234567 * (n + 1):09d}0001"),
                    nom=nom,
                    code_naf=PROFILS[nom][0],
                    secteur=PROFILS[nom][1],
                    taille=PROFILS[nom][2],
                    adresse=f"{n + 2} rue de l'Industrie",
                    code_postal=code_postal,
                    commune=commune,
                )
                for n, nom in enumerate(EMPLOYEURS)
            ]
        )
        contacts = Contact.objects.bulk_create(
            [
                Contact(employeur=e, nom="Responsable", prenom="RH", fonction="Ressources humaines")
                for e in employeurs
            ]
        )
        Echange.objects.bulk_create(
            [
                Echange(
                    employeur=e,
                    contact=contacts[i],
                    type=rng.choice(list(TypeEchange)),
                    date=world.today - datetime.timedelta(days=rng.randint(5, 300)),
                    compte_rendu="Point sur les besoins de recrutement.",
                )
                for i, e in enumerate(employeurs)
                for _ in range(rng.randint(1, 3))
            ]
        )
        offres = []
        for e in employeurs:
            intitule, rome, contrat, heures = PROFILS[e.nom][3][0]
            for k in range(2):
                offres.append(
                    Offre(
                        plie=plie,
                        employeur=e,
                        intitule=intitule,
                        code_rome=rome,
                        type_contrat=contrat,
                        heures_hebdo=Decimal(heures),
                        lieu=commune,
                        code_postal=code_postal,
                        date_publication=world.today - datetime.timedelta(days=rng.randint(10, 200)),
                        postes=rng.randint(1, 3),
                        status=StatutOffre.OUVERTE if k == 0 else rng.choice(list(StatutOffre)),
                    )
                )
        offres = Offre.objects.bulk_create(offres)

        # mises en relation of participants in parcours, every outcome but the hire
        actifs = list(Parcours.objects.actifs().filter(plie=plie).order_by("pk")[: MISES_PAR_PLIE * 2])
        rng.shuffle(actifs)
        outcomes = [s for s in StatutMiseEnRelation if s != StatutMiseEnRelation.RETENU]
        mises = []
        for parcours in actifs[:MISES_PAR_PLIE]:
            offre = rng.choice(offres)
            status = rng.choice(outcomes)
            proposee = max(offre.date_publication, parcours.date_entree or offre.date_publication)
            mises.append(
                MiseEnRelation(
                    offre=offre,
                    participant_id=parcours.participant_id,
                    parcours=parcours,
                    status=status,
                    date_proposition=proposee,
                    date_resultat=None
                    if status == StatutMiseEnRelation.PROPOSEE
                    else proposee + datetime.timedelta(days=10),
                    motif="Expérience insuffisante" if status == StatutMiseEnRelation.NON_RETENU else "",
                )
            )
        # the hires: the job contracts the parcours step recorded, on an offer of their employer
        by_name = {e.nom: e for e in employeurs}
        first_offre = {}
        for offre in offres:
            first_offre.setdefault(offre.employeur_id, offre)
        for contrat in Contrat.objects.filter(etape__parcours__plie=plie).select_related("etape__parcours")[
            :12
        ]:
            employeur = by_name.get(contrat.employeur)
            if employeur is None:
                continue
            parcours = contrat.etape.parcours
            mises.append(
                MiseEnRelation(
                    offre=first_offre[employeur.pk],
                    participant_id=parcours.participant_id,
                    parcours=parcours,
                    status=StatutMiseEnRelation.RETENU,
                    date_proposition=contrat.date_debut - datetime.timedelta(days=20),
                    date_resultat=contrat.date_debut - datetime.timedelta(days=5),
                    etape=contrat.etape,
                )
            )
        MiseEnRelation.objects.bulk_create(mises, ignore_conflicts=True)
        contrats_lier(scope=Scope.system(plie.pk, label="démonstration"), plie_id=plie.pk)

        # three clause markets with participants placed and their hours
        btp = [
            e for e in employeurs if e.secteur in (SecteurEntreprise.BTP, SecteurEntreprise.IAE)
        ] or employeurs
        placed = list(Parcours.objects.filter(plie=plie, date_entree__isnull=False).order_by("-pk")[:12])
        for m, donneur in enumerate(DONNEURS):
            debut = datetime.date(world.today.year - 1, 1 + 3 * m, 1)
            marche = Marche.objects.create(
                plie=plie,
                donneur_ordre=donneur,
                reference=f"{debut.year}-CL-{m + 1:02d}",
                lot=str(m + 1),
                intitule=(
                    "Réhabilitation d'un groupe scolaire",
                    "Entretien des routes",
                    "Résidentialisation",
                )[m],
                attributaire=btp[m % len(btp)],
                heures_requises=rng.choice((800, 1200, 2500)),
                date_debut=debut,
                date_fin=debut.replace(year=debut.year + 1) - datetime.timedelta(days=1),
                reserve=m == 2,
                hors_btp=m == 2,
            )
            for parcours in placed[m * 4 : m * 4 + 4]:
                placement = Placement.objects.create(
                    marche=marche,
                    participant_id=parcours.participant_id,
                    modalite=rng.choice(list(ModaliteClause)),
                    date_debut=debut,
                )
                HeuresMois.objects.bulk_create(
                    [
                        HeuresMois(
                            placement=placement,
                            mois=datetime.date(
                                debut.year + (debut.month + k - 1) // 12, (debut.month + k - 1) % 12 + 1, 1
                            ),
                            heures=Decimal(rng.randint(60, 150)),
                        )
                        for k in range(rng.randint(2, 6))
                    ]
                )
        # six-month situations of about half the exits already due on the demo's « today »
        sortis = Parcours.objects.filter(
            plie=plie, date_sortie__isnull=False, date_sortie__lte=regles.add_months(world.today, -6)
        ).order_by("pk")[:40]
        situations = list(SituationSixMois)
        SuiviSixMois.objects.bulk_create(
            [
                SuiviSixMois(
                    parcours=parcours,
                    situation=rng.choice(situations),
                    date_releve=min(
                        regles.echeance_suivi(parcours.date_sortie) + datetime.timedelta(days=7),
                        world.today,
                    ),
                )
                for parcours in sortis
                if rng.random() < 0.5
            ]
        )
        # the employed ones whose job is better than at entry (FSE+ EECR06): one in three
        ameliores = SuiviSixMois.objects.filter(parcours__plie=plie, situation=SituationSixMois.EMPLOI)
        SuiviSixMois.objects.filter(
            pk__in=list(ameliores.order_by("pk").values_list("pk", flat=True))[::3]
        ).update(situation_amelioree=True)
        # partnership conventions: one per donneur d'ordre, signed when its market began, two with
        # employing structures (one still to sign)
        Convention.objects.bulk_create(
            [
                Convention(
                    plie=plie,
                    type_partenaire=TypePartenaireConvention.DONNEUR_ORDRE,
                    partenaire=donneur,
                    objet="Accompagnement de la clause d'insertion de ses marchés",
                    date_signature=datetime.date(world.today.year - 1, 1 + 3 * m, 1)
                    - datetime.timedelta(days=20),
                    date_debut=datetime.date(world.today.year - 1, 1 + 3 * m, 1),
                    date_fin=datetime.date(world.today.year + 1, 12, 31),
                )
                for m, donneur in enumerate(DONNEURS)
            ]
            + [
                Convention(
                    plie=plie,
                    type_partenaire=(
                        TypePartenaireConvention.SIAE
                        if e.secteur == SecteurEntreprise.IAE
                        else TypePartenaireConvention.EMPLOYEUR
                    ),
                    employeur=e,
                    objet="Étapes d'immersion pour les participants du PLIE",
                    date_signature=None if k else world.today - datetime.timedelta(days=90),
                    date_debut=world.today - datetime.timedelta(days=60 - 30 * k),
                )
                for k, e in enumerate(employeurs[:2])
            ]
        )
        # two partner actions with employers and their attendance sheets
        for a, (type_action, intitule) in enumerate(
            (("job_dating", "Job dating BTP"), ("visite", "Visite d'entreprise"))
        ):
            action = ActionEntreprise.objects.create(
                plie=plie,
                type=type_action,
                intitule=intitule,
                date=world.today - datetime.timedelta(days=30 + 60 * a),
                lieu=commune,
            )
            action.employeurs.set(rng.sample(employeurs, 3))
            PresenceAction.objects.bulk_create(
                [
                    PresenceAction(action=action, participant_id=p.participant_id, present=rng.random() < 0.8)
                    for p in actifs[MISES_PAR_PLIE : MISES_PAR_PLIE + 6]
                ]
            )
        world.created["employeurs"] += len(employeurs)
        world.created["offres d'emploi"] += len(offres)
        world.created["mises en relation"] += len(mises)
        world.created["marchés clausés"] += len(DONNEURS)
        world.created["conventions de partenariat"] += len(DONNEURS) + 2
