"""One participant, one record per operation (FSE+, docs/domaine.md §6; issue 13, item 7).

A participant who left and re-entered an operation had a second enrolment: counted twice in the
indicators, and the MDFSE file rejected as a duplicate. The duplicates are merged into ONE
enrolment before the constraint ``inscription_une_par_operation`` is set:

- kept: the earliest entry (its row, its entry date);
- the latest exit and state: open if any of the rows is open, else the latest exit date, with
  the exit data of the row that left last (SFC Support Portal, ESF monitoring FAQ on re-entries:
  « Only data associated with the initial entry and final exit date are required »);
- the entry questionnaire of the first entry, each answer left empty there taken from the next
  rows in order of entry (and the confirmation with it when the first was not confirmed);
- related rows moved: a carry-over pointing to a merged row (``report_de``) points to the kept
  one; the kept one takes the merged row's own ``report_de`` when it has none.

The migration prints how many enrolments it merged."""

from django.db import migrations, models

VIDES = (None, "")
SORTIE = (
    "date_sortie",
    "sortie_anticipee",
    "sortie_statut_emploi",
    "sortie_en_formation",
    "sortie_recherche_emploi",
    "sortie_qualification",
    "sortie_renseignee_le",
)
CONFIRMATION = ("date_questionnaire", "questionnaire_confirme_le", "questionnaire_confirme_par_id")


def fusionner(rows, answer_fields):
    """Merge ``rows`` (one participant's enrolments in one operation, earliest entry first) into
    ``rows[0]``; returns the kept row with its new values (not saved)."""
    garde, autres = rows[0], rows[1:]
    ouvertes = [row for row in rows if row.date_sortie is None]
    derniere = max(rows, key=lambda row: (row.date_sortie is None, row.date_sortie or row.date_entree, row.pk))
    for name in SORTIE:
        setattr(garde, name, getattr(derniere, name))
    if ouvertes:
        for name in SORTIE:
            setattr(garde, name, None if name != "sortie_statut_emploi" else "")
    for name in answer_fields:
        if getattr(garde, name) in VIDES:
            for row in autres:
                if getattr(row, name) not in VIDES:
                    setattr(garde, name, getattr(row, name))
                    break
    if garde.questionnaire_confirme_le is None:
        for row in autres:
            if row.questionnaire_confirme_le is not None:
                for name in CONFIRMATION:
                    setattr(garde, name, getattr(row, name))
                break
    if garde.parcours_id is None:
        garde.parcours_id = next((row.parcours_id for row in autres if row.parcours_id), None)
    return garde


def merge_duplicates(apps, schema_editor):
    from participants.models import QuestionnaireEntree

    Inscription = apps.get_model("operations", "Inscription")
    answer_fields = QuestionnaireEntree.answer_fields()
    doublons = (
        Inscription.objects.values("operation_id", "participant_id")
        .annotate(n=models.Count("pk"))
        .filter(n__gt=1)
        .order_by("operation_id", "participant_id")
    )
    fusionnees = 0
    for cle in doublons:
        rows = list(
            Inscription.objects.filter(
                operation_id=cle["operation_id"], participant_id=cle["participant_id"]
            ).order_by("date_entree", "pk")
        )
        garde = fusionner(rows, answer_fields)
        autres = [row.pk for row in rows[1:]]
        report_de = next((row.report_de_id for row in rows[1:] if row.report_de_id), None)
        # related rows first: carry-overs of the merged rows point to the kept one
        deja_reportee = Inscription.objects.filter(report_de_id=garde.pk).exists()
        suivantes = Inscription.objects.filter(report_de_id__in=autres).order_by("pk")
        if not deja_reportee and suivantes.exists():
            premiere = suivantes.first()
            suivantes.exclude(pk=premiere.pk).update(report_de=None)
            Inscription.objects.filter(pk=premiere.pk).update(report_de_id=garde.pk)
        else:
            suivantes.update(report_de=None)
        Inscription.objects.filter(pk__in=autres).update(report_de=None)
        Inscription.objects.filter(pk__in=autres).delete()
        if garde.report_de_id is None and report_de is not None and report_de not in autres:
            garde.report_de_id = report_de
        garde.save()
        fusionnees += len(autres)
    if schema_editor.connection.vendor == "postgresql":
        # fire the deferred foreign-key checks now: the constraint below alters the table
        schema_editor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    if fusionnees:
        print(f"\n  Inscriptions : {fusionnees} doublon(s) fusionné(s) (une inscription par participant et opération).")


class Migration(migrations.Migration):
    dependencies = [
        ("operations", "0001_initial"),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name="inscription",
            name="inscription_une_ouverte_par_operation",
        ),
        migrations.RunPython(merge_duplicates, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name="inscription",
            constraint=models.UniqueConstraint(
                fields=("operation", "participant"),
                name="inscription_une_par_operation",
                violation_error_message="Ce participant a déjà une inscription dans cette opération.",
            ),
        ),
    ]
