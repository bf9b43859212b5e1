"""The follow-up's forms: they parse what the user typed and show errors per field; the rules
live in :mod:`parcours.services.suivi` (and :mod:`parcours.selectors` for the workspace's filters)."""

import datetime
import re

from django import forms
from django.core.exceptions import ValidationError

from parcours.enums import ModeEntretien, StatutParcours, SujetEntretien, TypeAlerte, TypeContrat
from parcours.selectors import DEFAULT_SORT, SORTS, STATUTS_ACTIFS
from parcours.services.suivi import operateurs_for, rdv_datetime, types_etape_for
from plie.core.forms import DossierFormMixin, date_field

TIME_RE = re.compile(r"^\s*(\d{1,2})\s*(?:[h:.]\s*(\d{2})?)?\s*$", re.IGNORECASE)


class HeureField(forms.Field):
    """A time typed « 14:30 », « 14h30 », « 14h » or « 9 »."""

    widget = forms.TextInput(attrs={"placeholder": "hh:mm", "inputmode": "numeric", "size": 6})

    def to_python(self, value):
        if value in (None, ""):
            return None
        if isinstance(value, datetime.time):
            return value
        match = TIME_RE.match(str(value))
        if match:
            hour, minute = int(match.group(1)), int(match.group(2) or 0)
            if hour < 24 and minute < 60:
                return datetime.time(hour, minute)
        raise ValidationError("Saisissez une heure au format hh:mm (par exemple 14:30).", code="invalid")


class MotifMixin(DossierFormMixin):
    """A closed parcours changes only by an administrateur who gives the reason: the form then
    asks for it (``motif``)."""

    def __init__(self, *args, parcours, **kwargs):
        self.parcours = parcours
        super().__init__(*args, **kwargs)

    def prepare_fields(self):
        if self.parcours.status == StatutParcours.SORTI:
            self.fields["motif"] = forms.CharField(
                label="Motif de la modification d'un parcours clos",
                help_text="Obligatoire : le parcours est sorti, la modification est journalisée.",
                max_length=100,
                required=False,  # the service says why it is needed
            )


