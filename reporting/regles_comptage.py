"""How the reports date and count an exit: stated once, here, and printed on each report's face
(the page, its PDF, its CSV/XLSX title lines) from the constants below.

**Dating.** An exit is dated on the day the person left: the first day of the job (the hiring),
the end of the training, the day of the move… (``Sortie.date_sortie``, copied to
``Parcours.date_sortie`` when the exit is validated). It counts in the period (month, year) of
that date, never in the period of its recording or of its validation. A job exit validated in
September, six months after a hiring on 15 March, is an exit of March.

**The PLIE bilan (and the FSE indicators, the dashboards, the national consolidation) counts
validated exits only** (:data:`REGLE_BILAN`). ``Parcours.date_sortie`` is set when the exit is
validated (or imported); a job exit still « en suivi dans l'emploi » is not an exit yet: the
parcours is still in parcours, in the stock at the end of the period. A positive exit counts
as positive once validated (docs/domaine.md §5 (c)). So the bilan of a year may change when an
exit of that year is validated later: that is why a year is **closed**
(:class:`reporting.models.Cloture`) and later changes shown as a rectificatif.

**The Département's monthly report counts every recorded exit** (:data:`REGLE_MENSUEL`, seed
``003`` l.175–192: the month's exits and their nature, reported by the 10th of the next month).
A job exit counts in the month of hiring as soon as it is recorded: a
:class:`~parcours.models.Sortie` row exists (a withdrawn exit's row is deleted, so it no longer
counts), even while the parcours is « en suivi dans l'emploi » and ``Parcours.date_sortie`` is
still empty. Its date is ``Parcours.date_sortie`` when set, else ``Sortie.date_sortie``
(:func:`reporting.flux.avec_sortie_enregistree`). An exit recorded but not validated yet is
flagged **« en cours de validation »**: a count of those on the report, a column on each exit
type's line. In the flow table it is neither a positive exit (never count an unvalidated job as
positive, docs/domaine.md §5 (c)) nor a « sortie sans suite »: it has its own line,
« sorties positives en cours de validation ». In the Département's nomenclature it counts in its
exit type's class (emploi durable, transition, positive), flagged.

**Flow invariant of the monthly report.** The same date is used everywhere in it:
« en parcours le jour J » = entered on or before J and no recorded exit dated on or before J. So
a parcours with a job exit recorded on 15 March and not validated yet is **not** « en parcours en
fin de mois » on 31 March (it is in the bilan's stock, which counts validated exits only), and

    en parcours la veille du 1er + entrées − sorties = en parcours en fin de mois
    sorties = positives validées + positives en cours de validation + sans suite

hold exactly (:func:`reporting.flux.flux_depuis` checks both). If the exit is then withdrawn,
the parcours is back in parcours for every month since: the closed month shows it as a
rectificatif.

**Closed periods.** Whatever the rule, a month or a year closed by its gestionnaire is shown from
its stored version (:mod:`reporting.clotures`); a later change of its data is shown as a
« rectificatif », never silently."""

REGLE_DATATION = (
    "Une sortie est datée du jour où la personne est partie (début de l'emploi, fin de la "
    "formation…) et compte dans la période de cette date."
)
REGLE_BILAN = (
    f"{REGLE_DATATION} Le bilan du PLIE ne compte que les sorties validées : une sortie en emploi "
    "encore en suivi dans l'emploi n'est pas une sortie ; une sortie positive n'est comptée "
    "positive qu'une fois validée."
)
REGLE_MENSUEL = (
    f"{REGLE_DATATION} Le reporting mensuel du Département compte une sortie dès qu'elle est "
    "enregistrée (une sortie en emploi dans le mois de l'embauche, même pendant le suivi dans "
    "l'emploi) et signale « en cours de validation » celles qui ne sont pas encore validées ; "
    "elles ne sont pas comptées parmi les sorties positives validées, et la personne n'est plus "
    "comptée en parcours à partir de la date de sa sortie."
)
REGLES = {"bilan": REGLE_BILAN, "mensuel": REGLE_MENSUEL}
