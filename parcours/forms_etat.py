"""Forms of the candidature, the commission, suspensions, exits and changes of référent.

They parse what the user typed and show errors per field; the rules live in
:mod:`parcours.services` and :mod:`parcours.transitions`. The forms that change a parcours carry
the ``version`` it was displayed at (optimistic locking). Choices of référents, structures and
exit types are computed once by the view and passed in, so a page with many forms costs one
query per list, not one per form."""

from django import forms
from django.utils import timezone

from parcours.enums import (
    DECISIONS_CANDIDATURE,
    DECISIONS_SORTIE,
    DistanceEmploi,
    MotifSuspension,
    ObjetPassage,
    TypeDecision,
)
from plie.core.forms import DossierFormMixin, date_field
from plie.core.history import person_name

CHOISIR = "Choisir…"


class ObjectChoiceField(forms.ChoiceField):
    """A choice among objects already loaded (no query when rendered or cleaned): the cleaned
    value is the object itself, ``None`` when nothing is chosen."""

    def __init__(self, *, objects=(), label_of=str, **kwargs):
        super().__init__(**kwargs)
        self.set_objects(objects, label_of)

    def set_objects(self, objects, label_of=str):
        self.objects = {str(obj.pk): obj for obj in objects}
        self.choices = [("", CHOISIR), *((key, label_of(obj)) for key, obj in self.objects.items())]

    def to_python(self, value):
        value = super().to_python(value)
        return self.objects.get(value) if value else None

    def valid_value(self, value):
        return value is None or str(value.pk) in self.objects

    def prepare_value(self, value):
        return str(value.pk) if hasattr(value, "pk") else value


class VersionMixin(forms.Form):
    """The version of the parcours the form was built from (optimistic locking)."""

    version = forms.IntegerField(widget=forms.HiddenInput)


