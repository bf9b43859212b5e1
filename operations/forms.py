"""The operations' forms: they parse what the user typed and show errors per field; the rules
live in :mod:`operations.services`."""

from django import forms

from operations.enums import PieceJustificative
from operations.models import Inscription, Operation
from operations.services import OPERATION_FIELDS, QUESTIONNAIRE_FIELDS, SORTIE_DATA_FIELDS, porteurs_of
from parcours.models import Parcours
from participants.forms import drop_sensitive_answers
from plie.core.forms import DATE_HELP, DossierFormMixin, date_field, date_widget, oui_non_field, radio_field
from plie.core.models import Structure


class ServiceValidatedMixin(DossierFormMixin):
    """A ModelForm used only to parse what was typed: the rules (with French messages per field)
    are the service's, so the model's own validation (English constraint messages) is skipped."""

    def _post_clean(self):
        pass


class OperationForm(ServiceValidatedMixin, forms.ModelForm):
    """An operation's identity, period, programme, budget, places and targets. ``plie_ids``: the
    PLIE the user manages (a choice only when creating, and only if there are several)."""

    plie = forms.ModelChoiceField(label="PLIE", queryset=Structure.objects.none(), empty_label="Choisir…")
    pieces_requises = forms.MultipleChoiceField(
        label="Pièces justificatives exigées",
        choices=PieceJustificative.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    field_order = ["plie"]

    class Meta:
        model = Operation
        fields = OPERATION_FIELDS
        widgets = {
            "date_debut": date_widget(),
            "date_fin": date_widget(),
        }
        help_texts = {
            "date_debut": DATE_HELP,
            "date_fin": "Format jj/mm/aaaa ; le plus souvent le 31/12 de l'année.",
            "code": "Unique dans le PLIE, par exemple ACC-2026.",
        }

    def __init__(self, *args, plie_ids, plie=None, **kwargs):
        self.plie_ids, self.fixed_plie = plie_ids, plie
        super().__init__(*args, **kwargs)

    def prepare_fields(self):
        if self.fixed_plie is not None:  # update: the PLIE does not change
            del self.fields["plie"]
            self.fields["porteur"].queryset = porteurs_of(self.fixed_plie.pk)
            return
        field = self.fields["plie"]
        field.queryset = Structure.objects.plies().filter(id__in=self.plie_ids).order_by("nom")
        if len(self.plie_ids) == 1:
            (plie_id,) = self.plie_ids
            field.initial, field.empty_label = plie_id, None
            self.fields["porteur"].queryset = porteurs_of(plie_id)
        else:
            from django.db.models import Q

            self.fields["porteur"].queryset = (
                Structure.objects.filter(
                    Q(pk__in=self.plie_ids) | Q(kind="operateur", plies__in=self.plie_ids)
                )
                .distinct()
                .order_by("-kind", "nom")
            )
        self.fields["porteur"].empty_label = "Choisir…"

    def operation_data(self):
        return {name: self.cleaned_data[name] for name in OPERATION_FIELDS}


class InscriptionForm(DossierFormMixin, forms.Form):
    """Enrol one participant of the PLIE who has a parcours (in progress)."""

    parcours = forms.ModelChoiceField(
        label="Participant", queryset=Parcours.objects.none(), empty_label="Choisir…"
    )
    date_entree = date_field(
        "Date d'entrée dans l'opération",
        required=False,
        help_text="Format jj/mm/aaaa. Vide : la date d'entrée en parcours, ou le début de l'opération "
        "si elle est postérieure.",
    )

    def __init__(self, *args, operation, **kwargs):
        self.operation = operation
        super().__init__(*args, **kwargs)

    def prepare_fields(self):
        field = self.fields["parcours"]
        field.queryset = (
            Parcours.objects.filter(plie_id=self.operation.plie_id, date_entree__lte=self.operation.date_fin)
            .exclude(date_sortie__lt=self.operation.date_debut)
            .exclude(participant_id__in=self.operation.inscriptions.ouvertes().values("participant_id"))
            .select_related("participant")
            .order_by("participant__nom", "participant__prenom", "pk")
        )
        field.label_from_instance = lambda p: (
            f"{p.participant} — entré(e) le {p.date_entree:%d/%m/%Y}"
            + (f", sorti(e) le {p.date_sortie:%d/%m/%Y}" if p.date_sortie else "")
        )


class QuestionnaireForm(ServiceValidatedMixin, forms.ModelForm):
    """The enrolment's FSE entry questionnaire (DGEFP, 26/11/2018), pre-filled from the dossier."""

    statut_emploi = radio_field(Inscription, "statut_emploi")
    en_formation = oui_non_field(Inscription, "en_formation")
    recherche_emploi = oui_non_field(Inscription, "recherche_emploi")
    niveau_formation = radio_field(Inscription, "niveau_formation")
    handicap_reconnu = oui_non_field(Inscription, "handicap_reconnu")
    minima_sociaux = oui_non_field(Inscription, "minima_sociaux")
    beneficiaire_rsa = oui_non_field(Inscription, "beneficiaire_rsa")
    sans_domicile = radio_field(Inscription, "sans_domicile")
    parent_ne_etranger = radio_field(Inscription, "parent_ne_etranger")
    menage_sans_emploi = oui_non_field(Inscription, "menage_sans_emploi")
    menage_enfants = oui_non_field(Inscription, "menage_enfants")
    menage_monoparental = oui_non_field(Inscription, "menage_monoparental")

    class Meta:
        model = Inscription
        fields = QUESTIONNAIRE_FIELDS
        widgets = {
            "date_questionnaire": date_widget(),
            "duree_recherche_mois": forms.NumberInput(attrs={"min": 0, "max": 600, "inputmode": "numeric"}),
        }
        help_texts = {
            "date_questionnaire": "Format jj/mm/aaaa ; pas avant la date d'entrée dans l'opération."
        }

    def __init__(self, *args, sensitive=True, **kwargs):
        super().__init__(*args, **kwargs)
        drop_sensitive_answers(self, sensitive=sensitive)

    def questionnaire_data(self):
        return {name: self.cleaned_data[name] for name in QUESTIONNAIRE_FIELDS if name in self.fields}


class SortieForm(ServiceValidatedMixin, forms.ModelForm):
    """The exit from the operation and the exit data (situation in the 4 weeks after leaving)."""

    sortie_anticipee = oui_non_field(Inscription, "sortie_anticipee")
    sortie_statut_emploi = radio_field(Inscription, "sortie_statut_emploi")
    sortie_en_formation = oui_non_field(Inscription, "sortie_en_formation")
    sortie_recherche_emploi = oui_non_field(Inscription, "sortie_recherche_emploi")
    sortie_qualification = oui_non_field(Inscription, "sortie_qualification")

    class Meta:
        model = Inscription
        fields = ("date_sortie", *SORTIE_DATA_FIELDS)
        widgets = {"date_sortie": date_widget()}
        help_texts = {"date_sortie": "Format jj/mm/aaaa ; ni avant l'entrée, ni après la fin de l'opération."}

    def prepare_fields(self):
        self.fields["date_sortie"].required = True
        self.fields["date_sortie"].error_messages["required"] = "La date de sortie est obligatoire."

    def sortie_data(self):
        return {name: self.cleaned_data[name] for name in SORTIE_DATA_FIELDS}


class ReportForm(DossierFormMixin, forms.Form):
    cible = forms.ModelChoiceField(
        label="Opération de l'année suivante", queryset=Operation.objects.none(), empty_label="Choisir…"
    )

    def __init__(self, *args, cibles, **kwargs):
        self.cibles = cibles
        super().__init__(*args, **kwargs)

    def prepare_fields(self):
        self.fields["cible"].queryset = self.cibles
        self.fields["cible"].label_from_instance = lambda o: (
            f"{o.code} — {o.intitule} (du {o.date_debut:%d/%m/%Y} au {o.date_fin:%d/%m/%Y})"
        )


class OperationFilterForm(forms.Form):
    annee = forms.TypedChoiceField(label="Année", required=False, coerce=int, empty_value=None)
    plie = forms.ChoiceField(label="PLIE", required=False)

    def __init__(self, *args, annees, plies, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["annee"].choices = [("", "Toutes")] + [(year, str(year)) for year in annees]
        # the PLIE's code, as the API's ``?plie=`` (operations.filters.OperationFilter)
        self.fields["plie"].choices = [("", "Tous")] + [(plie.code, plie.nom) for plie in plies]
        for field in self.fields.values():
            field.widget.attrs["class"] = "form-select form-select-sm"
