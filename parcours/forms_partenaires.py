"""Forms of the partner space (issue 16): a prescripteur's orientation, an opérateur's presence
and étape outcome. They parse what the partner typed; the rules live in
:mod:`parcours.services.partenaires`."""

from django import forms
from django.forms.models import fields_for_model
from django.utils import timezone

from parcours.forms_etat import ObjectChoiceField
from participants.enums import Sexe
from participants.models import Participant
from participants.services import ORIENTATION_FIELDS
from plie.core.forms import DossierFormMixin, date_field

_IDENTITE = fields_for_model(Participant, fields=[f for f in ORIENTATION_FIELDS if f != "date_naissance"])


class OrientationForm(DossierFormMixin, forms.Form):
    """« Orienter une personne » : the PLIE and the prescripteur (when the user has a choice), the
    person's identity and contact, the reason."""

    plie = ObjectChoiceField(label="PLIE")
    prescripteur = ObjectChoiceField(label="Structure qui oriente")
    nom = _IDENTITE["nom"]
    prenom = _IDENTITE["prenom"]
    nom_naissance = _IDENTITE["nom_naissance"]
    sexe = forms.ChoiceField(label="Sexe", choices=Sexe.choices, widget=forms.RadioSelect)
    date_naissance = date_field("Date de naissance")
    adresse = _IDENTITE["adresse"]
    code_postal = _IDENTITE["code_postal"]
    commune = _IDENTITE["commune"]
    telephone = _IDENTITE["telephone"]
    email = _IDENTITE["email"]
    identifiant_france_travail = _IDENTITE["identifiant_france_travail"]
    motif_orientation = forms.CharField(
        label="Motif de l'orientation",
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Pourquoi un accompagnement PLIE : la situation, ce que la personne attend.",
    )
    age_confirme = forms.BooleanField(
        label="Je confirme la date de naissance", required=False, widget=forms.HiddenInput
    )
    doublons_ecartes = forms.BooleanField(
        label="Il s'agit d'une autre personne : orienter quand même", required=False, widget=forms.HiddenInput
    )

    def __init__(self, *args, plies, prescripteurs, **kwargs):
        self.plies, self.prescripteurs = plies, prescripteurs
        super().__init__(*args, **kwargs)

    def prepare_fields(self):
        self.fields["plie"].set_objects(self.plies)
        self.fields["prescripteur"].set_objects(self.prescripteurs)
        if len(self.plies) == 1:
            self.fields["plie"].initial = self.plies[0]
        if len(self.prescripteurs) == 1:
            self.fields["prescripteur"].initial = self.prescripteurs[0]

    def ask(self, name):
        """Show the checkbox ``name`` (age or duplicates to confirm) after the service asked."""
        self.fields[name].widget = forms.CheckboxInput()

    def service_kwargs(self):
        data = dict(self.cleaned_data)
        return {"plie": data.pop("plie"), **data}


class PresenceForm(DossierFormMixin, forms.Form):
    date = date_field("Jour", initial=timezone.localdate)
    present = forms.TypedChoiceField(
        label="Présence",
        choices=[("1", "Présent(e)"), ("0", "Absent(e)")],
        coerce=lambda value: value == "1",
        widget=forms.RadioSelect,
    )


class EtapeResultatForm(DossierFormMixin, forms.Form):
    date_fin = date_field("Fin effective")
    resultat = forms.CharField(label="Résultat", max_length=255)
