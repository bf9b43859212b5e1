"""The employer side's forms: they parse what was typed and show errors per field; the rules
live in :mod:`entreprises.services` and :mod:`entreprises.regles`."""

from django import forms
from django.db.models import Q

from entreprises.enums import (
    SecteurEntreprise,
    SituationSixMois,
    StatutMiseEnRelation,
    StatutOffre,
    TailleEntreprise,
)
from entreprises.models import (
    ActionEntreprise,
    Contact,
    Convention,
    Echange,
    Employeur,
    Marche,
    Offre,
    Placement,
)
from entreprises.services import CONVENTION_FIELDS, EMPLOYEUR_FIELDS, OFFRE_FIELDS, RESULTATS_SIMPLES
from parcours.enums import CATEGORIES_EMPLOI
from parcours.models import TypeEtape
from plie.core.forms import DATE_HELP, DossierFormMixin, date_widget
from plie.core.models import Structure


class ServiceValidatedMixin(DossierFormMixin):
    """A ModelForm used only to parse what was typed: the rules (French messages per field) are
    the service's, so the model's own validation is skipped."""

    def _post_clean(self):
        pass


class PlieChoiceMixin:
    """A PLIE choice when creating, among ``plie_ids`` (hidden behind one value if only one)."""

    def set_plie_choices(self, plie_ids):
        field = self.fields["plie"]
        field.queryset = Structure.objects.plies().filter(id__in=plie_ids).order_by("nom")
        if len(plie_ids) == 1:
            (plie_id,) = plie_ids
            field.initial, field.empty_label = plie_id, None


class EmployeurFilterForm(DossierFormMixin, forms.Form):
    q = forms.CharField(label="Nom ou SIRET", required=False)
    secteur = forms.ChoiceField(
        label="Secteur", choices=[("", "Tous"), *SecteurEntreprise.choices], required=False
    )
    taille = forms.ChoiceField(
        label="Taille", choices=[("", "Toutes"), *TailleEntreprise.choices], required=False
    )
    commune = forms.CharField(label="Commune", required=False)


class EmployeurForm(PlieChoiceMixin, ServiceValidatedMixin, forms.ModelForm):
    plie = forms.ModelChoiceField(label="PLIE", queryset=Structure.objects.none(), empty_label="Choisir…")
    siret = forms.CharField(label="SIRET", max_length=20, help_text="14 chiffres ; la clé est vérifiée.")

    field_order = ["plie"]

    class Meta:
        model = Employeur
        fields = EMPLOYEUR_FIELDS

    def __init__(self, *args, plie_ids=None, **kwargs):
        self.plie_ids = plie_ids
        super().__init__(*args, **kwargs)

    def prepare_fields(self):
        if self.plie_ids is None:
            del self.fields["plie"]
        else:
            self.set_plie_choices(self.plie_ids)


class ContactForm(ServiceValidatedMixin, forms.ModelForm):
    class Meta:
        model = Contact
        fields = ("nom", "prenom", "fonction", "telephone", "email")


class EchangeForm(ServiceValidatedMixin, forms.ModelForm):
    class Meta:
        model = Echange
        fields = ("type", "date", "contact", "compte_rendu")
        widgets = {"date": date_widget(), "compte_rendu": forms.Textarea(attrs={"rows": 3})}
        help_texts = {"date": DATE_HELP}

    def __init__(self, *args, employeur, **kwargs):
        self.employeur = employeur
        super().__init__(*args, **kwargs)

    def prepare_fields(self):
        self.fields["contact"].queryset = self.employeur.contacts.all()


class OffreFilterForm(DossierFormMixin, forms.Form):
    q = forms.CharField(label="Poste ou employeur", required=False)
    code_rome = forms.CharField(label="Code ROME", required=False, max_length=5)
    status = forms.ChoiceField(label="Statut", choices=[("", "Tous"), *StatutOffre.choices], required=False)
    lieu = forms.CharField(label="Lieu", required=False)


class OffreForm(ServiceValidatedMixin, forms.ModelForm):
    class Meta:
        model = Offre
        fields = OFFRE_FIELDS
        widgets = {
            "date_publication": date_widget(),
            "date_debut": date_widget(),
            "date_limite": date_widget(),
            "description": forms.Textarea(attrs={"rows": 4}),
        }
        help_texts = {
            "code_rome": "Une lettre et quatre chiffres, par exemple K2204.",
            "date_publication": DATE_HELP,
        }


class PropositionForm(DossierFormMixin, forms.Form):
    participant = forms.ModelChoiceField(label="Participant", queryset=None, empty_label="Choisir…")

    def __init__(self, *args, participants, **kwargs):
        self.participants = participants
        super().__init__(*args, **kwargs)

    def prepare_fields(self):
        field = self.fields["participant"]
        field.queryset = self.participants
        field.label_from_instance = lambda p: f"{p.nom.upper()} {p.prenom}"


class ResultatForm(DossierFormMixin, forms.Form):
    status = forms.ChoiceField(
        label="Résultat", choices=[(value, StatutMiseEnRelation(value).label) for value in RESULTATS_SIMPLES]
    )
    date_resultat = forms.DateField(label="Date", widget=date_widget(), help_text=DATE_HELP)
    motif = forms.CharField(label="Motif (si non retenu)", required=False, max_length=255)


