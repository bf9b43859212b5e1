"""The form of an exit type of a PLIE's referential (its administrateur's page).

The validation rule is typed criterion by criterion (:class:`CritereForm` rows of
:data:`CritereFormSet`: the kind of criterion, its figures, « même employeur / même agence »,
a weekly-hours minimum), never as JSON. Each row is checked by
:func:`parcours.sorties.critere_field_errors`, so a missing, out-of-range or contradictory
figure is shown on its own field, in French. The code's uniqueness and the other rules are
:func:`parcours.referentiels.type_sortie_save`'s, shown per field through ``add_service_errors``."""

from decimal import Decimal

from django import forms

from parcours.enums import CategorieEtape, CategorieSortie, ClasseNationale
from parcours.models import TypeSortie
from parcours.referentiels import code_errors, code_etape_errors, normalise_code, normalise_code_etape
from parcours.sorties import CRITERES, PARAMETRES, critere_field_errors
from plie.core.forms import DossierFormMixin

CRITERES_EXTRA = 2  # empty rows offered after the type's criteria
NUMBER_FIELDS = ("mois", "fenetre_mois", "semaines", "heures", "heures_hebdo_min", "mois_max")


def _number(value):
    """A typed figure as the rule stores it (JSON): an int when whole, else a float."""
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    return value


class CritereForm(DossierFormMixin, forms.Form):
    """One criterion of the rule; an empty row (no type, no figure) is ignored."""

    type = forms.ChoiceField(
        label="Critère",
        required=False,
        choices=[("", "Aucun (ligne vide)"), *((kind, spec[0]) for kind, spec in CRITERES.items())],
    )
    mois = forms.IntegerField(
        label=PARAMETRES["mois"],
        required=False,
        help_text="Durée d'emploi sans interruption, mois travaillés, ou mois d'activité d'une création.",
    )
    heures = forms.DecimalField(label=PARAMETRES["heures"], required=False, max_digits=7, decimal_places=1)
    semaines = forms.IntegerField(label=PARAMETRES["semaines"], required=False)
    fenetre_mois = forms.IntegerField(
        label=PARAMETRES["fenetre_mois"],
        required=False,
        help_text="Pour les heures, mois ou semaines travaillés : la période qui se termine le jour "
        "de validation.",
    )
    mois_max = forms.IntegerField(
        label=PARAMETRES["mois_max"],
        required=False,
        help_text="Formation longue : validable après ce nombre de mois de formation.",
    )
    heures_hebdo_min = forms.DecimalField(
        label=PARAMETRES["heures_hebdo_min"],
        required=False,
        max_digits=4,
        decimal_places=1,
        help_text="Par exemple 20 pour les contrats aidés ; vide : pas de minimum.",
    )
    meme_employeur = forms.BooleanField(label=PARAMETRES["meme_employeur"], required=False)

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        kind = data.get("type") or ""
        figures = {name: data.get(name) for name in NUMBER_FIELDS if data.get(name) is not None}
        if not kind:
            if figures or data.get("meme_employeur"):
                self.add_error("type", "Choisissez le type de critère (ou videz la ligne).")
            data["critere"] = None
            return data
        critere = {"type": kind, **{name: _number(value) for name, value in figures.items()}}
        if data.get("meme_employeur"):
            critere["meme_employeur"] = True
        for field, messages in critere_field_errors(critere).items():
            for message in messages:
                message = message[0].upper() + message[1:]
                self.add_error(field if field in self.fields else None, message)
        data["critere"] = critere
        return data


class BaseCritereFormSet(forms.BaseFormSet):
    def criteres(self):
        """The rule typed in the rows (valid formset only), in their order, deleted and empty rows
        left out."""
        return [
            form.cleaned_data["critere"]
            for form in self.forms
            if form.cleaned_data.get("critere") and not form.cleaned_data.get("DELETE")
        ]


CritereFormSet = forms.formset_factory(
    CritereForm, formset=BaseCritereFormSet, extra=CRITERES_EXTRA, can_delete=True, max_num=10
)


def criteres_initial(criteres):
    """The rows of :data:`CritereFormSet` for a stored rule."""
    rows = []
    for critere in criteres or []:
        if isinstance(critere, dict):
            rows.append({name: value for name, value in critere.items() if name in CritereForm.base_fields})
    return rows


