from django.apps import AppConfig


class RotationsConfig(AppConfig):
    name = "rotations"
    verbose_name = "Rotations"

    def ready(self):
        from institutions.hooks import register_verification_listener

        from .search_cache import listings_changed

        # A verified institution's published listings enter search at once.
        register_verification_listener(lambda institution_ids: listings_changed())
