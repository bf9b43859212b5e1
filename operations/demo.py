"""Demo data of the operations app, run by ``seed_demo`` after the parcours' step.

Per PLIE and per civil year covered by the demo parcours, one operation « Accompagnement
renforcé <année> » carried by the PLIE (places ≈ the file active on 1 July / 1.1, targets and
budget in the usual range), and one smaller operation carried by the PLIE's first opérateur.

Every admitted parcours is enrolled in the PLIE's operation of each year it spent in parcours:
entry on the later of the parcours' entry and 1 January, exit on the parcours' exit when it falls
in the year, else on 31 December for past years (the next year's enrolment is its carry-over,
``report_de``); enrolments of the current year stay open. The entry questionnaire is copied
from the situation at entry (about 93 % confirmed; the situations' own missing answers are kept,
so the completeness board has work); exit data is recorded for about 85 % of exits, mostly
within the 4-week window, some late. About one enrolment in ten also goes to the opérateur's
operation. A few collective sessions (with attendance) per operation.

Rows are written with ``bulk_create`` only (no history records, as for the other demo steps)."""

import datetime
import io
from collections import defaultdict
from decimal import Decimal

from operations.enums import Nomenclature, PieceJustificative, Programme
from plie.core.demo import BATCH_SIZE, bulk_insert, plie_identity

CONFIRMES = 0.93  # share of confirmed entry questionnaires
DONNEES_SORTIE = 0.85  # share of exits with exit data
EN_RETARD = 0.12  # of those, share recorded after the 4-week window
OPERATEUR_SHARE = 0.10  # share of enrolments also in the opérateur's operation
PIECES = [
    PieceJustificative.QUESTIONNAIRE_SIGNE,
    PieceJustificative.CONTRAT_ENGAGEMENT,
    PieceJustificative.PIECE_IDENTITE,
    PieceJustificative.ENTRETIENS,
    PieceJustificative.DONNEES_SORTIE,
]
ACTIONS = [
    "Information collective",
    "Atelier CV et lettre de motivation",
    "Simulation d'entretien d'embauche",
    "Atelier mobilité",
    "Atelier numérique : candidater en ligne",
    "Rencontre employeurs",
]
# exit type code of the parcours -> exit data (statut emploi, en formation, qualification, anticipée)
SORTIE_EMPLOI = {
    "CDI": "1b",
    "CDD_6M": "1b",
    "CONTRATS_SUCCESSIFS": "1b",
    "INTERIM_6M": "1c",
    "CONTRAT_AIDE": "1d",
    "AUTRE_POSITIVE": "1d",
    "CREATION_ENTREPRISE": "1a",
}
ABANDONS = {"ABANDON", "NON_RESPECT_CONTRAT"}


def _copy_text(value):
    """A value in PostgreSQL's COPY text format."""
    if value is None:
        return "\\N"
    if value is True:
        return "t"
    if value is False:
        return "f"
    if isinstance(value, datetime.date):  # datetimes too
        return value.isoformat()
    if isinstance(value, str):
        return value.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")
    return str(value)


def insert_rows(model, rows):
    """Insert ``rows`` (dicts of attribute names -> values; the others take their default) and
    return their ids, in order. On PostgreSQL: ids drawn from the sequence in one query, then one
    ``COPY`` (several times faster than ``bulk_create`` for 100,000s of wide rows); elsewhere
    ``bulk_create``."""
    from django.db import connection
    from django.utils import timezone

    if not rows:
        return []
    if connection.vendor != "postgresql":
        return [obj.pk for obj in bulk_insert(model, (model(**row) for row in rows))]
    meta = model._meta
    now = timezone.now()
    fields = [f for f in meta.concrete_fields if not f.primary_key]
    defaults = {
        f.attname: now
        if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False)
        else f.get_default()
        for f in fields
    }
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
            [meta.db_table, meta.pk.column, len(rows)],
        )
        ids = [row[0] for row in cursor.fetchall()]
        buffer = io.StringIO()
        for pk, row in zip(ids, rows, strict=True):
            values = [str(pk)] + [_copy_text(row.get(f.attname, defaults[f.attname])) for f in fields]
            buffer.write("\t".join(values))
            buffer.write("\n")
        buffer.seek(0)
        columns = ", ".join(
            connection.ops.quote_name(c) for c in [meta.pk.column] + [f.column for f in fields]
        )
        cursor.copy_expert(f"COPY {connection.ops.quote_name(meta.db_table)} ({columns}) FROM STDIN", buffer)
    return ids


def _programme(year):
    if year <= 2021:
        return Programme.FSE_2014_2020, "3", "3.9.1.1"
    return Programme.FSE_PLUS_2021_2027, "4", "ESO4.8"


def _present(entree, sortie, day):
    return entree <= day and (sortie is None or sortie >= day)


