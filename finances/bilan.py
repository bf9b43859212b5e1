"""The financial part of the bilan d'exécution of an operation for a period (issue #19; seed
004, l.7840–7900): expenses by category and resources by funder, forecast vs realised, each line
with its proofs; the « contrôle de service fait » checklist of what is missing before
submitting; as PDF (WeasyPrint) and XLSX (``plie.core.writers``). And the monthly time state of
one person on one operation, a PDF ready to sign by the person and their responsable.

Amounts follow ``finances.couts`` (Decimal, rounded to the cent per line, then summed)."""

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.template.loader import render_to_string
from django.utils import timezone

from finances import couts, temps
from finances import plan as plan_module
from finances.enums import CategorieDepense, ModeAffectation, ModeIndirects, Nature, StatutFiche
from finances.models import Affectation, FicheTemps, LigneTemps, Salaire
from plie.core.writers import XlsxWriter

ZERO = Decimal("0")


@dataclass
class LigneBilan:
    rubrique: str
    libelle: str
    prevu: Decimal
    realise: Decimal
    pieces: list


def _fiches_validees(operation, du, au):
    """``{personnel_id: [sheet]}``: the validated sheets of the period with hours on the
    operation (1 query)."""
    fiches = {}
    for fiche in (
        FicheTemps.objects.filter(
            statut=StatutFiche.VALIDEE,
            lignes__operation=operation,
            lignes__jour__range=(du, au),
        )
        .distinct()
        .select_related("signee_par", "validee_par")
        .order_by("semaine")
    ):
        fiches.setdefault(fiche.personnel_id, []).append(fiche)
    return fiches


def bilan_financier(operation, du, au):
    """The financial bilan of ``operation`` over ``du``–``au``: ``{"plan", "lignes",
    "controle", ...}`` (11 queries)."""
    p = plan_module.plan(operation, du, au)
    affectations = list(
        Affectation.objects.filter(operation=operation).actives(du, au).select_related("personnel__user")
    )
    fiches = _fiches_validees(operation, du, au)
    lignes = []
    par_personne = {}
    for ligne in p.personnel:
        par_personne.setdefault(ligne.personnel.pk, []).append(ligne)
    for affectation in affectations:
        personnel = affectation.personnel
        mois = par_personne.get(personnel.pk, [])
        pieces = []
        if affectation.justificatif_nom:
            pieces.append(f"{affectation.get_mode_display()} : {affectation.justificatif_nom}")
        if affectation.mode == ModeAffectation.TEMPS_TRACE:
            pieces += [
                f"Fiche temps semaine du {f.semaine:%d/%m/%Y} (v{f.version}), signée le "
                f"{timezone.localtime(f.signee_le):%d/%m/%Y}, "
                f"validée le {timezone.localtime(f.validee_le):%d/%m/%Y}"
                for f in fiches.get(personnel.pk, [])
            ]
        pieces += [f"Bulletin de salaire {ligne.mois:%m/%Y}" for ligne in mois if ligne.salaire is not None]
        lignes.append(
            LigneBilan(
                CategorieDepense.PERSONNEL.label,
                f"{personnel} — {affectation.get_mode_display()}",
                ZERO,
                sum((ligne.montant for ligne in mois), ZERO),
                pieces,
            )
        )
        par_personne.pop(personnel.pk, None)  # a person with two assignments is counted once
    for depense in p.lignes_depenses:
        lignes.append(
            LigneBilan(
                depense.get_categorie_display(),
                depense.libelle + (f" ({depense.date:%d/%m/%Y})" if depense.date else ""),
                couts.au_centime(depense.montant) if depense.nature == Nature.PREVU else ZERO,
                couts.au_centime(depense.montant) if depense.nature == Nature.REALISE else ZERO,
                [depense.piece_nom] if depense.piece_nom else [],
            )
        )
    if p.parametres.mode_indirects == ModeIndirects.FORFAIT:
        lignes.append(
            LigneBilan(
                CategorieDepense.INDIRECTES.label,
                f"Taux forfaitaire de {temps.heures_fr(p.parametres.taux_forfaitaire)} % "
                "des dépenses directes de personnel",
                p.depenses.get((CategorieDepense.INDIRECTES, Nature.PREVU), ZERO),
                p.depenses.get((CategorieDepense.INDIRECTES, Nature.REALISE), ZERO),
                ["Taux forfaitaire : pas de justificatif"],
            )
        )
    return {
        "operation": operation,
        "du": du,
        "au": au,
        "plan": p,
        "lignes": lignes,
        "total_prevu": p.total_depenses(Nature.PREVU),
        "total_realise": p.total_depenses(Nature.REALISE),
        "ressources_prevu": p.total_ressources(Nature.PREVU),
        "ressources_realise": p.total_ressources(Nature.REALISE),
        "controle": controle_service_fait(operation, du, au, p, affectations),
    }