class CandidatureForm(DossierFormMixin, forms.Form):
    prescripteur = ObjectChoiceField(label="Prescripteur")
    date_orientation = date_field("Date d'orientation", initial=timezone.localdate)
    motif_orientation = forms.CharField(
        label="Motif de l'orientation", required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    projet = forms.CharField(
        label="Projet professionnel", required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    freins_diagnostic = forms.CharField(
        label="Freins identifiés au diagnostic",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Les freins détaillés (santé, justice…) se saisissent sur le dossier du participant.",
    )
    distance_emploi = forms.ChoiceField(
        label="Distance à l'emploi", required=False, choices=[("", "Non évaluée"), *DistanceEmploi.choices]
    )
    referent = ObjectChoiceField(label="Référent proposé", required=False, label_of=person_name)

    def __init__(self, *args, prescripteurs, referents, **kwargs):
        self.prescripteurs, self.referents = prescripteurs, referents
        super().__init__(*args, **kwargs)

    def prepare_fields(self):
        self.fields["prescripteur"].set_objects(self.prescripteurs)
        self.fields["referent"].set_objects(self.referents, person_name)


class CommissionForm(DossierFormMixin, forms.Form):
    plie = ObjectChoiceField(label="PLIE")
    date = date_field("Date de la session")
    lieu = forms.CharField(label="Lieu", max_length=255, required=False)
    membres = forms.CharField(
        label="Membres présents",
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Un membre par ligne : nom, fonction, structure. Ils figurent au procès-verbal.",
    )

    def __init__(self, *args, plies=None, **kwargs):
        self.plies = plies
        super().__init__(*args, **kwargs)

    def prepare_fields(self):
        if self.plies is None:  # editing a session: its PLIE does not change
            del self.fields["plie"]
            return
        field = self.fields["plie"]
        field.set_objects(self.plies)
        if len(self.plies) == 1:
            field.initial = self.plies[0]
            field.widget = forms.HiddenInput()


class AgendaForm(DossierFormMixin, forms.Form):
    candidatures = forms.MultipleChoiceField(
        label="Candidatures à présenter", required=False, widget=forms.CheckboxSelectMultiple
    )
    sorties = forms.MultipleChoiceField(
        label="Sorties à valider", required=False, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args, candidatures, sorties, **kwargs):
        self.parcours = {str(p.pk): p for p in [*candidatures, *sorties]}
        self.choices = {
            "candidatures": [(str(p.pk), self.candidature_label(p)) for p in candidatures],
            "sorties": [(str(p.pk), self.sortie_label(p)) for p in sorties],
        }
        super().__init__(*args, **kwargs)

    @staticmethod
    def candidature_label(parcours):
        referent = person_name(parcours.referent) if parcours.referent else "référent à désigner"
        return f"{parcours.participant} — orienté le {parcours.date_orientation:%d/%m/%Y} — {referent}"

    @staticmethod
    def sortie_label(parcours):
        sortie = parcours.sortie
        return (
            f"{parcours.participant} — {sortie.type} le {sortie.date_sortie:%d/%m/%Y}"
            f" — validable depuis le {parcours.validable_le:%d/%m/%Y}"
        )

    def prepare_fields(self):
        for name, choices in self.choices.items():
            self.fields[name].choices = choices

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("candidatures") and not cleaned.get("sorties") and not self.errors:
            raise forms.ValidationError("Cochez au moins un dossier à inscrire à l'ordre du jour.")
        return cleaned

    def selected(self, name):
        return [self.parcours[pk] for pk in self.cleaned_data.get(name, [])]


class DecisionForm(DossierFormMixin, VersionMixin):
    """The decision on one dossier of the agenda; which other fields count depends on it."""

    decision = forms.ChoiceField(label="Décision", widget=forms.RadioSelect)
    date_entree = date_field(
        "Date d'entrée dans le PLIE", required=False, help_text="Admission : jj/mm/aaaa."
    )
    referent = ObjectChoiceField(label="Référent de parcours", required=False, label_of=person_name)
    date_signature_contrat = date_field(
        "Signature du contrat d'engagement", required=False, help_text="Admission : jj/mm/aaaa."
    )
    date_representation = date_field(
        "À représenter le", required=False, help_text="Ajournement : date de la prochaine présentation."
    )
    structure_reorientation = ObjectChoiceField(label="Réorienté vers", required=False)
    motif = forms.CharField(
        label="Motif",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Obligatoire pour un refus et une sortie non validée ; figure au procès-verbal.",
    )
    motif_partage = forms.CharField(
        label="Message pour le prescripteur",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Facultatif, le motif partagé : ce que le prescripteur qui a orienté la personne lira de "
        "la décision (le motif ci-dessus reste au procès-verbal).",
    )

    CANDIDATURE_ONLY = (
        "date_entree",
        "referent",
        "date_signature_contrat",
        "date_representation",
        "structure_reorientation",
        "motif_partage",
    )

    def __init__(self, *args, decision, referents=(), structures=(), **kwargs):
        self.decision = decision
        self.referents, self.structures = referents, structures
        commission = decision.commission
        parcours = decision.parcours
        kwargs.setdefault("prefix", f"d{decision.pk}")
        kwargs.setdefault(
            "initial",
            {
                "version": parcours.version,
                "date_entree": commission.date,
                "date_signature_contrat": commission.date,
                "referent": parcours.referent,
            },
        )
        super().__init__(*args, **kwargs)

    @property
    def is_candidature(self):
        return self.decision.objet == ObjetPassage.CANDIDATURE

    def prepare_fields(self):
        allowed = DECISIONS_CANDIDATURE if self.is_candidature else DECISIONS_SORTIE
        self.fields["decision"].choices = [(value, TypeDecision(value).label) for value in allowed]
        if self.is_candidature:
            self.fields["referent"].set_objects(self.referents, person_name)
            self.fields["structure_reorientation"].set_objects(self.structures)
        else:
            for name in self.CANDIDATURE_ONLY:
                del self.fields[name]

    def service_data(self):
        data = {name: self.cleaned_data.get(name) for name in self.CANDIDATURE_ONLY}
        return {
            **data,
            "version": self.cleaned_data["version"],
            "type_decision": self.cleaned_data["decision"],
            "motif": self.cleaned_data.get("motif", ""),
        }


class SuspensionForm(DossierFormMixin, VersionMixin):
    motif = forms.ChoiceField(label="Motif", choices=[("", CHOISIR), *MotifSuspension.choices])
    date_debut = date_field("Début de la suspension", initial=timezone.localdate)
    date_fin = date_field(
        "Fin prévue",
        required=False,
        help_text="Facultatif, jj/mm/aaaa : trois mois renouvelables ; une incarcération de plus de "
        "trois mois est une sortie.",
    )


class SuspensionEndForm(DossierFormMixin, VersionMixin):
    date_fin = date_field("Reprise de l'accompagnement le", initial=timezone.localdate)


class SortieForm(DossierFormMixin, VersionMixin):
    type = ObjectChoiceField(label="Type de sortie", widget=forms.RadioSelect)
    date_sortie = date_field("Date de sortie", initial=timezone.localdate)
    commentaire = forms.CharField(
        label="Commentaire", required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, types, **kwargs):
        self.types = types
        super().__init__(*args, **kwargs)

    def prepare_fields(self):
        self.fields["type"].set_objects(self.types)
        self.fields["type"].choices = self.fields["type"].choices[1:]  # radio buttons: no « Choisir… »


class SortieValidateForm(DossierFormMixin, VersionMixin):
    date_validation = date_field("Validée le", initial=timezone.localdate)


class SortieWithdrawForm(DossierFormMixin, VersionMixin):
    motif = forms.CharField(
        label="Motif du retrait",
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Par exemple : fin de période d'essai, emploi perdu, proposition erronée.",
    )


class ReferentForm(DossierFormMixin, VersionMixin):
    referent = ObjectChoiceField(label="Nouveau référent", label_of=person_name)
    date = date_field("À partir du", initial=timezone.localdate)
    motif = forms.CharField(label="Motif du changement", max_length=255, required=False)

    def __init__(self, *args, referents, motif_required=False, **kwargs):
        self.referents, self.motif_required = referents, motif_required
        super().__init__(*args, **kwargs)

    def prepare_fields(self):
        self.fields["referent"].set_objects(self.referents, person_name)
        if self.motif_required:
            self.fields["motif"].required = True
            self.fields["motif"].help_text = "Parcours clos : le motif de la modification est obligatoire."
