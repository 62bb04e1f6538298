"""Django settings for Babillard, configured only through environment variables.

Every variable is documented in the README. The defaults give the embedded
single-machine set-up: SQLite (WAL) under ``$BABILLARD_HOME``, tasks in the
database, cache in memory. ``BABILLARD_DATABASE_URL`` and ``BABILLARD_REDIS_URL``
switch to PostgreSQL and Redis without any change above the settings.
"""

import os
import secrets
from pathlib import Path

import dj_database_url
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent
HOME = Path(os.environ.get("BABILLARD_HOME", Path.cwd() / "var")).resolve()
HOME.mkdir(parents=True, exist_ok=True)


def env_bool(name: str, default: bool = False) -> bool:
    return os.environ.get(name, str(default)).strip().lower() in {"1", "true", "yes", "on"}


def _secret_key() -> str:
    if key := os.environ.get("BABILLARD_SECRET_KEY"):
        return key
    path = HOME / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(50))
        path.chmod(0o600)
    return path.read_text().strip()


SECRET_KEY = _secret_key()
DEBUG = env_bool("BABILLARD_DEBUG")
TESTING = env_bool("BABILLARD_TESTING")

# The public host name of the instance: it is part of every handle and ActivityPub URI.
DOMAIN = os.environ.get("BABILLARD_DOMAIN", "127.0.0.1:8000")
SCHEME = os.environ.get(
    "BABILLARD_SCHEME", "http" if DOMAIN.startswith(("127.", "localhost")) else "https"
)
INSTANCE_NAME = os.environ.get("BABILLARD_INSTANCE_NAME", "Babillard")
ALLOWED_HOSTS = [h for h in os.environ.get("BABILLARD_ALLOWED_HOSTS", "").split(",") if h] or [
    DOMAIN.split(":")[0],
    "127.0.0.1",
    "localhost",
    "testserver",
]
CSRF_TRUSTED_ORIGINS = [f"{SCHEME}://{DOMAIN}"]

# open | approval | invite | closed
REGISTRATION_MODE = os.environ.get("BABILLARD_REGISTRATION", "open")
MAX_STATUS_CHARACTERS = int(os.environ.get("BABILLARD_MAX_CHARACTERS", "500"))
# A private instance shows nothing to visitors who are not logged in.
PRIVATE_INSTANCE = env_bool("BABILLARD_PRIVATE")
# Tests federate between instances on loopback; production refuses private addresses.
ALLOW_PRIVATE_ADDRESSES = env_bool("BABILLARD_ALLOW_PRIVATE_ADDRESSES")
# Federation over plain http and loopback addresses, to try several instances on one machine.
INSECURE_FEDERATION = env_bool("BABILLARD_INSECURE_FEDERATION")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_tasks",
    "django_tasks_db",
    "babillard.core",
    "babillard.accounts",
    "babillard.statuses",
    "babillard.timelines",
    "babillard.notifications",
    "babillard.search",
    "babillard.moderation",
    "babillard.institutions",
    "babillard.occupancy",
    "babillard.events",
    "babillard.books",
    "babillard.watch",
    "babillard.boards",
    "babillard.triage",
    "babillard.portability",
    "babillard.outages",
    "babillard.quotes",
    "babillard.groups",
    "babillard.reactions",
    "babillard.security",
    "oauth2_provider",
    "babillard.api",
    "babillard.federation",
    "babillard.web",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "babillard.core.middleware.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "babillard.accounts.middleware.UserLanguageMiddleware",
    "babillard.core.nul.RefuseNulMiddleware",
    "babillard.accounts.middleware.AddressUseMiddleware",
    "babillard.web.middleware.RateLimitMiddleware",
    "babillard.security.middleware.RequireTwoFactorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "babillard.urls"
WSGI_APPLICATION = "babillard.wsgi.application"
ASGI_APPLICATION = "babillard.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "babillard.web.context_processors.instance",
            ],
        },
    },
]

DATABASE_URL = os.environ.get("BABILLARD_DATABASE_URL", "")
DB_POOL_SIZE = int(os.environ.get("BABILLARD_DB_POOL_SIZE", "0"))
if DATABASE_URL:
    DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=60)}
    if DB_POOL_SIZE and DATABASES["default"]["ENGINE"].endswith("postgresql"):
        # Under ASGI every request runs in a thread of its own, and a persistent
        # connection per thread soon exhausts PostgreSQL's connections: share a pool.
        DATABASES["default"]["CONN_MAX_AGE"] = 0
        DATABASES["default"].setdefault("OPTIONS", {})["pool"] = {
            "min_size": 1,
            "max_size": DB_POOL_SIZE,
            "timeout": 30,
        }
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": str(HOME / "babillard.sqlite3"),
            "OPTIONS": {
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
                "init_command": (
                    "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;"
                ),
            },
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = os.environ.get("BABILLARD_REDIS_URL", "")
# Names the instance's cache keys and streaming channel in a Redis shared with others.
CACHE_PREFIX = os.environ.get("BABILLARD_CACHE_PREFIX", "babillard")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": CACHE_PREFIX,
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

TASKS = {
    "default": {
        "BACKEND": os.environ.get("BABILLARD_TASK_BACKEND", "django_tasks_db.DatabaseBackend"),
        "QUEUES": [],
    }
}

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = ["babillard.accounts.backends.EmailOrUsernameBackend"]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
LOGIN_URL = "web:login"
LOGIN_REDIRECT_URL = "web:home"
LOGOUT_REDIRECT_URL = "web:landing"

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_SECURE = SCHEME == "https"
CSRF_COOKIE_SECURE = SCHEME == "https"
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

