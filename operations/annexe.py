"""The participant annex of an operation's bilan d'exécution: who took part, when they entered and
left the operation, and with which results — the parcours' exit (its type, and its class in the
operation's own nomenclature, ``operations.nomenclatures``; docs/domaine.md §5) and the FSE exit situation
recorded within 4 weeks (docs/domaine.md §6, seed 004 l.7930-7945).

One ``values()`` query; XLSX (openpyxl) and PDF (WeasyPrint, landscape A4 with the shared frame
``components/pdf_page.html``, table headers repeated on every page)."""

from collections import Counter

from django.template.loader import render_to_string
from django.utils import timezone

from operations import mdfse
from operations.nomenclatures import NOMENCLATURES, classer
from participants.enums import StatutEmploi
from plie.core.writers import XlsxWriter

CHAMPS = (
    "id",
    "participant__nom",
    "participant__prenom",
    "participant__sexe",
    "participant__date_naissance",
    "date_entree",
    "date_sortie",
    "sortie_anticipee",
    "sortie_statut_emploi",
    "sortie_en_formation",
    "sortie_recherche_emploi",
    "sortie_qualification",
    "sortie_renseignee_le",
    "parcours__sortie__date_sortie",
    "parcours__sortie__type__libelle",
    "parcours__sortie__type__categorie",
    "parcours__sortie__type__categorie_departement",
    "parcours__sortie__validee",
)

ENTETES = (
    "N°",
    "Nom",
    "Prénom",
    "Sexe",
    "Date de naissance",
    "Entrée dans l'opération",
    "Sortie de l'opération",
    "Sortie du parcours",
    "Résultat (nomenclature de l'opération)",
    "Situation FSE à la sortie",
)
EMPLOIS = {
    StatutEmploi.INDEPENDANT: "indépendant / chef d'entreprise",
    StatutEmploi.EMPLOI_DURABLE: "emploi durable",
    StatutEmploi.EMPLOI_TEMPORAIRE: "emploi temporaire",
    StatutEmploi.EMPLOI_AIDE: "emploi aidé",
}


def situation_fse(row):
    """The FSE exit situation in words, ``""`` when not recorded."""
    if not row["sortie_renseignee_le"] and not row["sortie_statut_emploi"]:
        return ""
    parts = []
    if row["sortie_anticipee"]:
        parts.append("sortie anticipée")
    emploi = EMPLOIS.get(row["sortie_statut_emploi"])
    parts.append(f"en {emploi}" if emploi else "sans emploi")
    if row["sortie_en_formation"]:
        parts.append("en formation")
    if row["sortie_recherche_emploi"]:
        parts.append("en recherche d'emploi")
    if row["sortie_qualification"]:
        parts.append("qualification obtenue")
    return ", ".join(parts).capitalize()


def lignes(operation, scope, du=None, au=None):
    """One dict per enrolment present in the period (same selection as the MDFSE file)."""
    _du, au = mdfse.periode(operation, du, au)
    classes = {classe.code: classe.libelle for classe in NOMENCLATURES[operation.nomenclature]}
    rows = []
    queryset = mdfse.inscriptions(operation, scope, du, au).values(*CHAMPS)
    for numero, row in enumerate(queryset, start=1):
        sorti = row["date_sortie"] is not None and row["date_sortie"] <= au
        sortie_parcours = row["parcours__sortie__date_sortie"]
        sortie_parcours = sortie_parcours if sortie_parcours and sortie_parcours <= au else None
        type_sortie = row["parcours__sortie__type__libelle"] if sortie_parcours else ""
        if type_sortie and not row["parcours__sortie__validee"]:
            type_sortie += " (non validée)"
        classe = (
            classer(
                operation.nomenclature,
                row["parcours__sortie__type__categorie"],
                row["parcours__sortie__type__categorie_departement"],
                row["parcours__sortie__validee"],
            )
            if sortie_parcours
            else ""
        )
        rows.append(
            {
                "numero": numero,
                "nom": row["participant__nom"].upper(),
                "prenom": row["participant__prenom"],
                "sexe": row["participant__sexe"],
                "date_naissance": row["participant__date_naissance"],
                "date_entree": row["date_entree"],
                "date_sortie": row["date_sortie"] if sorti else None,
                "sortie_parcours": sortie_parcours,
                "type_sortie": type_sortie,
                "categorie": classe,
                "categorie_libelle": classes.get(classe, ""),
                "situation_fse": situation_fse(row) if sorti else "",
            }
        )
    return rows


