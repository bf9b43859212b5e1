"""The proof extractions a controller asks for (seed 004 l.2128–2149: « extractions … permettant
d'identifier les employeurs et le contenu des offres », « … les mises en relation sur les
offres »; clause hours: l.995–1008), each an XLSX written by ``plie.core.writers.XlsxWriter``,
restricted to the PLIE ``plie_ids`` the scope may prove for, optionally to one year (offers by
publication, mises en relation by proposal, hours by month). A fixed number of queries each."""

from django.db.models import Count

from entreprises.models import HeuresMois, MiseEnRelation, Offre
from plie.core.writers import XlsxWriter


def offres_rows(scope, plie_ids, annee=None):
    """Employers with at least one offer, and their offers: one row per offer (1 query)."""
    offres = Offre.objects.visible_to(scope).filter(plie_id__in=plie_ids)
    if annee:
        offres = offres.filter(date_publication__year=annee)
    return list(
        offres.select_related("employeur", "plie")
        .annotate(nb_mises=Count("mises_en_relation"))
        .order_by("employeur__nom", "employeur_id", "date_publication", "pk")
    )


def employeurs_xlsx(scope, plie_ids, annee=None):
    offres = offres_rows(scope, plie_ids, annee)
    writer = XlsxWriter(title="Employeurs et offres d'emploi")
    summary = writer.sheet("Employeurs")
    writer.append(summary, ["PLIE", "Employeur", "SIRET", "Code NAF", "Commune", "Secteur", "Offres"])
    counts = {}
    for offre in offres:
        counts.setdefault(offre.employeur_id, [offre.employeur, 0])[1] += 1
    for employeur, nb in counts.values():
        writer.append(
            summary,
            [
                offre_plie(offres, employeur),
                employeur.nom,
                employeur.siret,
                employeur.code_naf,
                employeur.commune,
                employeur.get_secteur_display(),
                nb,
            ],
        )
    writer.append(summary, ["Employeurs différents ayant déposé au moins une offre", len(counts)])
    sheet = writer.sheet("Offres")
    writer.append(
        sheet,
        [
            "Employeur",
            "SIRET",
            "Poste",
            "Code ROME",
            "Contrat",
            "Heures par semaine",
            "Lieu",
            "Publiée le",
            "Postes",
            "Statut",
            "Mises en relation",
        ],
    )
    for offre in offres:
        writer.append(
            sheet,
            [
                offre.employeur.nom,
                offre.employeur.siret,
                offre.intitule,
                offre.code_rome,
                offre.get_type_contrat_display(),
                offre.heures_hebdo,
                offre.lieu,
                offre.date_publication,
                offre.postes,
                offre.get_status_display(),
                offre.nb_mises,
            ],
        )
    return writer.content()


def offre_plie(offres, employeur):
    return next(o.plie.nom for o in offres if o.employeur_id == employeur.pk)


def mises_rows(scope, plie_ids, annee=None):
    mises = MiseEnRelation.objects.visible_to(scope).filter(offre__plie_id__in=plie_ids)
    if annee:
        mises = mises.filter(date_proposition__year=annee)
    return list(
        mises.select_related("participant", "offre__employeur").order_by(
            "participant__nom", "participant__prenom", "participant_id", "date_proposition", "pk"
        )
    )


def mises_xlsx(scope, plie_ids, annee=None):
    """Mises en relation per participant (1 query)."""
    writer = XlsxWriter(title="Mises en relation")
    sheet = writer.sheet("Mises en relation")
    writer.append(
        sheet,
        [
            "Nom",
            "Prénom",
            "Offre",
            "Code ROME",
            "Employeur",
            "SIRET",
            "Proposée le",
            "Résultat",
            "Le",
            "Motif",
        ],
    )
    rows = mises_rows(scope, plie_ids, annee)
    for mise in rows:
        writer.append(
            sheet,
            [
                mise.participant.nom,
                mise.participant.prenom,
                mise.offre.intitule,
                mise.offre.code_rome,
                mise.offre.employeur.nom,
                mise.offre.employeur.siret,
                mise.date_proposition,
                mise.get_status_display(),
                mise.date_resultat,
                mise.motif,
            ],
        )
    writer.append(sheet, ["Nombre de mises en relation", len(rows)])
    return writer.content()


def heures_rows(scope, plie_ids, annee=None):
    heures = HeuresMois.objects.filter(placement__marche__plie_id__in=plie_ids).filter(
        placement__marche__plie_id__in=scope.employer_plie_ids
    )
    if annee:
        heures = heures.filter(mois__year=annee)
    return list(
        heures.select_related("placement__marche__attributaire", "placement__participant").order_by(
            "placement__marche__reference", "placement__marche__lot", "placement__participant__nom", "mois"
        )
    )


def heures_xlsx(scope, plie_ids, annee=None):
    """Clause hours per market, month and participant (1 query)."""
    writer = XlsxWriter(title="Heures d'insertion par marché")
    sheet = writer.sheet("Heures par marché")
    writer.append(
        sheet,
        [
            "Donneur d'ordre",
            "Marché",
            "Lot",
            "Attributaire",
            "Heures requises",
            "Nom",
            "Prénom",
            "Modalité",
            "Mois",
            "Heures",
        ],
    )
    rows = heures_rows(scope, plie_ids, annee)
    for row in rows:
        marche = row.placement.marche
        writer.append(
            sheet,
            [
                marche.donneur_ordre,
                marche.reference,
                marche.lot,
                marche.attributaire.nom,
                marche.heures_requises,
                row.placement.participant.nom,
                row.placement.participant.prenom,
                row.placement.get_modalite_display(),
                f"{row.mois:%m/%Y}",
                row.heures,
            ],
        )
    writer.append(sheet, ["Total des heures réalisées", None, None, None, None, None, None, None, None,
                          sum((r.heures for r in rows), 0)])  # fmt: skip
    return writer.content()


EXTRACTIONS = {
    "employeurs-offres": ("Employeurs et offres", employeurs_xlsx),
    "mises-en-relation": ("Mises en relation", mises_xlsx),
    "heures-clauses": ("Heures d'insertion par marché", heures_xlsx),
}
