from django import forms

from plie.core.forms import StyledFormMixin


class JournalFilterForm(StyledFormMixin, forms.Form):
    """The journal's search: by PLIE, person (dossier number), user (e-mail), period."""

    plie = forms.TypedChoiceField(label="PLIE", coerce=int, required=False)
    participant = forms.IntegerField(label="N° de dossier", required=False, min_value=1)
    utilisateur = forms.CharField(label="Utilisateur (adresse électronique)", required=False, max_length=254)
    du = forms.DateField(label="Du", required=False, help_text="jj/mm/aaaa")
    au = forms.DateField(label="Au", required=False, help_text="jj/mm/aaaa")

    def __init__(self, *args, plies, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["plie"].choices = [("", "Tous mes PLIE"), *[(p.pk, p.nom) for p in plies]]

    def clean(self):
        data = super().clean()
        if data.get("du") and data.get("au") and data["du"] > data["au"]:
            self.add_error("au", "La fin de la période précède son début.")
        return data


class OppositionForm(StyledFormMixin, forms.Form):
    motif = forms.CharField(
        label="Motif", max_length=255, help_text="Pourquoi le dossier doit être gardé (sans donnée de santé)."
    )
    jusqu_au = forms.DateField(label="Garder le dossier jusqu'au", help_text="jj/mm/aaaa, un an au plus")
