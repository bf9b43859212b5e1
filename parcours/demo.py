"""Demo data of the parcours app, run by ``seed_demo`` after the participants' step.

Proportions follow the national PLIE figures of docs/domaine.md §7 (seed 001 l.444-575): about 30 % of
the people in parcours enter in a year; parcours last 26 months on average; of the exits,
42 % are positive (emploi durable, qualifiante, autres), 21 % abandons, 8 % neutralised
(déménagement, décès, retraite…) and the rest other exits; 1.82 étapes per participant and year.
Every admitted parcours went through a monthly commission d'intégration; job exits carry the
contract that validated them. Entretiens cover the last six months of each parcours, about one
a month, so a référent's workspace looks lived-in without making the seed slow.

Everything is dated relative to the demo's « today » (``world.today``): next appointments from
ten days before it to a month after, through the day; about one parcours in progress in eight
has lost contact (no entretien for 32 to 75 days) and four in ten in employment follow-up have
held their contract six months (the exit is to validate), so the nightly alerts have work on
the day the demo is loaded. Those draws come from their own generator
(``world.random("parcours-aujourdhui")``): the rest of the world does not depend on them."""

import datetime
import math

from django.utils import timezone

from parcours.enums import (
    ModeEntretien,
    ObjetPassage,
    StatutCommission,
    StatutParcours,
    TypeContrat,
    TypeDecision,
)
from plie.core.demo import bulk_insert

DUREE_MOYENNE_MOIS = 26
# exit code -> weight (per 100 exits), national shape
SORTIES = {
    "CDI": 12,
    "CDD_6M": 7,
    "INTERIM_6M": 3,
    "CONTRATS_SUCCESSIFS": 1,
    "CREATION_ENTREPRISE": 1,
    "FORMATION_QUALIFIANTE": 8,
    "CONTRAT_AIDE": 6,
    "AUTRE_POSITIVE": 4,
    "ABANDON": 15,
    "NON_RESPECT_CONTRAT": 6,
    "DEMENAGEMENT": 5,
    "DECES": 1,
    "RETRAITE": 1,
    "MATERNITE": 1,
    "REORIENTATION": 14,
    "SANTE": 9,
    "AUTRE": 6,
}
CONTRAT_DE_SORTIE = {
    "CDI": (TypeContrat.CDI, "emploi-durable"),
    "CDD_6M": (TypeContrat.CDD, "emploi-durable"),
    "INTERIM_6M": (TypeContrat.INTERIM, "emploi-parcours"),
    "CONTRATS_SUCCESSIFS": (TypeContrat.CDD, "emploi-parcours"),
    "CREATION_ENTREPRISE": (TypeContrat.CREATION, "creation-entreprise"),
    "CONTRAT_AIDE": (TypeContrat.CONTRAT_AIDE, "contrat-aide-pec"),
    "AUTRE_POSITIVE": (TypeContrat.IAE, "contrat-aci"),
}
EMPLOYEURS = [
    "Boulangerie Martin",
    "Clinique du Parc",
    "Transports Rhône Express",
    "Propreté Services",
    "Supermarché Casino",
    "Mairie",
    "Logistique Sud",
    "Restaurant Le Relais",
    "ETTI Adéquat Insertion",
    "Bâtiment Rénov'",
    "EHPAD Les Tilleuls",
    "Jardins de Cocagne",
]
ETAPES_COURANTES = [
    "atelier-mobilisation",
    "bilan-orientation",
    "mediation-iod",
    "immersion-pmsmp",
    "formation-qualifiante",
    "contrat-aci",
    "mission-ai",
    "emploi-parcours",
    "freins-mobilite",
    "freins-logement",
]
MODES = (
    [ModeEntretien.INDIVIDUEL] * 6
    + [ModeEntretien.TELEPHONE] * 3
    + [ModeEntretien.COLLECTIF, ModeEntretien.VISIO]
)


SANS_CONTACT_SHARE = 0.12  # of the parcours in progress, without an entretien for over a month
SORTIE_VALIDABLE_SHARE = 0.4  # of those in employment follow-up, with a contract long enough to validate
RDV_HOURS = [{"hour": h, "minute": m} for h in (9, 10, 11, 14, 15, 16) for m in (0, 30)]


def _days(a, b):
    return (b - a).days


def _job_days(code):
    """How long the job of a job exit lasted before the exit: enough for the default rule
    (6 months, 39 weeks for successive contracts, 12 months for contrats aidés and other
    positive exits), with a margin."""
    if code in ("CONTRAT_AIDE", "AUTRE_POSITIVE"):
        return 380
    return 280 if code == "CONTRATS_SUCCESSIFS" else 195


