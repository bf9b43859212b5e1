"""The dossier's forms: they parse what the user typed and show errors per field; the rules
themselves live in :mod:`participants.services` (and the validators and FSE rules it calls)."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone

from participants.enums import Sexe
from participants.models import Participant, SituationEntree
from participants.services import (
    AGE_A_CONFIRMER,
    PARTICIPANT_FIELDS,
    SITUATION_FIELDS,
    age_message,
    frein_types_for,
)
from participants.validators import normalize_phone
from plie.core.forms import DATE_HELP, DossierFormMixin, date_field, date_widget, oui_non_field, radio_field
from plie.core.models import Structure
from plie.core.scoping import SENSITIVE_ANSWERS


class ParticipantForm(DossierFormMixin, forms.ModelForm):
    """Identity and contacts. Built without an instance (``initial`` holds the current values
    when editing), so that the service compares the typed birth date with the stored one."""

    sexe = forms.ChoiceField(label="Sexe", choices=Sexe.choices, widget=forms.RadioSelect)
    qpv = oui_non_field(Participant, "qpv")
    confirme_age = forms.BooleanField(
        label="Je confirme cette date de naissance (âge inhabituel mais exact)", required=False
    )
    pas_un_doublon = forms.BooleanField(label="Il ne s'agit pas de la même personne", required=False)

    class Meta:
        model = Participant
        fields = PARTICIPANT_FIELDS
        widgets = {
            "date_naissance": date_widget(autocomplete="bday"),
            "nom": forms.TextInput(attrs={"autocomplete": "family-name"}),
            "prenom": forms.TextInput(attrs={"autocomplete": "given-name"}),
            "adresse": forms.TextInput(attrs={"autocomplete": "street-address"}),
            "code_postal": forms.TextInput(attrs={"autocomplete": "postal-code", "inputmode": "numeric"}),
            "code_commune_naissance": forms.TextInput(attrs={"inputmode": "numeric"}),
            "telephone": forms.TextInput(attrs={"autocomplete": "tel", "inputmode": "tel"}),
            "telephone_fixe": forms.TextInput(attrs={"inputmode": "tel"}),
            "email": forms.EmailInput(attrs={"autocomplete": "email"}),
        }
        help_texts = {
            "date_naissance": DATE_HELP,
            "telephone": "Par exemple 06 12 34 56 78, ou +32… pour un numéro étranger.",
        }

    def __init__(self, *args, date_reference=None, **kwargs):
        self.date_reference = date_reference
        super().__init__(*args, **kwargs)

    def _clean_phone(self, name):
        return normalize_phone(self.cleaned_data.get(name, ""))

    def clean_telephone(self):
        return self._clean_phone("telephone")

    def clean_telephone_fixe(self):
        return self._clean_phone("telephone_fixe")

    def clean(self):
        cleaned = super().clean()
        date_naissance = cleaned.get("date_naissance")
        if date_naissance is None:
            return cleaned
        if date_naissance > timezone.localdate():
            self.add_error("date_naissance", "La date de naissance ne peut pas être future.")
        elif "date_naissance" in self.changed_data and not cleaned.get("confirme_age"):
            message = age_message(date_naissance, self.date_reference)
            if message:
                self.add_error("date_naissance", ValidationError(message, code=AGE_A_CONFIRMER))
        return cleaned

    @property
    def needs_age_confirmation(self):
        """The « je confirme » box is shown with the age warning (and stays once ticked)."""
        if not self.is_bound:
            return False
        return self.has_error("date_naissance", AGE_A_CONFIRMER) or bool(self["confirme_age"].value())

    def participant_data(self):
        return {name: self.cleaned_data[name] for name in PARTICIPANT_FIELDS}


class ParticipantCreateForm(ParticipantForm):
    plie = forms.ModelChoiceField(label="PLIE", queryset=Structure.objects.none(), empty_label="Choisir…")

    field_order = ["plie"]

    def __init__(self, *args, plie_ids, **kwargs):
        self.plie_ids = plie_ids
        super().__init__(*args, **kwargs)

    def prepare_fields(self):
        field = self.fields["plie"]
        field.queryset = Structure.objects.plies().filter(id__in=self.plie_ids).order_by("nom")
        if len(self.plie_ids) == 1:
            (field.initial,) = self.plie_ids
            field.empty_label = None


def drop_sensitive_answers(form, *, sensitive):
    """Take the sensitive answers (Q3, ``plie.core.scoping.SENSITIVE_ANSWERS``) out of an FSE
    questionnaire form when its user may not read them: they are neither shown nor changed."""
    if not sensitive:
        for name in SENSITIVE_ANSWERS:
            form.fields.pop(name, None)


class SituationForm(DossierFormMixin, forms.ModelForm):
    """The FSE entry questionnaire (DGEFP, 26/11/2018): the questions' labels and answer codes
    are the model's own."""

    statut_emploi = radio_field(SituationEntree, "statut_emploi")
    en_formation = oui_non_field(SituationEntree, "en_formation")
    recherche_emploi = oui_non_field(SituationEntree, "recherche_emploi")
    niveau_formation = radio_field(SituationEntree, "niveau_formation")
    handicap_reconnu = oui_non_field(SituationEntree, "handicap_reconnu")
    minima_sociaux = oui_non_field(SituationEntree, "minima_sociaux")
    beneficiaire_rsa = oui_non_field(SituationEntree, "beneficiaire_rsa")
    sans_domicile = radio_field(SituationEntree, "sans_domicile")
    parent_ne_etranger = radio_field(SituationEntree, "parent_ne_etranger")
    menage_sans_emploi = oui_non_field(SituationEntree, "menage_sans_emploi")
    menage_enfants = oui_non_field(SituationEntree, "menage_enfants")
    menage_monoparental = oui_non_field(SituationEntree, "menage_monoparental")

    class Meta:
        model = SituationEntree
        fields = SITUATION_FIELDS
        widgets = {
            "date_entree": date_widget(),
            "date_questionnaire": date_widget(),
            "duree_recherche_mois": forms.NumberInput(attrs={"min": 0, "max": 600, "inputmode": "numeric"}),
        }
        help_texts = {
            "date_entree": "Date d'entrée dans l'opération, jj/mm/aaaa ; pas dans le futur.",
            "date_questionnaire": DATE_HELP,
        }

    def __init__(self, *args, sensitive=True, **kwargs):
        super().__init__(*args, **kwargs)
        drop_sensitive_answers(self, sensitive=sensitive)

    def situation_data(self):
        return {name: self.cleaned_data[name] for name in SITUATION_FIELDS if name in self.fields}


class FreinForm(DossierFormMixin, forms.Form):
    type = forms.ChoiceField(label="Frein")
    precision = forms.CharField(label="Précision", max_length=255, required=False)
    date_identification = date_field("Identifié le", initial=timezone.localdate)

    def __init__(self, *args, scope, participant, **kwargs):
        self.scope, self.participant = scope, participant
        super().__init__(*args, **kwargs)

    def prepare_fields(self):
        self.fields["type"].choices = [("", "Choisir…"), *frein_types_for(self.scope, self.participant)]


class FreinLiftForm(DossierFormMixin, forms.Form):
    date_levee = date_field(
        "Levé le",
        required=False,
        help_text="Aujourd'hui si vide ; pas avant la date d'identification.",
        initial=timezone.localdate,
    )
