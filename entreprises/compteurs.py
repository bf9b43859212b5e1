"""The employer side's counts over a period, for an operation's results (read by
``operations.views_suivi.resultats``): what a call for projects asks (seed 004 l.2128–2149:
« Nombre d'employeurs différents ayant déposé au moins une offre d'emploi », « Nombre de mises
en relation »; l.995–1008: « Nombre de marchés clausés », « Nombre d'heures d'insertion
réalisées »; l.1851: « Nombre de conventions en cours (avec les donneurs d'ordre, les SIAE, …) »),
the partner actions with employers (sessions and who came) and the FSE+ longer-term result (the
situation six months after exit). Aggregate queries only (six), on one PLIE, figures without
names."""

from django.db.models import Count, Q, Sum

from entreprises.enums import SituationSixMois, TypeActionEntreprise
from entreprises.models import ActionEntreprise, Convention, Marche, MiseEnRelation, Offre, SuiviSixMois


def compteurs_periode(plie_ids, debut, fin):
    """Counts of the PLIE ``plie_ids`` (one, or an OI's several: a bilan line) between ``debut``
    and ``fin`` (inclusive):

    - employers with at least one offer published in the period, and those offers;
    - mises en relation proposed in the period, and the hires among them;
    - clause markets running during the period (of which reserved markets, and operations outside
      the BTP: l.1856–1857), and the hours done in its months;
    - partnership conventions « en cours » during the period: signed by its end and running
      during it (``regles.convention_en_cours``);
    - partner actions with employers held in the period, and the participants present; of them,
      the awareness sessions for donneurs d'ordre (« Club des donneurs d'ordre », l.1852–1854);
    - exits of the period whose six-month situation is recorded, by situation."""
    offres = Offre.objects.filter(plie_id__in=plie_ids, date_publication__range=(debut, fin)).aggregate(
        employeurs=Count("employeur", distinct=True), offres=Count("pk")
    )
    mises = MiseEnRelation.objects.filter(offre__plie_id__in=plie_ids, date_proposition__range=(debut, fin))
    mises = mises.aggregate(mises=Count("pk"), retenus=Count("pk", filter=Q(status="retenu")))
    marches = Marche.objects.filter(plie_id__in=plie_ids, date_debut__lte=fin, date_fin__gte=debut).aggregate(
        marches=Count("pk", distinct=True),
        heures=Sum("placements__heures__heures", filter=Q(placements__heures__mois__range=(debut, fin))),
        reserves=Count("pk", filter=Q(reserve=True), distinct=True),
        hors_btp=Count("pk", filter=Q(hors_btp=True), distinct=True),
    )
    actions = ActionEntreprise.objects.filter(plie_id__in=plie_ids, date__range=(debut, fin)).aggregate(
        actions=Count("pk", distinct=True),
        presents=Count("presences", filter=Q(presences__present=True), distinct=True),
        sessions=Count("pk", filter=Q(type=TypeActionEntreprise.SENSIBILISATION), distinct=True),
    )
    conventions = Convention.objects.filter(plie_id__in=plie_ids).en_cours(debut, fin).count()
    situations = dict(
        SuiviSixMois.objects.filter(parcours__plie_id__in=plie_ids, parcours__date_sortie__range=(debut, fin))
        .values_list("situation")
        .annotate(n=Count("pk"))
        .values_list("situation", "n")
    )
    return {
        **offres,
        **mises,
        **actions,
        "marches": marches["marches"],
        "heures": marches["heures"] or 0,
        "marches_reserves": marches["reserves"],
        "operations_hors_btp": marches["hors_btp"],
        "conventions": conventions,
        "situations": [(label, situations.get(value, 0)) for value, label in SituationSixMois.choices],
    }