def synthese(operation, rows, du, au):
    """Counts of the annex: participants, entries and exits in the period, parcours exits by class
    of the operation's nomenclature."""
    categories = Counter(row["categorie"] for row in rows if row["categorie"])
    return {
        "participants": len(rows),
        "entrees": sum(du <= row["date_entree"] <= au for row in rows),
        "sorties": sum(row["date_sortie"] is not None for row in rows),
        "categories": [
            (classe.libelle, categories[classe.code])
            for classe in NOMENCLATURES[operation.nomenclature]
            if categories[classe.code]
        ],
    }


def _valeurs(row):
    return [
        row["numero"],
        row["nom"],
        row["prenom"],
        row["sexe"],
        row["date_naissance"],
        row["date_entree"],
        row["date_sortie"],
        (f"{row['type_sortie']} le {row['sortie_parcours']:%d/%m/%Y}" if row["sortie_parcours"] else None),
        row["categorie_libelle"] or None,
        row["situation_fse"] or None,
    ]


def nom_fichier(operation, extension, du=None, au=None):
    return mdfse.nom_fichier(operation, extension, du, au).replace("mdfse-", "annexe-bilan-", 1)


def export_xlsx(operation, scope, du=None, au=None):
    from openpyxl.styles import Font, PatternFill
    from openpyxl.utils import get_column_letter

    du, au = mdfse.periode(operation, du, au)
    rows = lignes(operation, scope, du, au)
    writer = XlsxWriter()
    sheet = writer.sheet("Participants")
    writer.append(sheet, [f"{operation.code} — {operation.intitule}"], font=Font(bold=True, size=13))
    writer.append(sheet, [f"Annexe participants du bilan d'exécution, du {du:%d/%m/%Y} au {au:%d/%m/%Y}"])
    writer.append(
        sheet, ENTETES, font=Font(bold=True, color="FFFFFF"), fill=PatternFill("solid", fgColor="1D3F72")
    )
    for row in rows:
        writer.append(sheet, _valeurs(row))
    for column in (5, 6, 7):
        for (cell,) in sheet.iter_rows(min_row=4, min_col=column, max_col=column):
            cell.number_format = "DD/MM/YYYY"
    for index, entete in enumerate(ENTETES, start=1):
        values = [len(str(v)) for v in (_valeurs(row)[index - 1] for row in rows) if v is not None]
        width = max([len(entete), *values]) if index not in (5, 6, 7) else 12
        sheet.column_dimensions[get_column_letter(index)].width = min(max(width + 2, 6), 60)
    sheet.freeze_panes = "A4"
    sheet.print_title_rows = "3:3"
    sheet.page_setup.orientation = "landscape"
    return writer.content()


def export_pdf(operation, scope, du=None, au=None):
    from weasyprint import HTML

    from participants.pdf import STATIC_DIR, StaticOnlyFetcher

    du, au = mdfse.periode(operation, du, au)
    rows = lignes(operation, scope, du, au)
    title = "Bilan d'exécution — annexe participants"
    html = render_to_string(
        "operations/exports/annexe_pdf.html",
        {
            "title": title,
            # The footer is a CSS string: no character HTML-escaping would mangle (’ not ').
            "pied": f"{title.replace(chr(39), '’')} — {operation.code} — document confidentiel",
            "operation": operation,
            "plie": operation.plie,
            "du": du,
            "au": au,
            "rows": rows,
            "synthese": synthese(operation, rows, du, au),
            "edited_at": timezone.localtime(),
        },
    )
    return HTML(string=html, base_url=STATIC_DIR.as_uri() + "/", url_fetcher=StaticOnlyFetcher()).write_pdf()