def controle_service_fait(operation, du, au, p, affectations):
    """What is missing before submitting the bilan, one French sentence per fault (2 queries:
    the current sheets of the traced staff, the salaries)."""
    manques = []
    traced = [a for a in affectations if a.mode == ModeAffectation.TEMPS_TRACE]
    statuts = {
        (personnel_id, semaine): statut
        for personnel_id, semaine, statut in FicheTemps.objects.courantes()
        .filter(
            personnel_id__in={a.personnel_id for a in traced}, semaine__gte=temps.lundi(du), semaine__lte=au
        )
        .order_by()
        .values_list("personnel_id", "semaine", "statut")
    }
    salaires = set(
        Salaire.objects.filter(
            personnel_id__in={a.personnel_id for a in affectations}, mois__gte=du.replace(day=1), mois__lte=au
        )
        .order_by()
        .values_list("personnel_id", "mois")
    )
    today = timezone.localdate()
    for affectation in affectations:
        personnel = affectation.personnel
        if not affectation.justificatif:
            manques.append(
                f"Affectation de {personnel} ({affectation.get_mode_display()}) : justificatif manquant "
                "(contrat, lettre de mission ou fiche de poste)."
            )
        debut, fin = max(affectation.date_debut, du), min(affectation.date_fin, au)
        for month in couts.mois_de(debut, fin):
            if month <= today and (personnel.pk, month) not in salaires:
                manques.append(f"{personnel} : salaire de {month:%m/%Y} non saisi.")
        if affectation.mode == ModeAffectation.TEMPS_TRACE:
            for monday in temps.semaines_a_suivre(debut, fin, today):
                etat = temps.etat_semaine(statuts.get((personnel.pk, monday)))
                if etat:
                    manques.append(f"{personnel} : fiche temps de la semaine du {monday:%d/%m/%Y} {etat}.")
    for depense in p.lignes_depenses:
        if depense.nature == Nature.REALISE and not depense.piece:
            manques.append(f"Dépense « {depense.libelle} » : pièce justificative manquante.")
    for ressource in p.lignes_ressources:
        if ressource.nature == Nature.REALISE and not ressource.piece:
            manques.append(
                f"Ressource {ressource.get_financeur_display()} réalisée : pièce manquante "
                "(convention, notification)."
            )
    if p.parametres.mode_indirects == ModeIndirects.CLE and not p.parametres.cle_repartition.strip():
        manques.append("Dépenses indirectes au réel : clé de répartition à justifier.")
    message = couts.erreur_ressources(
        depenses=p.total_depenses(Nature.REALISE),
        ressources=p.total_ressources(Nature.REALISE),
        nature="réalisées",
    )
    if message:
        manques.append(message)
    return manques


def nom_fichier(operation, extension, du, au):
    return f"bilan-financier-{operation.code}-{du:%Y%m%d}-{au:%Y%m%d}.{extension}".replace(" ", "-")


def _pdf(template, context):
    from weasyprint import HTML

    from participants.pdf import STATIC_DIR, StaticOnlyFetcher

    html = render_to_string(template, context)
    return HTML(string=html, base_url=STATIC_DIR.as_uri() + "/", url_fetcher=StaticOnlyFetcher()).write_pdf()


def export_pdf(bilan):
    title = "Bilan d’exécution — partie financière"
    return _pdf(
        "finances/pdf/bilan.html",
        {
            **bilan,
            "title": title,
            "pied": f"{title} — {bilan['operation'].code}",
            "edited_at": timezone.localtime(),
        },
    )


