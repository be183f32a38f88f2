from django.apps import AppConfig


class MatchingConfig(AppConfig):
    name = "matching"
    verbose_name = "Matching"

    def ready(self):
        from applicants import hooks as applicant_hooks
        from rotations import hooks as rotation_hooks

        from . import answers, listing_panel, slot_offers, views_recommend

        rotation_hooks.register_slot_dates_hold(answers.slot_dates_held)
        rotation_hooks.register_listing_page_part(listing_panel.listing_page_part)
        rotation_hooks.register_open_offers(slot_offers.open_offers)
        applicant_hooks.register_document_holder(answers.placement_needing)
        applicant_hooks.register_host_document_access(answers.host_document_access)
        applicant_hooks.register_dashboard_part(views_recommend.dashboard_part)
        from .services_issued import certificate_supplements

        applicant_hooks.register_experience_supplement(certificate_supplements, always=True)
