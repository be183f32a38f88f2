from django.apps import AppConfig


class PreceptorsConfig(AppConfig):
    name = "preceptors"
    verbose_name = "Preceptors"