def export_xlsx(bilan):
    from openpyxl.styles import Font

    operation = bilan["operation"]
    writer = XlsxWriter(title=f"Bilan d'exécution financier — {operation.code}")
    sheet = writer.sheet("Dépenses")
    bold = Font(bold=True)
    writer.append(sheet, [f"{operation.code} — {operation.intitule}"], font=Font(bold=True, size=13))
    writer.append(sheet, [f"Bilan d'exécution financier du {bilan['du']:%d/%m/%Y} au {bilan['au']:%d/%m/%Y}"])
    writer.append(
        sheet, ["Catégorie", "Ligne", "Prévu (€)", "Réalisé (€)", "Pièces justificatives"], font=bold
    )
    for ligne in bilan["lignes"]:
        writer.append(
            sheet, [ligne.rubrique, ligne.libelle, ligne.prevu, ligne.realise, " ; ".join(ligne.pieces)]
        )
    writer.append(
        sheet, ["Total des dépenses", "", bilan["total_prevu"], bilan["total_realise"], ""], font=bold
    )
    ressources = writer.sheet("Ressources")
    writer.append(
        ressources, ["Financeur", "Prévu (€)", "Taux prévu (%)", "Réalisé (€)", "Taux réalisé (%)"], font=bold
    )
    for f in bilan["plan"].financeurs:
        writer.append(
            ressources, [f["libelle"], f["prevu"], f["taux_prevu"], f["realise"], f["taux_realise"]]
        )
    writer.append(
        ressources,
        ["Total des ressources", bilan["ressources_prevu"], None, bilan["ressources_realise"], None],
        font=bold,
    )
    controle = writer.sheet("Contrôle de service fait")
    writer.append(controle, ["Manque à lever avant de déposer le bilan"], font=bold)
    for manque in bilan["controle"] or ["Rien ne manque."]:
        writer.append(controle, [manque])
    for ws in (sheet, ressources):
        for row in ws.iter_rows(min_row=2):
            for cell in row:
                if isinstance(cell.value, Decimal):
                    cell.number_format = "#,##0.00"
    return writer.content()


# --- the monthly time state --------------------------------------------------------------------


def etat_mensuel(personnel, operation, month):
    """Day by day of ``month`` (its 1st), the hours of ``personnel`` on ``operation``, on other
    lines and in total, from their current sheets (1 query), and whether every week is
    validated."""
    last = month.replace(day=couts.jours_du_mois(month))
    jours = {
        month + datetime.timedelta(days=i): {"operation": ZERO, "autres": ZERO}
        for i in range((last - month).days + 1)
    }
    statuts = set()
    for ligne in (
        LigneTemps.objects.filter(fiche__personnel=personnel, jour__range=(month, last))
        .exclude(fiche__statut=StatutFiche.REMPLACEE)
        .select_related("fiche")
    ):
        key = "operation" if ligne.operation_id == operation.pk else "autres"
        jours[ligne.jour][key] += ligne.heures
        statuts.add(ligne.fiche.statut)
    rows = [
        {
            "jour": day,
            "libelle": temps.libelle_jour(day),
            **values,
            "total": values["operation"] + values["autres"],
        }
        for day, values in jours.items()
    ]
    return {
        "personnel": personnel,
        "operation": operation,
        "mois": month,
        "rows": rows,
        "total_operation": sum((r["operation"] for r in rows), ZERO),
        "total": sum((r["total"] for r in rows), ZERO),
        "tout_valide": statuts <= {StatutFiche.VALIDEE} and bool(statuts),
    }


def etat_mensuel_pdf(etat):
    title = "État mensuel du temps d’activité"
    return _pdf(
        "finances/pdf/etat_mensuel.html",
        {
            **etat,
            "title": title,
            "pied": f"{title} — {etat['operation'].code} — {etat['mois']:%m/%Y}",
            "edited_at": timezone.localtime(),
        },
    )


def etat_mensuel_xlsx(etat):
    """The monthly time state as a workbook (the same rows as the PDF)."""
    from openpyxl.styles import Font

    operation, personnel = etat["operation"], etat["personnel"]
    writer = XlsxWriter(title=f"État mensuel du temps — {operation.code}")
    sheet = writer.sheet(f"{etat['mois']:%m-%Y}")
    bold = Font(bold=True)
    writer.append(
        sheet, [f"{personnel} — {operation.code} — {etat['mois']:%m/%Y}"], font=Font(bold=True, size=13)
    )
    writer.append(sheet, ["Jour", "Heures sur l'opération", "Autres heures", "Total"], font=bold)
    for row in etat["rows"]:
        writer.append(sheet, [row["jour"], row["operation"], row["autres"], row["total"]])
    writer.append(sheet, ["Total du mois", etat["total_operation"], None, etat["total"]], font=bold)
    for (cell,) in sheet.iter_rows(min_row=3, max_col=1):
        cell.number_format = "DD/MM/YYYY"
    return writer.content()
