from django import forms

from parcours.importation.lecture import FichierInvalide, check_xlsx_size, format_of
from plie.core.forms import StyledFormMixin

TAILLE_MAX = 50 * 1024 * 1024  # 100,000 rows of CSV weigh about 15 Mo


class ImportParcoursForm(StyledFormMixin, forms.Form):
    plie = forms.ChoiceField(label="PLIE", required=False)
    fichier = forms.FileField(
        label="Fichier de l'ancien outil",
        help_text="CSV (UTF-8 ou Windows-1252, séparateur « ; » ou « , ») ou XLSX, une ligne par parcours.",
    )
    dry_run = forms.BooleanField(label="Vérifier le fichier sans rien importer", required=False)

    def __init__(self, *args, plies, **kwargs):
        super().__init__(*args, **kwargs)
        self.plies = {str(p.pk): p for p in plies}
        self.fields["plie"].choices = [(str(p.pk), p.nom) for p in plies]
        if len(plies) == 1:
            self.fields["plie"].initial = str(plies[0].pk)
            self.fields["plie"].widget = forms.HiddenInput()

    def clean_plie(self):
        value = self.cleaned_data["plie"]
        if not value and len(self.plies) == 1:  # one PLIE administered: no choice to make
            return next(iter(self.plies.values()))
        if value not in self.plies:
            raise forms.ValidationError("Choisissez le PLIE dans lequel importer.")
        return self.plies[value]

    def clean_fichier(self):
        fichier = self.cleaned_data["fichier"]
        try:
            format_ = format_of(fichier.name)
        except FichierInvalide as exc:
            raise forms.ValidationError(str(exc)) from None
        if fichier.size > TAILLE_MAX:
            raise forms.ValidationError("Le fichier dépasse 50 Mo : découpez-le ou passez par la commande.")
        if fichier.size == 0:
            raise forms.ValidationError("Le fichier est vide.")
        if format_ == "xlsx":  # a « zip bomb » refused at once, before the task would parse it
            try:
                check_xlsx_size(fichier)
            except FichierInvalide as exc:
                raise forms.ValidationError(str(exc)) from None
        return fichier
