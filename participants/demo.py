"""Demo data of the participants app: the participants, their situation at entry (FSE
questionnaire) and freins.

Two steps, registered by ``ParticipantsConfig.ready()`` and run by ``seed_demo`` after the core
steps (see ``plie.core.demo``): :func:`create_participants` spreads N participants over the PLIE;
:func:`create_situations_and_freins` gives about 85 % of them a questionnaire, most of them
complete, some with missing answers (as in real life: that is what the completeness board is
for), and 70 % one to three freins, half of them lifted."""

import datetime
from itertools import islice

from participants.enums import NiveauFormation, OuiNonNsp, StatutEmploi, TypeFrein
from participants.models import Frein, Participant, SituationEntree
from plie.core.demo import BATCH_SIZE, HISTORY_YEARS, PLIE_COMMUNES, years_before

MIN_AGE, MAX_AGE = 18, 62  # on the demo's reference day (``world.today``)
MAIDEN_NAME_SHARE = 0.35  # share of women with a nom de naissance different from their nom

NIVEAUX = [NiveauFormation.INFERIEUR_PRIMAIRE, NiveauFormation.PRIMAIRE_COLLEGE, NiveauFormation.SECONDAIRE,
           NiveauFormation.SUPERIEUR]  # fmt: skip
NIVEAU_WEIGHTS = [6, 38, 44, 12]
FREIN_WEIGHTS = {
    TypeFrein.MOBILITE: 30, TypeFrein.LOGEMENT: 14, TypeFrein.SANTE: 12, TypeFrein.GARDE_ENFANTS: 9,
    TypeFrein.LANGUE: 10, TypeFrein.NUMERIQUE: 12, TypeFrein.JUSTICE: 3, TypeFrein.BUDGET: 8,
    TypeFrein.AUTRE: 2,
}  # fmt: skip
# Answers left blank in an incomplete questionnaire, one or two of them.
OFTEN_MISSING = (
    "parent_ne_etranger",
    "sans_domicile",
    "menage_monoparental",
    "handicap_reconnu",
    "niveau_formation",
)


def _bulk(model, rows):
    count = 0
    while batch := list(islice(rows, BATCH_SIZE)):
        model.objects.bulk_create(batch, batch_size=BATCH_SIZE)
        count += len(batch)
    return count


def create_participants(world):
    """N participants spread over the PLIE (``world.participants_per_plie``), plausible names,
    ages and addresses; no history (``bulk_create``)."""
    rng = world.random("participants")
    fake = world.faker("participants")
    # A pool of names drawn once: Faker is too slow to call 300,000 times.
    noms = [fake.last_name() for _ in range(800)]
    prenoms = {
        "F": [fake.first_name_female() for _ in range(300)],
        "M": [fake.first_name_male() for _ in range(300)],
    }
    youngest = years_before(world.today, MIN_AGE).toordinal()
    oldest = years_before(world.today, MAX_AGE + 1).toordinal() + 1

    contact_rng = world.random("participants-contact")
    rues = [fake.street_name() for _ in range(200)]
    communes_naissance = [(fake.city(), fake.postcode()) for _ in range(200)]

    def contact(plie):
        """Address and phone (drawn from their own generator, so names stay as they were)."""
        commune, code_postal = PLIE_COMMUNES.get(plie.code, (plie.nom.removeprefix("PLIE "), "69000"))
        ne_a_l_etranger = contact_rng.random() < 0.18
        naissance = communes_naissance[contact_rng.randrange(len(communes_naissance))]
        return {
            "adresse": f"{contact_rng.randint(1, 180)} {rues[contact_rng.randrange(len(rues))]}",
            "code_postal": code_postal,
            "commune": commune,
            "qpv": contact_rng.random() < 0.38,
            "telephone": f"0{contact_rng.choice('67')} {contact_rng.randint(10, 99)} "
            f"{contact_rng.randint(10, 99)} {contact_rng.randint(10, 99)} {contact_rng.randint(10, 99)}",
            "nationalite": "hors_ue" if ne_a_l_etranger and contact_rng.random() < 0.7 else "fr",
            "commune_naissance": "Étranger" if ne_a_l_etranger else naissance[0],
            "code_commune_naissance": "99999" if ne_a_l_etranger else naissance[1],
        }

    def participants():
        for plie in world.plies:
            for _ in range(world.participants_per_plie[plie.id]):
                sexe = "F" if rng.random() < 0.52 else "M"
                nom = rng.choice(noms)
                nom_naissance = rng.choice(noms) if sexe == "F" and rng.random() < MAIDEN_NAME_SHARE else ""
                participant = Participant(
                    plie=plie,
                    nom=nom,
                    prenom=rng.choice(prenoms[sexe]),
                    nom_naissance=nom_naissance if nom_naissance != nom else "",
                    sexe=sexe,
                    date_naissance=datetime.date.fromordinal(rng.randint(oldest, youngest)),
                    **contact(plie),
                )
                # bulk_create skips Participant.save(): derive here what save() derives.
                participant.refresh_search_fields()
                yield participant

    world.created["participants"] += _bulk(Participant, participants())