LANGUAGE_CODE = "fr"
LANGUAGES = [("fr", _("French")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Europe/Paris"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = HOME / "static"
STATIC_ROOT.mkdir(exist_ok=True)
MEDIA_URL = "/media/"
MEDIA_ROOT = HOME / "media"
WHITENOISE_USE_FINDERS = True
# Largest image accepted for upload, in bytes, and the longest side kept.
MEDIA_MAX_IMAGE_BYTES = int(os.environ.get("BABILLARD_MEDIA_MAX_BYTES", str(10 * 1024 * 1024)))
MEDIA_MAX_IMAGE_PIXELS = 40_000_000
MEDIA_MAX_DIMENSION = 2560
MEDIA_THUMBNAIL_SIZE = 640

EMAIL_BACKEND = os.environ.get(
    "BABILLARD_EMAIL_BACKEND",
    "django.core.mail.backends.smtp.EmailBackend"
    if os.environ.get("BABILLARD_EMAIL_HOST")
    else "django.core.mail.backends.filebased.EmailBackend",
)
EMAIL_FILE_PATH = HOME / "mail"
EMAIL_HOST = os.environ.get("BABILLARD_EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("BABILLARD_EMAIL_PORT", "587"))
EMAIL_HOST_USER = os.environ.get("BABILLARD_EMAIL_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("BABILLARD_EMAIL_PASSWORD", "")
EMAIL_USE_TLS = env_bool("BABILLARD_EMAIL_TLS", True)
DEFAULT_FROM_EMAIL = os.environ.get("BABILLARD_EMAIL_FROM", f"noreply@{DOMAIN.split(':')[0]}")

# Documents attached to vendor quotes: outside MEDIA_ROOT, streamed only to the
# submitting institution's staff by a view that checks who asks.
QUOTES_DOCUMENT_ROOT = Path(
    os.environ.get("BABILLARD_QUOTES_DOCUMENT_ROOT", HOME / "private" / "quotes")
).resolve()
QUOTES_DOCUMENT_MAX_BYTES = 10 * 1024 * 1024

# The folders whose files ``babillard backup`` copies beside the database, by name.
BACKUP_FOLDERS = {
    "media": MEDIA_ROOT,
    "private": HOME / "private",
    "quote-documents": QUOTES_DOCUMENT_ROOT,
}

# Complete books from the BnF and Open Library catalogues (outgoing requests by the worker).
BOOKS_LOOKUP = env_bool("BABILLARD_BOOKS_LOOKUP")

# Home feeds keep this many entries per reader, as Mastodon does.
HOME_FEED_MAX = 800
# Requests allowed per client address and per window, for log-in and sign-up.
AUTH_RATE_LIMIT = int(os.environ.get("BABILLARD_AUTH_RATE_LIMIT", "10"))
AUTH_RATE_WINDOW = 300
# Moderators and administrators must set up two-factor authentication before anything else.
REQUIRE_2FA_FOR_STAFF = env_bool("BABILLARD_REQUIRE_2FA_FOR_STAFF")


def _rate(family: str, default: str) -> tuple[int, int]:
    """``BABILLARD_RATE_<FAMILY>`` as ``count/seconds``, e.g. ``300/10800``."""
    value = os.environ.get(f"BABILLARD_RATE_{family.upper()}", default)
    limit, _slash, period = value.partition("/")
    return int(limit), int(period)


# Actions allowed per account and per window (count, seconds), as Mastodon limits them.
ACCOUNT_RATE_LIMITS = {
    "statuses": _rate("statuses", "300/10800"),  # posts and boosts
    "media": _rate("media", "30/1800"),
    "follows": _rate("follows", "400/86400"),
    "reports": _rate("reports", "400/86400"),
    "favourites": _rate("favourites", "900/10800"),
}
# Days the sign-up address and the addresses of sessions and tokens are kept for moderators.
IP_RETENTION_DAYS = int(os.environ.get("BABILLARD_IP_RETENTION_DAYS", "365"))

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("BABILLARD_LOG_LEVEL", "INFO")},
}
# Size of the RSA keys that sign each account's federation requests.
ACCOUNT_KEY_BITS = 2048

# E-resource platforms (outages): how a crowd of reports becomes a probable outage.
# At least OUTAGES_MIN_INSTITUTIONS institutions in OUTAGES_MIN_CITIES cities within
# OUTAGES_WINDOW_MINUTES, and more reports than OUTAGES_BASELINE_FACTOR times the usual
# count for that weekday and hour (the median per quarter hour over eight weeks).
OUTAGES_WINDOW_MINUTES = int(os.environ.get("BABILLARD_OUTAGES_WINDOW_MINUTES", "15"))
OUTAGES_MIN_INSTITUTIONS = int(os.environ.get("BABILLARD_OUTAGES_MIN_INSTITUTIONS", "3"))
OUTAGES_MIN_CITIES = int(os.environ.get("BABILLARD_OUTAGES_MIN_CITIES", "2"))
OUTAGES_BASELINE_FACTOR = float(os.environ.get("BABILLARD_OUTAGES_BASELINE_FACTOR", "3"))
# Seconds between two probes of every platform by the task worker; slower answers are "slow".
OUTAGES_PROBE_SECONDS = int(os.environ.get("BABILLARD_OUTAGES_PROBE_SECONDS", "300"))
OUTAGES_SLOW_MS = int(os.environ.get("BABILLARD_OUTAGES_SLOW_MS", "5000"))
