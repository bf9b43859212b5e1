from django import forms

from finances.enums import ModeAffectation
from plie.core.forms import StyledFormMixin


class ServiceErrorsMixin:
    def add_service_errors(self, error):
        if hasattr(error, "error_dict"):
            for name, errors in error.error_dict.items():
                self.add_error(name if name in self.fields else None, errors)
        else:
            self.add_error(None, error)


class PersonnelForm(ServiceErrorsMixin, StyledFormMixin, forms.Form):
    user = forms.ModelChoiceField(label="Personne", queryset=None)
    fonction = forms.CharField(label="Fonction", max_length=150, required=False)
    heures_jour = forms.DecimalField(
        label="Heures par jour (contrat)",
        max_digits=4,
        decimal_places=2,
        initial=7,
        help_text="Au-delà, une journée de la fiche temps est refusée (10 h au plus).",
    )
    responsable = forms.ModelChoiceField(
        label="Responsable hiérarchique (contresigne les fiches)", queryset=None, required=False
    )

    def __init__(self, *args, users, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["user"].queryset = users
        self.fields["responsable"].queryset = users


class AffectationForm(ServiceErrorsMixin, StyledFormMixin, forms.Form):
    operation = forms.ModelChoiceField(label="Opération", queryset=None)
    mode = forms.ChoiceField(label="Mode d'affectation", choices=ModeAffectation.choices)
    pourcentage = forms.DecimalField(
        label="Pourcentage mensuel",
        max_digits=5,
        decimal_places=2,
        required=False,
        help_text="Seulement pour une affectation à pourcentage fixe.",
    )
    date_debut = forms.DateField(label="Du", widget=forms.DateInput(attrs={"type": "date"}))
    date_fin = forms.DateField(label="Au", widget=forms.DateInput(attrs={"type": "date"}))
    justificatif = forms.FileField(
        label="Justificatif (contrat, lettre de mission, fiche de poste)", required=False
    )

    def __init__(self, *args, operations, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["operation"].queryset = operations