def create_situations_and_freins(world):
    rng = world.random("situations")
    first_entry = years_before(world.today, HISTORY_YEARS)  # entries over the last seven years
    span = (world.today - first_entry).days
    entries = {}

    def situations():
        for pid in (
            Participant.objects.filter(plie__in=world.plies)
            .order_by("id")
            .values_list("id", flat=True)
            .iterator()
        ):
            entree = first_entry + datetime.timedelta(days=rng.randrange(span))
            entries[pid] = entree
            if rng.random() >= 0.85:
                continue
            sans_emploi = rng.random() < 0.9
            recherche = sans_emploi and rng.random() < 0.92
            minima = rng.random() < 0.45
            enfants = rng.random() < 0.45
            answers = {
                "statut_emploi": StatutEmploi.SANS_EMPLOI if sans_emploi else rng.choice(["1c", "1d"]),
                "en_formation": False if sans_emploi else None,
                "recherche_emploi": recherche if sans_emploi else None,
                "duree_recherche_mois": rng.choice([3, 6, 9, 12, 18, 24, 36, 60]) if recherche else None,
                "niveau_formation": rng.choices(NIVEAUX, NIVEAU_WEIGHTS)[0],
                "handicap_reconnu": rng.random() < 0.11,
                "minima_sociaux": minima,
                "beneficiaire_rsa": minima and rng.random() < 0.8,
                "sans_domicile": rng.choices([OuiNonNsp.NON, OuiNonNsp.OUI, OuiNonNsp.NSP], [85, 8, 7])[0],
                "parent_ne_etranger": rng.choices(
                    [OuiNonNsp.NON, OuiNonNsp.OUI, OuiNonNsp.NSP], [60, 30, 10]
                )[0],
                "menage_sans_emploi": rng.random() < 0.5,
                "menage_enfants": enfants,
                "menage_monoparental": enfants and rng.random() < 0.4,
            }
            if rng.random() < 0.2:  # an incomplete questionnaire
                for name in rng.sample(OFTEN_MISSING, rng.randint(1, 2)):
                    answers[name] = (
                        "" if name in ("niveau_formation", "sans_domicile", "parent_ne_etranger") else None
                    )
            yield SituationEntree(
                participant_id=pid, date_entree=entree, date_questionnaire=entree, **answers
            )

    world.created["situations à l'entrée"] += _bulk(SituationEntree, situations())

    types, weights = list(FREIN_WEIGHTS), list(FREIN_WEIGHTS.values())

    def freins():
        for pid, entree in entries.items():
            if rng.random() >= 0.7:
                continue
            for kind in set(rng.choices(types, weights, k=rng.randint(1, 3))):
                identified = entree + datetime.timedelta(days=rng.randrange(60))
                lifted = identified + datetime.timedelta(days=rng.randint(20, 400))
                if rng.random() < 0.5 or lifted > world.today:
                    lifted = None
                yield Frein(participant_id=pid, type=kind, date_identification=identified, date_levee=lifted)

    world.created["freins"] += _bulk(Frein, freins())
