"""The form of an exit type of a PLIE's referential (its administrateur's page).

The criteria are typed as JSON in a textarea and checked here (« JSON invalide : … », then
:func:`parcours.sorties.criteres_errors`) so the errors show on the field; the code's uniqueness
and the other rules are :func:`parcours.referentiels.type_sortie_save`'s, shown per field through
``add_service_errors``."""

import json

from django import forms

from parcours.enums import CategorieEtape, CategorieSortie, ClasseNationale
from parcours.models import TypeSortie
from parcours.referentiels import code_errors, code_etape_errors, normalise_code, normalise_code_etape
from parcours.sorties import CRITERES, criteres_errors
from participants.forms import DossierFormMixin

CRITERES_HELP = (
    "Une liste de critères en JSON ; la sortie est validable dès que l'un d'eux est rempli. "
    'Exemple : [{"type": "heures_fenetre", "heures": 900, "fenetre_mois": 9, "meme_employeur": true}, '
    '{"type": "duree_emploi", "mois": 6}]. Types : ' + ", ".join(sorted(CRITERES)) + ". Vide ou [] : "
    "pas de règle en emploi."
)


def criteres_text(criteres):
    """The criteria as the textarea shows them: one criterion per line."""
    if not criteres:
        return "[]"
    lines = ",\n".join(f"  {json.dumps(critere, ensure_ascii=False)}" for critere in criteres)
    return f"[\n{lines}\n]"


class TypeSortieForm(DossierFormMixin, forms.Form):
    code = forms.CharField(
        label="Code",
        max_length=40,
        help_text="Lettres sans accents, chiffres, « _ » ou « - » (par exemple CDD_6M) ; "
        "il ne change plus une fois des sorties enregistrées.",
    )
    libelle = forms.CharField(label="Libellé", max_length=150)
    categorie = forms.ChoiceField(label="Catégorie", choices=[("", "Choisir…"), *CategorieSortie.choices])
    criteres = forms.CharField(
        label="Critères de validation",
        required=False,
        widget=forms.Textarea(attrs={"rows": 6, "class": "font-monospace", "spellcheck": "false"}),
        help_text=CRITERES_HELP,
    )
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

    def clean_criteres(self):
        text = (self.cleaned_data.get("criteres") or "").strip()
        if not text:
            return []
        try:
            criteres = json.loads(text)
        except json.JSONDecodeError as error:
            raise forms.ValidationError(
                f"JSON invalide : erreur ligne {error.lineno}, colonne {error.colno}. Vérifiez les "
                'crochets, les accolades, les virgules et les guillemets droits ("…").'
            ) from error
        errors = criteres_errors(criteres)
        if errors:
            raise forms.ValidationError(errors)
        return criteres


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
