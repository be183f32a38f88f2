from django.apps import AppConfig


class PreceptorsConfig(AppConfig):
    name = "preceptors"
    verbose_name = "Preceptors"

    def ready(self):
        from applicants import hooks as applicant_hooks
        from rotations import hooks

        from . import signals  # noqa: F401  (connects the letter files' clean-up)
        from .selectors import evaluation_summaries, listing_reviews_shown

        # The listing's page shows its published reviews from the small-numbers threshold on.
        hooks.register_listing_page_part(lambda request, listing: {
            "published_reviews": listing_reviews_shown(listing)[:20]})
        # The experience log's export adds the evaluations the applicant may read, when they ask.
        applicant_hooks.register_experience_supplement(evaluation_summaries)
        # The dashboard's road to the Match (placements, documents and letters together).
        from .timeline import dashboard_part

        applicant_hooks.register_dashboard_part(dashboard_part)
