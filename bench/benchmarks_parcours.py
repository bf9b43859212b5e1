"""The référent's morning page, « Ma file active », a parcours page and a dossier, at the size of
a real file active: the bench dataset gives each référent 80–100 active parcours with ~40
entretiens and ~4 étapes each (``bench/densify.py``; docs/domaine.md §2: 60–100 per référent).

On a dataset without parcours (the harness test's tiny world), :func:`ensure_file_active`
creates them for the first PLIE's demo référent, once — idempotent, it does nothing when that
référent already follows active parcours. Written with ``bulk_create``: no history."""

import datetime
import random

from bench import floors
from bench.registry import benchmark

WORKSPACE_TARGET_MS = 300
DETAIL_TARGET_MS = 300
PARCOURS_COUNT = 100
ENTRETIENS_PER_PARCOURS = 50
SEED = 20260615


def ensure_file_active(ctx):
    """The first PLIE's demo référent follows active parcours; create up to
    :data:`PARCOURS_COUNT` of them (with :data:`ENTRETIENS_PER_PARCOURS` entretiens, étapes and
    alerts each) when they follow none. Returns the id of one of them."""
    cached = getattr(ctx, "_file_active_parcours_id", None)
    if cached is not None:
        return cached
    from django.db import transaction

    from parcours.models import Parcours

    referent = ctx.user("referent")
    existing = Parcours.objects.actifs().filter(referent=referent).order_by("pk").values_list("pk", flat=True)
    parcours_id = existing.first()
    if parcours_id is None:
        with transaction.atomic():
            parcours_id = _create_file_active(ctx, referent)
    ctx._file_active_parcours_id = parcours_id
    return parcours_id


def _create_file_active(ctx, referent):
    from django.utils import timezone

    from parcours.enums import StatutParcours, SujetEntretien, TypeAlerte
    from parcours.models import Alerte, Entretien, Etape, Parcours, TypeEtape
    from participants.models import Participant
    from plie.core.models import Structure

    rng = random.Random(SEED)
    today = timezone.localdate()
    plie = Structure.objects.get(code=ctx.plie_codes[0])
    participant_ids = list(
        Participant.objects.filter(plie=plie)
        .exclude(parcours__isnull=False)
        .order_by("pk")
        .values_list("pk", flat=True)[:PARCOURS_COUNT]
    )
    if not participant_ids:
        raise RuntimeError(f"Aucun participant sans parcours dans {plie} pour la file active du banc.")
    # about one in ten suspended, one in ten in a job
    statuses = [StatutParcours.EN_PARCOURS] * 8 + [StatutParcours.SUSPENDU, StatutParcours.EN_SUIVI_EMPLOI]
    rows = []
    for participant_id in participant_ids:
        entree = today - datetime.timedelta(days=rng.randint(120, 900))
        dernier = today - datetime.timedelta(days=rng.randint(0, 75))
        rdv = timezone.make_aware(
            datetime.datetime.combine(
                today + datetime.timedelta(days=rng.randint(-10, 30)), datetime.time(14)
            )
        )
        rows.append(
            Parcours(
                participant_id=participant_id,
                plie=plie,
                referent=referent,
                status=rng.choice(statuses),
                date_orientation=entree - datetime.timedelta(days=40),
                date_commission=entree - datetime.timedelta(days=10),
                date_entree=entree,
                date_signature_contrat=entree,
                dernier_contact=dernier,
                prochain_rdv=rdv,
            )
        )
    parcours = Parcours.objects.bulk_create(rows)
    sujets = SujetEntretien.values
    entretiens = []
    for p in parcours:
        step = max(1, (p.dernier_contact - p.date_entree).days // ENTRETIENS_PER_PARCOURS)
        for index in range(ENTRETIENS_PER_PARCOURS):
            day = min(p.date_entree + datetime.timedelta(days=index * step), p.dernier_contact)
            entretiens.append(
                Entretien(
                    parcours=p,
                    date=day,
                    referent=referent,
                    duree_minutes=rng.choice([30, 45, 60]),
                    sujets=rng.sample(sujets, 2),
                    notes="Point d'étape.",
                    prochain_rdv=p.prochain_rdv if index == ENTRETIENS_PER_PARCOURS - 1 else None,
                )
            )
    Entretien.objects.bulk_create(entretiens, batch_size=2000)
    type_etape, _created = TypeEtape.objects.get_or_create(
        plie=None,
        code="bench-mobilisation",
        defaults={"libelle": "Mobilisation", "categorie": "mobilisation"},
    )
    ended = [
        Etape(parcours=p, type=type_etape, date_debut=p.date_entree, date_fin=p.date_entree) for p in parcours
    ]
    current = [
        Etape(parcours=p, type=type_etape, date_debut=p.date_entree + datetime.timedelta(days=30))
        for p in parcours
    ]
    Etape.objects.bulk_create(ended + current)
    alertes = [TypeAlerte.SANS_CONTACT, TypeAlerte.RDV_PASSE, TypeAlerte.PARCOURS_LONG]
    Alerte.objects.bulk_create(
        [
            Alerte(plie=plie, parcours=p, type=rng.choice(alertes), computed_on=today)
            for p in parcours
            if rng.random() < 0.4
        ],
        ignore_conflicts=True,
    )
    return parcours[0].pk


def get_ok(ctx, persona, url):
    response = ctx.client(persona).get(url)
    assert response.status_code == 200, f"{url} en tant que {persona} : {response.status_code}"
    return response


@benchmark("parcours.workspace.referent", target_ms=WORKSPACE_TARGET_MS, floor=floors.workspace_floor)
def workspace_referent(ctx):
    """« Ma file active » of a référent with 100 parcours and 5,000 entretiens."""
    ensure_file_active(ctx)
    get_ok(ctx, "referent", "/parcours/ma-file-active/")


@benchmark("parcours.workspace.referent_sorted", target_ms=WORKSPACE_TARGET_MS)
def workspace_referent_sorted(ctx):
    """The same page sorted by last contact and filtered on a name fragment."""
    ensure_file_active(ctx)
    get_ok(ctx, "referent", "/parcours/ma-file-active/?sort=dernier_contact&q=e")


@benchmark("parcours.workspace.animation", target_ms=WORKSPACE_TARGET_MS)
def workspace_animation(ctx):
    """The animation opening that référent's file active (the référent picker included)."""
    ensure_file_active(ctx)
    referent = ctx.user("referent")
    get_ok(ctx, "animation", f"/parcours/ma-file-active/?referent={referent.pk}")


@benchmark("parcours.detail.referent", target_ms=DETAIL_TARGET_MS)
def parcours_detail_referent(ctx):
    """A parcours page (étapes, the latest 20 of its entretiens, suspensions, référents)."""
    parcours_id = ensure_file_active(ctx)
    get_ok(ctx, "referent", f"/parcours/{parcours_id}/")


@benchmark("participants.dossier.referent", target_ms=DETAIL_TARGET_MS)
def dossier_referent(ctx):
    """The dossier of a participant the référent follows (identity, situation, freins, parcours,
    timeline)."""
    from parcours.models import Parcours

    parcours_id = ensure_file_active(ctx)
    participant_id = Parcours.objects.filter(pk=parcours_id).values_list("participant_id", flat=True).get()
    get_ok(ctx, "referent", f"/participants/{participant_id}/")