def _commission_date(plie_sessions, before):
    """The last monthly session (the 15th) strictly before ``before``."""
    day = before.replace(day=15)
    if day >= before:
        month = day.month - 1 or 12
        day = day.replace(year=day.year - (day.month == 1), month=month)
    plie_sessions.add(day)
    return day


def create_parcours(world):
    from parcours.models import (
        AffectationReferent,
        Commission,
        Contrat,
        Decision,
        Entretien,
        Etape,
        Parcours,
        Sortie,
        Suspension,
        TypeEtape,
        TypeSortie,
    )
    from parcours.referentiels import create_default_referentiels
    from participants.models import SituationEntree

    rng = world.random("parcours")
    # what makes the world look like today (lost contacts, appointment hours, exits to validate):
    # its own generator, so the rest of the world is what it was before it was added
    today_rng = world.random("parcours-aujourdhui")
    for plie in world.plies:
        create_default_referentiels(plie)
    types_sortie = {(t.plie_id, t.code): t for t in TypeSortie.objects.filter(plie__in=world.plies)}
    types_etape = {t.code: t for t in TypeEtape.objects.filter(plie__isnull=True)}
    codes, weights = list(SORTIES), list(SORTIES.values())
    prescripteurs = {
        plie.id: [s for s in world.partners.get(plie.id, []) if s.kind == "prescripteur"]
        for plie in world.plies
    }
    operateurs = {
        plie.id: [s for s in world.partners.get(plie.id, []) if s.kind == "operateur"] for plie in world.plies
    }
    entries = dict(
        SituationEntree.objects.filter(participant__plie__in=world.plies).values_list(
            "participant_id", "date_entree"
        )
    )
    sessions = {plie.id: set() for plie in world.plies}
    now = timezone.make_aware(datetime.datetime.combine(world.today, datetime.time(10)))

    # 1. Parcours (one per participant; candidates for a third of those without a questionnaire)
    plans = []  # (parcours, exit code or None, status detail)
    schedule = {}  # id(parcours object) -> entretien dates
    rows = world_participants(world)
    for pid, plie_id in rows:
        referent = rng.choice(world.referents[plie_id])
        prescripteur = rng.choice(prescripteurs[plie_id]) if prescripteurs[plie_id] else None
        entree = entries.get(pid)
        if entree is None:
            if rng.random() < 0.33:
                orientation = world.today - datetime.timedelta(days=rng.randint(5, 80))
                plans.append(
                    (
                        Parcours(
                            participant_id=pid,
                            plie_id=plie_id,
                            status=StatutParcours.CANDIDAT,
                            prescripteur=prescripteur,
                            date_orientation=orientation,
                            referent=referent,
                            projet="Projet à préciser",
                            motif_orientation="Orientation par le prescripteur",
                        ),
                        None,
                        None,
                    )
                )
            continue
        commission = _commission_date(sessions[plie_id], entree)
        duree_jours = int(rng.expovariate(1 / (DUREE_MOYENNE_MOIS * 30.44)))
        sortie = entree + datetime.timedelta(days=max(duree_jours, 30))
        code = None
        status = StatutParcours.EN_PARCOURS
        if sortie <= world.today:
            code = rng.choices(codes, weights)[0]
            status = StatutParcours.SORTI
            if code in CONTRAT_DE_SORTIE:  # the job lasted long enough to meet its rule
                sortie = max(sortie, entree + datetime.timedelta(days=_job_days(code) + 5))
                if sortie > world.today:
                    code, sortie, status = None, None, StatutParcours.EN_SUIVI_EMPLOI
        else:
            sortie = None
            draw = rng.random()
            if draw < 0.06 and _days(entree, world.today) > 60:
                status = StatutParcours.EN_SUIVI_EMPLOI
            elif draw < 0.09:
                status = StatutParcours.SUSPENDU
        parcours = Parcours(
            participant_id=pid,
            plie_id=plie_id,
            status=status,
            referent=referent,
            prescripteur=prescripteur,
            date_orientation=commission - datetime.timedelta(days=rng.randint(10, 60)),
            motif_orientation="Orientation par le prescripteur",
            projet="Accès à un emploi durable",
            date_commission=commission,
            date_entree=entree,
            date_signature_contrat=entree,
            date_sortie=sortie,
        )
        # entretiens of the last six months, scheduled now so the workspace's denormalised dates
        # (dernier_contact, prochain_rdv) are written with the parcours, not updated afterwards
        fin = sortie or world.today
        day = max(entree, fin - datetime.timedelta(days=182))
        schedule[id(parcours)] = days = []
        for _ in range(max(1, math.ceil(_days(day, fin) / 30))):
            day = min(day + datetime.timedelta(days=rng.randint(18, 40)), fin)
            days.append(day)
        if status == StatutParcours.EN_PARCOURS and today_rng.random() < SANS_CONTACT_SHARE:
            # contact lost: no entretien for 32 to 75 days (the first one kept)
            lapsed = world.today - datetime.timedelta(days=today_rng.randint(32, 75))
            days[1:] = [d for d in days[1:] if d <= lapsed]
        parcours.dernier_contact = days[-1]
        if sortie is None:
            parcours.prochain_rdv = now + datetime.timedelta(days=rng.randint(-10, 30))
            # appointments through the day, not all at 10:00
            parcours.prochain_rdv = parcours.prochain_rdv.replace(**today_rng.choice(RDV_HOURS))
        plans.append((parcours, code, status))
    created = bulk_insert(Parcours, (p for p, _, _ in plans))
    for (parcours, _, _), saved in zip(plans, created, strict=True):
        parcours.pk = saved.pk
    world.created["parcours"] += len(created)

    # 2. Commissions and their admission decisions
    commission_ids = {}
    for plie_id, days in sessions.items():
        objs = [
            Commission(
                plie_id=plie_id,
                date=day,
                lieu="Salle du conseil",
                status=StatutCommission.TENUE,
                membres="Chargée de mission PLIE\nFrance Travail\nDépartement\nMission Locale",
            )
            for day in sorted(days)
        ]
        for commission in bulk_insert(Commission, objs):
            commission_ids[(plie_id, commission.date)] = commission.pk
    world.created["commissions"] += len(commission_ids)
    admitted = [p for p, _, _ in plans if p.date_entree]
    world.created["décisions"] += len(
        bulk_insert(
            Decision,
            (
                Decision(
                    commission_id=commission_ids[(p.plie_id, p.date_commission)],
                    parcours_id=p.pk,
                    objet=ObjetPassage.CANDIDATURE,
                    decision=TypeDecision.ADMIS,
                    motif="Projet validé",
                    decided_at=now,
                )
                for p in admitted
            ),
        )
    )
    bulk_insert(
        AffectationReferent,
        (
            AffectationReferent(parcours_id=p.pk, referent_id=p.referent_id, date_debut=p.date_entree)
            for p in admitted
        ),
    )

    # 3. Étapes (with contracts for jobs), exits, suspensions
    etapes, contrats_for, sorties, suspensions = [], [], [], []
    for parcours, code, status in plans:
        if not parcours.date_entree:
            continue
        fin = parcours.date_sortie or world.today
        span = max(_days(parcours.date_entree, fin), 1)
        job_start = None
        if code in CONTRAT_DE_SORTIE or status == StatutParcours.EN_SUIVI_EMPLOI:
            days = _job_days(code) if code else rng.randint(30, 150)
            if not code and today_rng.random() < SORTIE_VALIDABLE_SHARE:
                days = today_rng.randint(190, 240)  # six months of contract: the exit is to validate
            job_start = max(parcours.date_entree, fin - datetime.timedelta(days=days))
        count = max(0, round(rng.gauss(1.82 * span / 365, 0.8)))
        last_start = parcours.date_entree
        for _ in range(count):
            start = parcours.date_entree + datetime.timedelta(days=rng.randrange(span))
            if job_start and start >= job_start:
                continue
            end = min(start + datetime.timedelta(days=rng.randint(14, 150)), fin)
            operateur = rng.choice(operateurs[parcours.plie_id]) if operateurs[parcours.plie_id] else None
            etapes.append(
                Etape(
                    parcours_id=parcours.pk,
                    type=types_etape[rng.choice(ETAPES_COURANTES)],
                    operateur=operateur,
                    date_debut=start,
                    date_fin_prevue=end,
                    date_fin=end if end < world.today else None,
                    resultat="Réalisée",
                )
            )
            contrats_for.append(None)
            last_start = max(last_start, start)
        if job_start:
            type_contrat, type_etape = CONTRAT_DE_SORTIE.get(code, (TypeContrat.CDI, "emploi-durable"))
            etapes.append(Etape(parcours_id=parcours.pk, type=types_etape[type_etape], date_debut=job_start))
            contrats_for.append((type_contrat, rng.choice(EMPLOYEURS), job_start))
            last_start = max(last_start, job_start)
        if code == "FORMATION_QUALIFIANTE":  # validated at the end of the training
            debut = max(parcours.date_entree, fin - datetime.timedelta(days=rng.randint(60, 170)))
            etapes.append(
                Etape(
                    parcours_id=parcours.pk,
                    type=types_etape["formation-qualifiante"],
                    date_debut=debut,
                    date_fin_prevue=fin,
                    date_fin=fin,
                    resultat="Qualification obtenue",
                )
            )
            contrats_for.append(None)
            last_start = max(last_start, debut)
        if code:
            sorties.append(
                Sortie(
                    parcours_id=parcours.pk,
                    type=types_sortie[(parcours.plie_id, code)],
                    date_sortie=max(parcours.date_sortie, last_start),
                    validee=True,
                    date_validation=max(parcours.date_sortie, last_start),
                )
            )
        elif status == StatutParcours.EN_SUIVI_EMPLOI:
            sorties.append(
                Sortie(
                    parcours_id=parcours.pk,
                    type=types_sortie[(parcours.plie_id, "CDI")],
                    date_sortie=world.today,
                    validee=False,
                )
            )
        elif status == StatutParcours.SUSPENDU:
            start = world.today - datetime.timedelta(days=rng.randint(5, 80))
            suspensions.append(
                Suspension(
                    parcours_id=parcours.pk,
                    motif=rng.choice(["sante", "famille"]),
                    date_debut=max(start, parcours.date_entree),
                    date_fin=world.today + datetime.timedelta(days=rng.randint(10, 90)),
                )
            )
    saved_etapes = bulk_insert(Etape, etapes)
    bulk_insert(
        Contrat,
        (
            Contrat(
                etape_id=etape.pk,
                type_contrat=spec[0],
                employeur=spec[1],
                date_debut=spec[2],
                heures_hebdo=35,
            )
            for etape, spec in zip(saved_etapes, contrats_for, strict=True)
            if spec
        ),
    )
    world.created["étapes"] += len(saved_etapes)
    world.created["sorties"] += len(bulk_insert(Sortie, sorties))
    bulk_insert(Suspension, suspensions)

    # 4. The entretiens scheduled in step 1
    def entretiens():
        for parcours, _, _ in plans:
            for day in schedule.get(id(parcours), ()):
                yield Entretien(
                    parcours_id=parcours.pk,
                    date=day,
                    mode=rng.choice(MODES),
                    duree_minutes=rng.choice([30, 45, 60]),
                    referent_id=parcours.referent_id,
                    sujets=[rng.choice(["projet", "recherche_emploi", "freins", "suivi_emploi"])],
                    notes="Point d'étape.",
                )

    world.created["entretiens"] += len(bulk_insert(Entretien, entretiens()))