def criteres_post_data(criteres, *, prefix="criteres", extra=CRITERES_EXTRA):
    """The POST data of the criteria rows for ``criteres`` (plus ``extra`` empty rows), as the
    browser sends it: what the tests post."""
    data = {
        f"{prefix}-TOTAL_FORMS": str(len(criteres) + extra),
        f"{prefix}-INITIAL_FORMS": "0",
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "10",
    }
    for index, critere in enumerate(criteres):
        for name, value in critere.items():
            if name == "meme_employeur":
                if value:
                    data[f"{prefix}-{index}-meme_employeur"] = "on"
            else:
                data[f"{prefix}-{index}-{name}"] = str(value)
    return data


class TypeSortieForm(DossierFormMixin, forms.Form):
    code = forms.CharField(
        label="Code",
        max_length=40,
        help_text="Lettres sans accents, chiffres, « _ » ou « - » (par exemple CDD_6M) ; "
        "il ne change plus une fois des sorties enregistrées.",
    )
    libelle = forms.CharField(label="Libellé", max_length=150)
    categorie = forms.ChoiceField(label="Catégorie", choices=[("", "Choisir…"), *CategorieSortie.choices])
    categorie_departement = forms.ChoiceField(
        label="Classement dans la nomenclature du Département",
        choices=TypeSortie.CategorieDepartement.choices,
        required=False,
        help_text="Classe de ces sorties dans les résultats des opérations jugées selon la nomenclature "
        "du Département (emploi durable, emploi de transition, sortie positive ; sortie dynamique = "
        "leur somme). Une sortie durable ou positive non validée compte en « Autre sortie ».",
    )
    classe_nationale = forms.ChoiceField(
        label="Classe dans la consolidation nationale",
        choices=[("", "Selon la catégorie"), *ClasseNationale.choices],
        required=False,
        help_text="Ligne du tableau des flux national où ces sorties sont comptées : les abandons sont "
        "les départs de leur propre chef ; seuls les déménagements, décès et retraites sont neutralisés "
        "dans le taux national « hors sorties neutralisées ».",
    )
    commission_requise = forms.BooleanField(label="Validation en commission", required=False)
    is_active = forms.BooleanField(
        label="Actif (proposé pour les nouvelles sorties)",
        required=False,
        help_text="Désactiver un type le retire des choix ; les sorties déjà enregistrées le gardent.",
    )
    ordre = forms.IntegerField(
        label="Ordre", min_value=0, max_value=32767, help_text="Rang dans la liste des types."
    )

    def __init__(self, *args, code_locked=False, **kwargs):
        self.code_locked = code_locked
        super().__init__(*args, **kwargs)

    def prepare_fields(self):
        if self.code_locked:
            field = self.fields["code"]
            field.disabled = True
            field.help_text = "Des sorties sont enregistrées avec ce code : il ne peut plus changer."

    def clean_code(self):
        code = normalise_code(self.cleaned_data.get("code"))
        errors = code_errors(code)
        if errors:
            raise forms.ValidationError(errors)
        return code


class TypeEtapeForm(DossierFormMixin, forms.Form):
    """One of the PLIE's own step types; the code's uniqueness (in the PLIE and among the common
    types) is :func:`parcours.referentiels.type_etape_save`'s, shown on the field."""

    code = forms.CharField(
        label="Code",
        max_length=40,
        help_text="Minuscules sans accents, chiffres, « - » ou « _ » (par exemple atelier-cv) ; "
        "différent des codes des types communs à tous les PLIE.",
    )
    libelle = forms.CharField(label="Libellé", max_length=150)
    categorie = forms.ChoiceField(label="Catégorie", choices=[("", "Choisir…"), *CategorieEtape.choices])
    is_active = forms.BooleanField(
        label="Actif (proposé pour les nouvelles étapes)",
        required=False,
        help_text="Désactiver un type le retire des choix ; les étapes déjà enregistrées le gardent.",
    )

    def clean_code(self):
        code = normalise_code_etape(self.cleaned_data.get("code"))
        errors = code_etape_errors(code)
        if errors:
            raise forms.ValidationError(errors)
        return code
