"""Settings for the example project: a small blog on SQLite whose models use signals."""

import os
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent

SECRET_KEY = "example-only-not-secret"
DEBUG = True
ALLOWED_HOSTS = ["localhost", "127.0.0.1"]

INSTALLED_APPS = [
    "fastsignals",  # the one line: every Django signal now dispatches through fastsignals
    "django.contrib.contenttypes",
    "django.contrib.auth",
    "articles",
]
if os.environ.get("USE_FASTSIGNALS") == "0":
    # Only so that this project's tests can also run on stock django.dispatch.
    INSTALLED_APPS.remove("fastsignals")

ROOT_URLCONF = "blogsite.urls"
WSGI_APPLICATION = "blogsite.wsgi.application"

DATABASES = {
    "default": {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": BASE_DIR / "db.sqlite3",
    }
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

MEDIA_ROOT = BASE_DIR / "media"
USE_TZ = True

#: Whether the (imaginary) search service answers; it is down unless said otherwise.
SEARCH_INDEX_ONLINE = False
