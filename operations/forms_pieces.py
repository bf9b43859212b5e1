"""Forms of the proofs of realisation: a collective session, who takes part in it, and the period
of the entretiens extraction. Rules (who may be registered) live in :mod:`operations.pieces`."""

from django import forms

from operations.models import ActionCollective
from operations.pieces import participants_inscrits_le
from parcours.forms import HeureField
from plie.core.dates import INPUT_FORMATS
from plie.core.forms import DATE_HELP, StyledFormMixin, date_widget

FORMATS = (("csv", "CSV"), ("xlsx", "XLSX (Excel)"), ("pdf", "PDF"))


class ActionCollectiveForm(StyledFormMixin, forms.ModelForm):
    heure_debut = HeureField(label="De", required=False)
    heure_fin = HeureField(label="À", required=False)

    class Meta:
        model = ActionCollective
        fields = ["intitule", "date", "heure_debut", "heure_fin", "lieu", "animateur", "compte_rendu"]
        widgets = {"date": date_widget(), "compte_rendu": forms.Textarea(attrs={"rows": 4})}
        help_texts = {
            "date": DATE_HELP,
            "compte_rendu": "Déroulé, contenus abordés ; pas de donnée personnelle.",
        }

    def __init__(self, *args, operation, **kwargs):
        self.operation = operation
        super().__init__(*args, **kwargs)
        self.fields["date"].input_formats = INPUT_FORMATS

    def clean_date(self):
        day = self.cleaned_data["date"]
        operation = self.operation
        if not operation.date_debut <= day <= operation.date_fin:
            raise forms.ValidationError(
                f"La date doit être comprise dans la période de l'opération "
                f"(du {operation.date_debut:%d/%m/%Y} au {operation.date_fin:%d/%m/%Y})."
            )
        return day

    def clean(self):
        cleaned = super().clean()
        debut, fin = cleaned.get("heure_debut"), cleaned.get("heure_fin")
        if debut and fin and fin <= debut:
            self.add_error("heure_fin", "L'heure de fin doit suivre l'heure de début.")
        return cleaned


class InscriptionActionForm(StyledFormMixin, forms.Form):
    """Registers participants enrolled in the operation on the session's date."""

    participants = forms.ModelMultipleChoiceField(
        label="Participants à inscrire",
        queryset=None,
        widget=forms.CheckboxSelectMultiple,
        error_messages={
            "invalid_choice": "Ce participant n'est pas inscrit à l'opération le jour de la séance.",
            "required": "Choisissez au moins un participant.",
        },
    )

    def __init__(self, *args, action, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["participants"].queryset = (
            participants_inscrits_le(action.operation, action.date)
            .exclude(presences__action=action)
            .order_by("nom", "prenom", "pk")
        )


class PeriodeForm(StyledFormMixin, forms.Form):
    """The period (``du``, ``au``) and format of the entretiens extraction, read from the query string."""

    du = forms.DateField(label="Du", required=False, widget=date_widget(), input_formats=INPUT_FORMATS)
    au = forms.DateField(label="Au", required=False, widget=date_widget(), input_formats=INPUT_FORMATS)
    format = forms.ChoiceField(label="Format", choices=FORMATS, required=False)

    def clean(self):
        cleaned = super().clean()
        du, au = cleaned.get("du"), cleaned.get("au")
        if du and au and au < du:
            self.add_error("au", "La fin de la période doit suivre son début.")
        return cleaned
