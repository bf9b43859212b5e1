from django import forms

from finances.enums import CategorieDepense, Financeur, ModeAffectation, ModeIndirects, Nature
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
        localize=True,
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
        localize=True,
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


class SalaireForm(ServiceErrorsMixin, StyledFormMixin, forms.Form):
    personnel = forms.ModelChoiceField(label="Personne", queryset=None)
    mois = forms.DateField(
        label="Mois",
        input_formats=["%Y-%m", "%m/%Y"],
        widget=forms.DateInput(attrs={"type": "month"}, format="%Y-%m"),
    )
    brut = forms.DecimalField(
        localize=True, label="Salaire brut (€)", max_digits=10, decimal_places=2, min_value=0
    )
    charges = forms.DecimalField(
        localize=True, label="Charges patronales (€)", max_digits=10, decimal_places=2, min_value=0
    )
    heures_travaillees = forms.DecimalField(
        localize=True, label="Heures travaillées dans le mois", max_digits=6, decimal_places=2, min_value=0
    )

    def __init__(self, *args, personnels, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["personnel"].queryset = personnels


class ImportSalairesForm(StyledFormMixin, forms.Form):
    fichier = forms.FileField(
        label="Fichier CSV des salaires",
        help_text="Colonnes : email;mois;brut;charges;heures_travaillees (mois au format MM/AAAA).",
    )


class DepenseForm(ServiceErrorsMixin, StyledFormMixin, forms.Form):
    categorie = forms.ChoiceField(label="Catégorie", choices=CategorieDepense.choices)
    nature = forms.ChoiceField(label="Prévu / réalisé", choices=Nature.choices)
    libelle = forms.CharField(label="Libellé", max_length=255)
    date = forms.DateField(label="Date", required=False, widget=forms.DateInput(attrs={"type": "date"}))
    montant = forms.DecimalField(localize=True, label="Montant (€)", max_digits=12, decimal_places=2)
    piece = forms.FileField(label="Pièce justificative (facture, bulletin…)", required=False)


class RessourceForm(ServiceErrorsMixin, StyledFormMixin, forms.Form):
    financeur = forms.ChoiceField(label="Financeur", choices=Financeur.choices)
    nature = forms.ChoiceField(label="Prévu / réalisé", choices=Nature.choices)
    libelle = forms.CharField(label="Libellé", max_length=255, required=False)
    montant = forms.DecimalField(localize=True, label="Montant (€)", max_digits=12, decimal_places=2)
    piece = forms.FileField(label="Pièce justificative (convention, notification…)", required=False)


class ParametresForm(ServiceErrorsMixin, StyledFormMixin, forms.Form):
    mode_indirects = forms.ChoiceField(label="Dépenses indirectes", choices=ModeIndirects.choices)
    taux_forfaitaire = forms.DecimalField(
        localize=True,
        label="Taux forfaitaire (% des dépenses directes de personnel)",
        max_digits=5,
        decimal_places=2,
    )
    cle_repartition = forms.CharField(
        label="Clé de répartition", required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