class EmbaucheForm(DossierFormMixin, forms.Form):
    type_etape = forms.ModelChoiceField(label="Type d'étape", queryset=None, empty_label="Choisir…")
    date_debut = forms.DateField(label="Début du contrat", widget=date_widget(), help_text=DATE_HELP)
    date_fin_prevue = forms.DateField(label="Fin prévue", widget=date_widget(), required=False)

    def __init__(self, *args, plie_id, **kwargs):
        self.plie_id = plie_id
        super().__init__(*args, **kwargs)

    def prepare_fields(self):
        self.fields["type_etape"].queryset = TypeEtape.objects.filter(
            Q(plie_id=self.plie_id) | Q(plie__isnull=True), is_active=True, categorie__in=CATEGORIES_EMPLOI
        ).order_by("libelle")


class MarcheForm(PlieChoiceMixin, ServiceValidatedMixin, forms.ModelForm):
    plie = forms.ModelChoiceField(label="PLIE", queryset=Structure.objects.none(), empty_label="Choisir…")
    field_order = ["plie"]

    class Meta:
        model = Marche
        fields = (
            "donneur_ordre",
            "reference",
            "lot",
            "intitule",
            "attributaire",
            "heures_requises",
            "date_debut",
            "date_fin",
            "reserve",
            "hors_btp",
        )
        widgets = {"date_debut": date_widget(), "date_fin": date_widget()}

    def __init__(self, *args, plie_ids, **kwargs):
        self.plie_ids = plie_ids
        super().__init__(*args, **kwargs)

    def prepare_fields(self):
        self.set_plie_choices(self.plie_ids)
        self.fields["attributaire"].queryset = Employeur.objects.filter(plie_id__in=self.plie_ids)


class PlacementForm(ServiceValidatedMixin, forms.ModelForm):
    class Meta:
        model = Placement
        fields = ("participant", "modalite", "date_debut", "date_fin")
        widgets = {"date_debut": date_widget(), "date_fin": date_widget()}

    def __init__(self, *args, participants, **kwargs):
        self.participants = participants
        super().__init__(*args, **kwargs)

    def prepare_fields(self):
        self.fields["participant"].queryset = self.participants
        self.fields["participant"].label_from_instance = lambda p: f"{p.nom.upper()} {p.prenom}"


class HeuresForm(DossierFormMixin, forms.Form):
    mois = forms.DateField(
        label="Mois (le 1er)", widget=date_widget(), help_text="Le 1er du mois, jj/mm/aaaa."
    )
    heures = forms.DecimalField(label="Heures réalisées", max_digits=6, decimal_places=2)


class SuiviSixMoisForm(DossierFormMixin, forms.Form):
    situation = forms.ChoiceField(label="Situation", choices=SituationSixMois.choices)
    date_releve = forms.DateField(label="Relevée le", widget=date_widget(), help_text=DATE_HELP)
    situation_amelioree = forms.TypedChoiceField(
        label="Situation améliorée depuis l'entrée (personne en emploi à l'entrée)",
        choices=[("", "Sans objet ou non"), ("oui", "Oui")],
        coerce=lambda value: value == "oui",
        empty_value=None,
        required=False,
        help_text=(
            "Emploi précaire devenu stable, temps partiel subi devenu temps plein, poste plus qualifié "
            "ou promotion (indicateur FSE+ EECR06)."
        ),
    )
    commentaire = forms.CharField(
        label="Commentaire", required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class ActionForm(PlieChoiceMixin, ServiceValidatedMixin, forms.ModelForm):
    plie = forms.ModelChoiceField(label="PLIE", queryset=Structure.objects.none(), empty_label="Choisir…")
    field_order = ["plie"]

    class Meta:
        model = ActionEntreprise
        fields = ("type", "intitule", "date", "lieu", "employeurs")
        widgets = {"date": date_widget(), "employeurs": forms.CheckboxSelectMultiple}
        help_texts = {"date": DATE_HELP}

    def __init__(self, *args, plie_ids, **kwargs):
        self.plie_ids = plie_ids
        super().__init__(*args, **kwargs)

    def prepare_fields(self):
        self.set_plie_choices(self.plie_ids)
        self.fields["employeurs"].queryset = Employeur.objects.filter(plie_id__in=self.plie_ids).order_by(
            "nom"
        )


class ConventionForm(PlieChoiceMixin, ServiceValidatedMixin, forms.ModelForm):
    """A partnership convention; the PLIE is chosen on creation only (``plie_ids``), the
    employers offered are those of the convention's PLIE (``employeur_plie_ids``)."""

    plie = forms.ModelChoiceField(label="PLIE", queryset=Structure.objects.none(), empty_label="Choisir…")
    document = forms.FileField(
        label="Convention signée",
        required=False,
        help_text="Facultatif : le PDF (ou le scan) de la convention signée.",
    )
    field_order = ["plie"]

    class Meta:
        model = Convention
        fields = CONVENTION_FIELDS
        widgets = {"date_signature": date_widget(), "date_debut": date_widget(), "date_fin": date_widget()}
        help_texts = {"date_signature": DATE_HELP, "date_debut": DATE_HELP}

    def __init__(self, *args, plie_ids=None, employeur_plie_ids=(), **kwargs):
        self.plie_ids = plie_ids
        self.employeur_plie_ids = employeur_plie_ids
        super().__init__(*args, **kwargs)

    def prepare_fields(self):
        if self.plie_ids is None:
            del self.fields["plie"]
        else:
            self.set_plie_choices(self.plie_ids)
        self.fields["employeur"].queryset = Employeur.objects.filter(
            plie_id__in=self.employeur_plie_ids
        ).order_by("nom")
        self.fields["employeur"].empty_label = "Aucun (partenaire nommé ci-dessous)"