def _sortie_data(rng, code, fin_d_annee):
    """The exit data of an enrolment (``code``: the parcours' exit type, ``None`` when the
    enrolment only ends with the year)."""
    data = {
        "sortie_anticipee": False,
        "sortie_statut_emploi": "non",
        "sortie_en_formation": False,
        "sortie_recherche_emploi": True,
        "sortie_qualification": False,
    }
    if fin_d_annee or code is None:
        return data
    if code in SORTIE_EMPLOI:
        data.update(sortie_statut_emploi=SORTIE_EMPLOI[code], sortie_recherche_emploi=False)
    elif code == "FORMATION_QUALIFIANTE":
        data.update(
            sortie_en_formation=True, sortie_recherche_emploi=False, sortie_qualification=rng.random() < 0.6
        )
    elif code in ABANDONS:
        data.update(sortie_anticipee=True, sortie_recherche_emploi=rng.random() < 0.5)
    else:
        data.update(sortie_recherche_emploi=rng.random() < 0.6)
    return data


def create_operations(world):
    from operations.models import ActionCollective, Inscription, Operation, Presence
    from parcours.models import Parcours, Sortie
    from participants.models import SituationEntree

    rng = world.random("operations")
    parcours = list(
        Parcours.objects.filter(plie__in=world.plies)
        .exclude(date_entree=None)
        .order_by("id")
        .values_list("id", "participant_id", "plie_id", "referent_id", "date_entree", "date_sortie")
    )
    if not parcours:
        return
    answer_fields = Inscription.answer_fields()
    answers = {
        row[0]: row[1:]
        for row in SituationEntree.objects.filter(participant__plie__in=world.plies).values_list(
            "participant_id", *answer_fields
        )
    }
    sorties = dict(
        Sortie.objects.filter(parcours__plie__in=world.plies).values_list("parcours_id", "type__code")
    )
    last_year = world.today.year
    first_year = min(row[4].year for row in parcours)
    years = range(first_year, last_year + 1)

    # Who is enrolled in which year: (parcours row, entry, exit or None, exits with the parcours)
    by_year = defaultdict(list)
    for row in parcours:
        entree, sortie = row[4], row[5]
        for year in range(entree.year, (sortie.year if sortie else last_year) + 1):
            debut = max(entree, datetime.date(year, 1, 1))
            if sortie is not None and sortie.year == year:
                by_year[year].append((row, debut, sortie, True))
            else:
                by_year[year].append(
                    (row, debut, datetime.date(year, 12, 31) if year < last_year else None, False)
                )

    # 1. Operations: per PLIE and year, the PLIE's own and one carried by its first opérateur
    operations = {}  # (plie id, year, "plie" | "operateur") -> Operation
    objs = []
    for index, plie in enumerate(world.plies):
        territoire = plie_identity(index)[2]
        operateur = next((s for s in world.partners.get(plie.id, []) if s.kind == "operateur"), None)
        for year in years:
            rows = [r for r in by_year[year] if r[0][2] == plie.id]
            juillet = min(datetime.date(year, 7, 1), world.today)
            file_active = sum(1 for _, debut, fin, _ in rows if _present(debut, fin, juillet))
            places = max(10, round(file_active / 1.1))
            cout = Decimal(rng.randint(900, 1400))  # € per place and year
            total = (places * cout).quantize(Decimal("1000"))
            fse = (total * Decimal(rng.choice(["0.5", "0.55", "0.6"]))).quantize(Decimal("1"))
            programme, axe, os_ = _programme(year)
            common = {
                "plie": plie,
                "date_debut": datetime.date(year, 1, 1),
                "date_fin": datetime.date(year, 12, 31),
                "programme": programme,
                "axe": axe,
                "objectif_specifique": os_,
                "pieces_requises": list(PIECES),
            }
            operation = Operation(
                porteur=plie,
                code=f"ACC-{year}",
                numero_mdfse=f"{year}{index + 1:03d}01",
                intitule=f"Accompagnement renforcé {year}",
                budget_total=total,
                budget_fse=fse,
                autres_financements=total - fse,
                cofinanceurs="Département, Métropole",
                places=places,
                objectif_participants=max(10, round(len(rows) * rng.uniform(0.9, 1.0), -1)),
                objectif_sorties_positives=Decimal(rng.choice([45, 48, 50, 52])),
                objectif_emploi_durable=Decimal(rng.choice([25, 28, 30])),
                objectif_emploi_transition=Decimal(rng.choice([12, 15, 18])),
                objectif_sorties_dynamiques=Decimal(rng.choice([60, 65, 70])),
                nomenclature=Nomenclature.PLIE,
                **common,
            )
            operations[(plie.id, year, "plie")] = operation
            objs.append(operation)
            if operateur is not None:
                places_op = max(5, round(places * OPERATEUR_SHARE))
                total_op = Decimal(places_op * 4500)
                operation = Operation(
                    porteur=operateur,
                    code=f"ACI-{year}",
                    numero_mdfse=f"{year}{index + 1:03d}02",
                    intitule=f"Chantier d'insertion {territoire} {year}",
                    budget_total=total_op,
                    budget_fse=total_op / 2,
                    autres_financements=total_op / 2,
                    cofinanceurs="Département",
                    places=places_op,
                    objectif_participants=places_op * 2,
                    objectif_sorties_positives=Decimal(40),
                    objectif_emploi_durable=Decimal(20),
                    objectif_emploi_transition=Decimal(25),
                    objectif_sorties_dynamiques=Decimal(60),
                    nomenclature=Nomenclature.DEPARTEMENT,
                    **common,
                )
                operations[(plie.id, year, "operateur")] = operation
                objs.append(operation)
    Operation.objects.bulk_create(objs, batch_size=BATCH_SIZE)
    world.created["opérations"] += len(objs)

    # 2. Enrolments, year by year (a carry-over points at the previous year's enrolment)
    empty = (None,) * len(answer_fields)

    def inscription(operation, row, debut, fin, sortie_parcours, report_de_id=None):
        """The enrolment as a dict of column values (see :func:`insert_rows`)."""
        values = answers.get(row[1], empty)
        obj = {
            "operation_id": operation.pk,
            "participant_id": row[1],
            "parcours_id": row[0],
            "date_entree": debut,
            "date_sortie": fin,
            "report_de_id": report_de_id,
        }
        for name, value in zip(answer_fields, values, strict=True):
            obj[name] = "" if value is None and name in char_fields else value
        if rng.random() < CONFIRMES:
            limite = min(fin or world.today, world.today)
            day = min(debut + datetime.timedelta(days=rng.randint(0, 6)), max(limite, debut))
            obj["date_questionnaire"] = obj["questionnaire_confirme_le"] = day
            obj["questionnaire_confirme_par_id"] = row[3]
        if fin is not None and rng.random() < DONNEES_SORTIE:
            delai = rng.randint(29, 75) if rng.random() < EN_RETARD else rng.randint(0, 27)
            renseignee = fin + datetime.timedelta(days=delai)
            if renseignee <= world.today:
                obj.update(_sortie_data(rng, sorties.get(row[0]), not sortie_parcours))
                obj["sortie_renseignee_le"] = renseignee
        return obj

    char_fields = {
        f.name
        for f in Inscription._meta.fields
        if f.name in answer_fields and f.get_internal_type() == "CharField"
    }
    previous = {}  # parcours id -> pk of its enrolment in the previous year's operation
    enrolled = defaultdict(list)  # operation -> [(participant id, entry, exit)] for the sessions
    total = 0
    for year in years:
        objs = []
        for row, debut, fin, sortie_parcours in by_year[year]:
            operation = operations[(row[2], year, "plie")]
            objs.append(inscription(operation, row, debut, fin, sortie_parcours, previous.get(row[0])))
            enrolled[operation].append((row[1], debut, fin))
        ids = insert_rows(Inscription, objs)
        # only parcours still in the PLIE on 1 January appear next year: their enrolment ended on 31/12
        previous = {obj["parcours_id"]: pk for obj, pk in zip(objs, ids, strict=True)}
        total += len(ids)
        # the opérateur's operation: about one enrolment in ten, entering a little later
        objs = []
        for row, debut, fin, sortie_parcours in by_year[year]:
            operation = operations.get((row[2], year, "operateur"))
            if operation is None or rng.random() >= OPERATEUR_SHARE:
                continue
            entree = debut + datetime.timedelta(days=rng.randint(0, 60))
            if fin is not None and entree > fin or entree > min(operation.date_fin, world.today):
                entree = debut
            objs.append(inscription(operation, row, entree, fin, sortie_parcours))
            enrolled[operation].append((row[1], entree, fin))
        total += len(insert_rows(Inscription, objs))
    world.created["inscriptions"] += total

    # 3. Collective sessions and their attendance
    animateurs = {
        plie.id: [f"{u.first_name} {u.last_name}" for u in world.referents.get(plie.id, [])]
        or ["Équipe PLIE"]
        for plie in world.plies
    }
    actions, presences = [], []
    for operation in operations.values():
        people = enrolled.get(operation, [])
        if not people:
            continue
        fin = min(operation.date_fin, world.today)
        span = (fin - operation.date_debut).days
        for _ in range(rng.randint(3, 5) if span > 30 else 1):
            day = operation.date_debut + datetime.timedelta(days=rng.randrange(span + 1))
            action = ActionCollective(
                operation=operation,
                intitule=rng.choice(ACTIONS),
                date=day,
                heure_debut=datetime.time(rng.choice([9, 14]), 0),
                heure_fin=datetime.time(rng.choice([11, 16]), 30),
                lieu="Maison de l'emploi, salle 2",
                animateur=rng.choice(animateurs[operation.plie_id]),
                compte_rendu="Séance tenue comme prévu.",
            )
            candidates = [
                pid
                for pid, debut, sortie in rng.sample(people, min(60, len(people)))
                if _present(debut, sortie, day)
            ]
            actions.append((action, candidates[: rng.randint(6, 14)]))
    ActionCollective.objects.bulk_create([action for action, _ in actions], batch_size=BATCH_SIZE)
    for action, participants in actions:
        for pid in dict.fromkeys(participants):
            draw = rng.random()
            presences.append(
                Presence(action=action, participant_id=pid, present=None if draw < 0.05 else draw < 0.9)
            )
    bulk_insert(Presence, presences)
    world.created["actions collectives"] += len(actions)
    world.created["présences"] += len(presences)
