from django.apps import AppConfig
from django.db.models.signals import post_save


class ParcoursConfig(AppConfig):
    name = "parcours"
    verbose_name = "Parcours"

    def ready(self):
        """Connect the signals and plug this app into core's extension points
        (``plie.core.registry``, idempotent)."""
        from parcours import alertes, demo, home, timeline
        from parcours.models import Contrat, Decision, Entretien, Etape, Parcours, Sortie, Suspension
        from parcours.signals import create_referentiels_for_new_plie
        from plie.core import journal, registry
        from plie.core.enums import Role
        from plie.core.models import Structure

        post_save.connect(
            create_referentiels_for_new_plie, sender=Structure, dispatch_uid="parcours_referentiels_new_plie"
        )
        for role, panel in (
            (Role.REFERENT, home.file_active),
            (Role.REFERENT, home.prochains_rdv),
            (Role.REFERENT, home.a_traiter),
            (Role.ANIMATION, home.commissions),
            (Role.ANIMATION, home.dossiers_sans_contact),
        ):
            registry.register_home_panel(role, panel)
        registry.register_demo_step(demo.create_parcours)
        registry.register_demo_step(demo.create_partner_accounts)
        for source in (
            timeline.parcours_events,
            timeline.decision_events,
            timeline.entretien_events,
            timeline.etape_events,
            timeline.contrat_events,
            timeline.suspension_events,
            timeline.sortie_events,
        ):
            registry.register_timeline_source(source)
        for source in (
            alertes.alertes_actifs,
            alertes.alertes_suspensions,
            alertes.alertes_donnees_sortie_fse,
            alertes.alertes_ajournements,
        ):
            registry.register_alert_source(source)
        # The access journal: whose dossier each change touches (plie.core.journal).
        journal.register_subject(Parcours, lambda parcours: (parcours.participant_id, parcours.plie_id))
        for model in (Decision, Entretien, Etape, Suspension, Sortie):
            journal.register_subject(model, lambda obj: (obj.parcours.participant_id, obj.parcours.plie_id))
        journal.register_subject(
            Contrat, lambda contrat: (contrat.etape.parcours.participant_id, contrat.etape.parcours.plie_id)
        )
