from django.apps import AppConfig


class ArticlesConfig(AppConfig):
    name = "articles"

    def ready(self):
        # Importing the module connects its @receiver functions, once, when Django starts.
        from . import signals  # noqa: F401
