"""``INSTALLED_APPS = ["fastsignals", ...]`` swaps the engine in when Django starts."""

from django.apps import AppConfig

from .swap import install


class FastSignalsConfig(AppConfig):
    name = "fastsignals"
    verbose_name = "fastsignals"

    def ready(self) -> None:
        install()