class EntretienForm(MotifMixin, forms.Form):
    service_error_fields = {"prochain_rdv": "rdv_date"}

    date = date_field("Date de l'entretien")
    mode = forms.ChoiceField(
        label="Mode",
        choices=ModeEntretien.choices,
        initial=ModeEntretien.INDIVIDUEL,
        widget=forms.RadioSelect,
    )
    duree_minutes = forms.IntegerField(
        label="Durée (minutes)",
        required=False,
        min_value=1,
        max_value=600,
        widget=forms.NumberInput(attrs={"inputmode": "numeric", "step": 5, "class": "input-narrow"}),
    )
    sujets = forms.MultipleChoiceField(
        label="Sujets abordés",
        choices=SujetEntretien.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    notes = forms.CharField(label="Notes", required=False, widget=forms.Textarea(attrs={"rows": 4}))
    rdv_date = date_field("Date du rendez-vous", required=False)
    rdv_heure = HeureField(label="Heure du rendez-vous", required=False)

    def clean(self):
        cleaned = super().clean()
        day, heure = cleaned.get("rdv_date"), cleaned.get("rdv_heure")
        if day and heure is None and "rdv_heure" not in self.errors:
            self.add_error("rdv_heure", "Indiquez l'heure du rendez-vous.")
        if heure is not None and day is None and "rdv_date" not in self.errors:
            self.add_error("rdv_date", "Indiquez la date du rendez-vous.")
        return cleaned

    def entretien_data(self):
        data = self.cleaned_data
        return {
            "date": data["date"],
            "mode": data["mode"],
            "duree_minutes": data["duree_minutes"],
            "sujets": data["sujets"],
            "notes": data["notes"],
            "prochain_rdv": rdv_datetime(data["rdv_date"], data["rdv_heure"]),
            "motif": data.get("motif", ""),
        }


class EtapeForm(MotifMixin, forms.Form):
    """The étape and, for a job, its contract (fields ``contrat_*``), in one form so that both
    are saved together or not at all."""

    type = forms.ModelChoiceField(label="Type d'étape", queryset=None, empty_label="Choisissez…")
    operateur = forms.ModelChoiceField(label="Opérateur", queryset=None, required=False, empty_label="Aucun")
    date_debut = date_field("Début")
    date_fin_prevue = date_field("Fin prévue", required=False)
    date_fin = date_field("Fin effective", required=False)
    resultat = forms.CharField(label="Résultat", required=False, max_length=255)
    contrat_employeur = forms.CharField(label="Employeur", required=False, max_length=200)
    contrat_siret = forms.CharField(label="SIRET de l'employeur", required=False, max_length=20)
    contrat_type_contrat = forms.ChoiceField(
        label="Type de contrat", required=False, choices=[("", "Choisissez…"), *TypeContrat.choices]
    )
    contrat_heures_hebdo = forms.DecimalField(
        label="Heures par semaine",
        required=False,
        max_digits=4,
        decimal_places=1,
        localize=True,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "class": "input-narrow"}),
    )
    contrat_date_debut = date_field(
        "Début du contrat", required=False, help_text="Par défaut, le début de l'étape."
    )
    contrat_date_fin_prevue = date_field(
        "Fin prévue du contrat", required=False, help_text="Vide pour un CDI."
    )
    contrat_date_fin = date_field("Fin effective du contrat", required=False)
    fingerprint = forms.CharField(required=False, widget=forms.HiddenInput)

    ETAPE_NAMES = ("type", "operateur", "date_debut", "date_fin_prevue", "date_fin", "resultat")
    CONTRAT_NAMES = (
        "employeur",
        "siret",
        "type_contrat",
        "heures_hebdo",
        "date_debut",
        "date_fin_prevue",
        "date_fin",
    )

    def __init__(self, *args, etape=None, **kwargs):
        self.etape = etape
        super().__init__(*args, **kwargs)

    def prepare_fields(self):
        super().prepare_fields()
        plie_id = self.parcours.plie_id
        current = self.etape
        self.fields["type"].queryset = types_etape_for(plie_id, include=current.type if current else None)
        self.fields["operateur"].queryset = operateurs_for(
            plie_id, include=current.operateur if current else None
        )

    def etape_data(self):
        return {name: self.cleaned_data[name] for name in self.ETAPE_NAMES}

    def contrat_data(self):
        return {name: self.cleaned_data[f"contrat_{name}"] for name in self.CONTRAT_NAMES}

    def service_kwargs(self):
        return {
            **self.etape_data(),
            "contrat": self.contrat_data(),
            "motif": self.cleaned_data.get("motif", ""),
        }

    @classmethod
    def initial_for(cls, etape, fingerprint):
        initial = {name: getattr(etape, name) for name in cls.ETAPE_NAMES}
        contrat = getattr(etape, "contrat", None)
        if contrat is not None:
            initial |= {f"contrat_{name}": getattr(contrat, name) for name in cls.CONTRAT_NAMES}
        initial["fingerprint"] = fingerprint
        return initial


class WorkspaceFilterForm(forms.Form):
    """The workspace's filters and sort; an unknown value is ignored (never an error page)."""

    referent = forms.TypedChoiceField(label="Référent", required=False, coerce=int, empty_value=None)
    status = forms.ChoiceField(
        label="Statut",
        required=False,
        choices=[("", "Tous les statuts"), *[(s.value, s.label) for s in STATUTS_ACTIFS]],
    )
    alerte = forms.ChoiceField(label="Alerte", required=False, choices=[("", "Toutes"), *TypeAlerte.choices])
    q = forms.CharField(label="Nom", required=False, max_length=100)
    sort = forms.ChoiceField(
        label="Trier par",
        required=False,
        choices=[(key, label) for key, (label, _ordering) in SORTS.items()],
        initial=DEFAULT_SORT,
    )

    def __init__(self, *args, referents=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["referent"].choices = [("", "Moi-même"), *[(u.pk, str(u)) for u in referents]]
        for field in self.fields.values():
            css = (
                "form-select form-select-sm"
                if isinstance(field.widget, forms.Select)
                else "form-control form-control-sm"
            )
            field.widget.attrs["class"] = css

    def value(self, name, default=""):
        """The cleaned value of ``name``, or ``default`` when it was invalid or absent."""
        if not self.is_bound:
            return default
        self.is_valid()
        value = self.cleaned_data.get(name) if hasattr(self, "cleaned_data") else None
        return value if value not in (None, "") else default