def world_participants(world):
    from participants.models import Participant

    return (
        Participant.objects.filter(plie__in=world.plies)
        .order_by("id")
        .values_list("id", "plie_id")
        .iterator()
    )


# Partner accounts (issue 16): a France Travail conseiller who orients people into the first PLIE,
# and a référent employed by its ACI (an opérateur) to whom a few parcours are assigned.
PARTNER_ACCOUNTS_ASSIGNED = 5


def create_partner_accounts(world):
    from django.contrib.auth.hashers import make_password

    from parcours.models import Parcours
    from plie.core.demo import DEMO_EMAIL_DOMAIN, DEMO_PASSWORD
    from plie.core.enums import Role, StructureKind
    from plie.core.models import Membership, User

    if not world.plies:
        return
    plie = world.plies[0]
    partners = world.partners.get(plie.id, [])
    prescripteur = next((s for s in partners if s.kind == StructureKind.PRESCRIPTEUR), None)
    operateur = next((s for s in partners if s.kind == StructureKind.OPERATEUR), None)
    password = world.password_hash or make_password(DEMO_PASSWORD)
    for structure, email, first_name in (
        (prescripteur, f"conseiller@francetravail-{plie.code}.{DEMO_EMAIL_DOMAIN}", "Conseiller"),
        (operateur, f"referent@operateur-{plie.code}.{DEMO_EMAIL_DOMAIN}", "Référent"),
    ):
        if structure is None:
            continue
        user = User.objects.create(
            email=email, first_name=first_name, last_name=structure.nom, password=password
        )
        Membership.objects.create(user=user, structure=structure, role=Role.REFERENT)
        world.created["utilisateurs"] += 1
        if structure.kind == StructureKind.OPERATEUR:
            assigned = Parcours.objects.filter(plie=plie, status=StatutParcours.EN_PARCOURS).order_by("pk")
            ids = list(assigned.values_list("pk", flat=True)[:PARTNER_ACCOUNTS_ASSIGNED])
            Parcours.objects.filter(pk__in=ids).update(referent=user)
