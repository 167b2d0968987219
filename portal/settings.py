"""Settings for the 矫正帮教平台.

Every value comes from an environment variable with an embedded default, so one code base runs
on a laptop (SQLite, in-memory layers, local files) and on a cluster (PostgreSQL, Redis,
Elasticsearch, object storage). README.md lists every variable.
"""

import os
import secrets
from pathlib import Path

import dj_database_url
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("PORTAL_VAR_DIR", BASE_DIR / "var"))
VAR_DIR.mkdir(parents=True, exist_ok=True)


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    return int(value) if value not in (None, "") else default


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


PRODUCTION = os.environ.get("PORTAL_ENV", "development") == "production"
TESTING = env_bool("PORTAL_TESTING")


def _secret_key() -> str:
    key = os.environ.get("DJANGO_SECRET_KEY")
    if key:
        return key
    if PRODUCTION:
        raise RuntimeError("DJANGO_SECRET_KEY must be set when PORTAL_ENV=production")
    # A per-machine development key kept outside the source tree.
    key_file = VAR_DIR / "secret_key"
    if not key_file.exists():
        key_file.write_text(secrets.token_urlsafe(50))
        key_file.chmod(0o600)
    return key_file.read_text().strip()


SECRET_KEY = _secret_key()
# Earlier keys, still accepted for what they signed (sessions, watch tokens, check-in codes,
# calendar feed addresses) while the new key takes over: rotation without signing anyone out.
SECRET_KEY_FALLBACKS = env_list("DJANGO_SECRET_KEY_FALLBACKS")
DEBUG = env_bool("DJANGO_DEBUG", False)
ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", "127.0.0.1,localhost")
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS")
SITE_ID = 1

INSTALLED_APPS = [
    "daphne",
    "portal",
    "media",
    "courses",
    "search",
    "resources",
    "volunteers",
    "live",
    "insights",
    "wagtail.contrib.forms",
    "wagtail.contrib.redirects",
    "wagtail.embeds",
    "wagtail.sites",
    "wagtail.users",
    "wagtail.snippets",
    "wagtail.documents",
    "wagtail.images",
    "wagtail.search",
    "wagtail.admin",
    "wagtail",
    "modelcluster",
    "taggit",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.sites",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "channels",
    "django_tasks",
    "django_tasks_db",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "portal.middleware.SecurityHeadersMiddleware",
    # Above WhiteNoise, so that static files are not framed either.
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Database or Redis unreachable: a 503 page or JSON instead of a 500 (portal/faults.py).
    "portal.faults.ServiceUnavailableMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "portal.middleware.SessionPolicyMiddleware",
    "portal.middleware.AccountDutiesMiddleware",
    "courses.middleware.FirstLessonGateMiddleware",
    "wagtail.contrib.redirects.middleware.RedirectMiddleware",
]

ROOT_URLCONF = "portal.urls"
WSGI_APPLICATION = "portal.wsgi.application"
ASGI_APPLICATION = "portal.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.debug",
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "portal.context_processors.portal",
            ],
        },
    },
]

# --- Data stores -------------------------------------------------------------------------------

DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{VAR_DIR / 'db.sqlite3'}",
        conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 0),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # IMMEDIATE transactions serialise writers up front, so read-then-write sequences such as
    # the audit hash chain never hit a stale snapshot; WAL lets readers run alongside.
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
    # A file, not memory, so tests can share the database with a real worker process.
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / "test-db.sqlite3")}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = os.environ.get("REDIS_URL", "")


def _redis_retry():
    from redis.asyncio.retry import Retry
    from redis.backoff import ExponentialBackoff

    return Retry(ExponentialBackoff(cap=0.5, base=0.05), 2)


if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "portal.cache.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": os.environ.get("CACHE_KEY_PREFIX", "portal"),
        }
    }
    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.core.RedisChannelLayer",
            "CONFIG": {
                # A command on a pooled connection Redis dropped (a restart, a network blip) is
                # sent again on a fresh one, so a class's first message afterwards gets through.
                "hosts": [{"address": REDIS_URL, "retry": _redis_retry()}],
                "prefix": "portal",
            },
        }
    }
    SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
    SESSION_ENGINE = "django.contrib.sessions.backends.db"

TASKS = {
    "default": {
        "BACKEND": os.environ.get("TASKS_BACKEND", "django_tasks_db.DatabaseBackend"),
        # "media" holds transcodes, so a deployment can give them dedicated workers.
        "QUEUES": ["default", "media"],
    }
}
# A task cut off by a database outage or a killed worker runs again (portal/tasks.py), at most
# this many times; one still marked running this long after it started counts as cut off.
TASKS_MAX_ATTEMPTS = env_int("TASKS_MAX_ATTEMPTS", 5)
TASKS_ABANDONED_SECONDS = env_int("TASKS_ABANDONED_SECONDS", 2 * 60 * 60)

# --- Files -------------------------------------------------------------------------------------

STATIC_URL = "/static/"
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", VAR_DIR / "static"))
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", VAR_DIR / "media"))
PRIVATE_ROOT = Path(os.environ.get("PRIVATE_ROOT", VAR_DIR / "private"))
VIDEO_ROOT = Path(os.environ.get("VIDEO_ROOT", VAR_DIR / "video"))

AWS_STORAGE_BUCKET_NAME = os.environ.get("AWS_STORAGE_BUCKET_NAME", "")
if AWS_STORAGE_BUCKET_NAME:
    # Object storage (S3 API). Credentials come from the usual AWS_* variables or the instance
    # role; the private bucket is never public and is read only through signed, short URLs.
    AWS_S3_ENDPOINT_URL = os.environ.get("AWS_S3_ENDPOINT_URL") or None
    AWS_S3_REGION_NAME = os.environ.get("AWS_S3_REGION_NAME") or None
    AWS_DEFAULT_ACL = None
    AWS_S3_FILE_OVERWRITE = False  # a second upload of the same name gets a name of its own
    AWS_QUERYSTRING_EXPIRE = 300
    _public_storage = {"BACKEND": "storages.backends.s3.S3Storage", "OPTIONS": {}}
    _private_storage = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": os.environ.get("AWS_PRIVATE_BUCKET_NAME", AWS_STORAGE_BUCKET_NAME),
            "location": "private",
            "querystring_auth": True,
        },
    }
    _video_storage = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": os.environ.get("AWS_PRIVATE_BUCKET_NAME", AWS_STORAGE_BUCKET_NAME),
            "location": "video",
            "querystring_auth": True,
        },
    }
else:
    _public_storage = {"BACKEND": "django.core.files.storage.FileSystemStorage"}
    _private_storage = {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": PRIVATE_ROOT, "base_url": None},
    }
    _video_storage = {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": VIDEO_ROOT, "base_url": None},
    }

# Public files (published pictures and their renditions) on local disk are served by the site
# itself unless a proxy in front serves MEDIA_ROOT at MEDIA_URL (then set this to 0).
PORTAL_SERVE_MEDIA = env_bool("PORTAL_SERVE_MEDIA", not AWS_STORAGE_BUCKET_NAME)

STORAGES = {
    "default": _public_storage,
    "private": _private_storage,
    "video": _video_storage,
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if env_bool("PORTAL_MANIFEST_STATIC", not (DEBUG or TESTING))
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
# Test servers in their own process (the ASGI server of the live-class browser tests) serve
# static files straight from the apps, without a collectstatic run.
WHITENOISE_USE_FINDERS = DEBUG or TESTING
FILE_UPLOAD_PERMISSIONS = 0o640

# --- Video pipeline (media/) -------------------------------------------------------------------

# ffmpeg: the binary shipped in the imageio-ffmpeg wheel unless a system one is named here.
FFMPEG_BINARY = os.environ.get("FFMPEG_BINARY", "")
MEDIA_MAX_UPLOAD_MB = env_int("MEDIA_MAX_UPLOAD_MB", 2048)
MEDIA_MAX_DURATION_SECONDS = env_int("MEDIA_MAX_DURATION_SECONDS", 3 * 60 * 60)
# HLS ladder: height:video kbit/s:audio kbit/s per rung; rungs above the source are skipped.
MEDIA_HLS_LADDER = os.environ.get("MEDIA_HLS_LADDER", "360:800:96,720:2500:128")
MEDIA_HLS_SEGMENT_SECONDS = env_int("MEDIA_HLS_SEGMENT_SECONDS", 4)
MEDIA_X264_PRESET = os.environ.get("MEDIA_X264_PRESET", "veryfast")
# A job whose heartbeat is older than this is taken as dead (its worker was killed) and retried.
MEDIA_STALE_SECONDS = env_int("MEDIA_STALE_SECONDS", 120)
MEDIA_MAX_ATTEMPTS = env_int("MEDIA_MAX_ATTEMPTS", 3)
# How processed video reaches the browser: "direct" (this process streams the file), "accel"
# (X-Accel-Redirect to MEDIA_ACCEL_PREFIX, for nginx) or "redirect" (short signed URLs from
# object storage). Empty means "redirect" with object storage, otherwise "direct".
MEDIA_DELIVERY = os.environ.get("MEDIA_DELIVERY", "") or (
    "redirect" if AWS_STORAGE_BUCKET_NAME else "direct"
)
MEDIA_ACCEL_PREFIX = os.environ.get("MEDIA_ACCEL_PREFIX", "/protected-video/")
# Origins the browser may fetch video from besides this site (object storage with "redirect").
MEDIA_CSP_SOURCES = env_list("MEDIA_CSP_SOURCES")
SCRATCH_ROOT = Path(os.environ.get("SCRATCH_ROOT", VAR_DIR / "scratch"))
# Background housekeeping (stalled jobs and the like) run by `manage.py worker`, in seconds.
PORTAL_HOUSEKEEPING_INTERVAL = env_int("PORTAL_HOUSEKEEPING_INTERVAL", 30)

# --- Accounts and sign-in ---------------------------------------------------------------------

AUTH_USER_MODEL = "portal.User"
AUTHENTICATION_BACKENDS = [
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
if TESTING:
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "workspace"
WAGTAILADMIN_LOGIN_URL = "account_login"
WAGTAIL_FRONTEND_LOGIN_URL = "account_login"

ACCOUNT_ADAPTER = "portal.accounts.AccountAdapter"
ACCOUNT_LOGIN_METHODS = {"username", "email", "phone"}
# The phone is optional for allauth (accounts made by caseworkers may have none and must still
# sign in); the volunteer sign-up form requires it itself.
ACCOUNT_SIGNUP_FIELDS = ["username*", "phone", "email", "password1*", "password2*"]
ACCOUNT_SIGNUP_FORM_CLASS = "portal.forms.VolunteerSignupForm"
ACCOUNT_EMAIL_VERIFICATION = "none"
ACCOUNT_PHONE_VERIFICATION_ENABLED = False
ACCOUNT_SESSION_REMEMBER = False
ACCOUNT_LOGOUT_ON_GET = False
ACCOUNT_PREVENT_ENUMERATION = True
ACCOUNT_RATE_LIMITS = {
    "login": os.environ.get("PORTAL_RATE_LIMIT_LOGIN", "30/m/ip"),
    "login_failed": os.environ.get("PORTAL_RATE_LIMIT_LOGIN_FAILED", "10/m/ip,5/5m/key"),
    "signup": os.environ.get("PORTAL_RATE_LIMIT_SIGNUP", "20/h/ip"),
    "change_password": "5/m/user",
    "reset_password": "20/m/ip,5/m/key",
}
ALLAUTH_TRUSTED_PROXY_COUNT = env_int("PORTAL_TRUSTED_PROXY_COUNT", 0)
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = "矫正帮教平台"

# Session lifetimes in seconds: idle limits per kind of user, and an absolute cap.
PORTAL_IDLE_TIMEOUT_STAFF = env_int("PORTAL_IDLE_TIMEOUT_STAFF", 15 * 60)
PORTAL_IDLE_TIMEOUT_SUPERVISEE = env_int("PORTAL_IDLE_TIMEOUT_SUPERVISEE", 60 * 60)
PORTAL_IDLE_TIMEOUT_OTHER = env_int("PORTAL_IDLE_TIMEOUT_OTHER", 30 * 60)
PORTAL_SESSION_ABSOLUTE_TIMEOUT = env_int("PORTAL_SESSION_ABSOLUTE_TIMEOUT", 12 * 60 * 60)
SESSION_COOKIE_AGE = PORTAL_SESSION_ABSOLUTE_TIMEOUT
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
PORTAL_REQUIRE_STAFF_MFA = env_bool("PORTAL_REQUIRE_STAFF_MFA", True)

# Audit log retention: entries younger than this are never pruned (at least 180 days).
AUDIT_RETENTION_DAYS = env_int("AUDIT_RETENTION_DAYS", 180)

# --- Language, time ----------------------------------------------------------------------------

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "portal" / "locale"]
USE_I18N = True
TIME_ZONE = "Asia/Shanghai"
USE_TZ = True
WAGTAIL_I18N_ENABLED = False
WAGTAILADMIN_PERMITTED_LANGUAGES = LANGUAGES

# --- Wagtail -----------------------------------------------------------------------------------

WAGTAIL_SITE_NAME = "矫正帮教平台"
# The last approval of a workflow publishes without page permissions: the task checked the approver.
WAGTAIL_FINISH_WORKFLOW_ACTION = "portal.publishing.publish_approved"
WAGTAILADMIN_BASE_URL = os.environ.get("PORTAL_BASE_URL", "http://127.0.0.1:8000")
WAGTAILSEARCH_BACKENDS = {"default": {"BACKEND": "wagtail.search.backends.database"}}
WAGTAILDOCS_SERVE_METHOD = "serve_view"
DATA_UPLOAD_MAX_NUMBER_FIELDS = 10_000

# --- Security ----------------------------------------------------------------------------------

SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
if PRODUCTION:
    SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = env_int("DJANGO_SECURE_HSTS_SECONDS", 31_536_000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = env_bool("DJANGO_SECURE_HSTS_PRELOAD", False)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SILENCED_SYSTEM_CHECKS = [] if SECURE_HSTS_PRELOAD else ["security.W021"]

# --- Courses and attendance (courses/) ----------------------------------------------------------

# The fastest playback the player offers; coverage reports claiming more are rejected.
COURSES_MAX_PLAYBACK_RATE = float(os.environ.get("COURSES_MAX_PLAYBACK_RATE", "2"))
# Share of a lesson's seconds that must have been watched (unique seconds) to complete it.
COURSES_COMPLETION_SHARE = float(os.environ.get("COURSES_COMPLETION_SHARE", "0.9"))
# How often the player reports, and how long another page view must have been silent before it
# may take over the same lesson (two devices never count at once).
COURSES_REPORT_SECONDS = env_int("COURSES_REPORT_SECONDS", 10)
COURSES_DEVICE_TAKEOVER_SECONDS = env_int("COURSES_DEVICE_TAKEOVER_SECONDS", 30)
# On PostgreSQL, an ordinary coverage report (one that neither starts nor completes a lesson)
# is answered without waiting for its WAL flush. A crash of the database server can lose the
# last fraction of a second of such reports, never a completion or a credit (docs/courses.md).
COURSES_COVERAGE_ASYNC_COMMIT = env_bool("COURSES_COVERAGE_ASYNC_COMMIT", True)
# Days before the end of the month when people short of their hours are warned.
COURSES_WARNING_DAYS = env_int("COURSES_WARNING_DAYS", 7)
# Days after the start of supervision by which the first lesson should be completed.
COURSES_ORIENTATION_DUE_DAYS = env_int("COURSES_ORIENTATION_DUE_DAYS", 7)
# Group-class QR codes: a new token every this many seconds, each accepted a little longer.
COURSES_QR_ROTATE_SECONDS = env_int("COURSES_QR_ROTATE_SECONDS", 30)
COURSES_QR_VALID_SECONDS = env_int("COURSES_QR_VALID_SECONDS", 45)
# Check-ins of different people from one network address within this window are flagged.
COURSES_SHARED_ADDRESS_WINDOW_SECONDS = env_int("COURSES_SHARED_ADDRESS_WINDOW_SECONDS", 300)
# Where notifications go besides the app: any of "sms", "email".
PORTAL_NOTIFY_CHANNELS = env_list("PORTAL_NOTIFY_CHANNELS")

# --- Search (search/) ---------------------------------------------------------------------------

# Unset: the embedded database backend. Set (e.g. https://user:pass@es1:9200): Elasticsearch 8.
ELASTICSEARCH_URL = os.environ.get("ELASTICSEARCH_URL", "")
ELASTICSEARCH_TIMEOUT = float(os.environ.get("ELASTICSEARCH_TIMEOUT", "5"))
# Further keyword arguments for the Elasticsearch client (certificates, API key, node class).
ELASTICSEARCH_CLIENT_OPTIONS = {
    key: value
    for key, value in {
        "api_key": os.environ.get("ELASTICSEARCH_API_KEY"),
        "ca_certs": os.environ.get("ELASTICSEARCH_CA_CERTS"),
    }.items()
    if value
}
# Index names start with this, so several deployments may share one cluster.
SEARCH_INDEX_PREFIX = os.environ.get("SEARCH_INDEX_PREFIX", "jiaozheng")

# Resource directory: a base must answer a referral within this many working days; listings
# nobody has verified for RESOURCES_STALE_DAYS are flagged and sink; matching looks this far.
RESOURCES_RESPONSE_WORKING_DAYS = env_int("RESOURCES_RESPONSE_WORKING_DAYS", 2)
RESOURCES_STALE_DAYS = env_int("RESOURCES_STALE_DAYS", 90)
RESOURCES_MATCH_RADIUS_KM = float(os.environ.get("RESOURCES_MATCH_RADIUS_KM", "50"))

# Volunteers: an active pairing with no session logged for this many days raises a lapse alert.
VOLUNTEERS_LAPSE_DAYS = env_int("VOLUNTEERS_LAPSE_DAYS", 21)
# Assistance-log attachments (PDF, JPEG, PNG) go to private storage, at most this size each.
VOLUNTEERS_ATTACHMENT_MAX_MB = env_int("VOLUNTEERS_ATTACHMENT_MAX_MB", 10)

# Live classes: sockets ping every LIVE_PING_SECONDS; renewals are written in batches every
# LIVE_FLUSH_SECONDS; a lease not renewed for LIVE_LEASE_STALE_SECONDS is closed by the sweep.
LIVE_PING_SECONDS = env_int("LIVE_PING_SECONDS", 20)
LIVE_FLUSH_SECONDS = env_int("LIVE_FLUSH_SECONDS", 5)
LIVE_LEASE_STALE_SECONDS = env_int("LIVE_LEASE_STALE_SECONDS", 60)
# A socket may send at most LIVE_MESSAGE_BYTES per frame and LIVE_RATE_BURST frames at once,
# refilled at LIVE_RATE_PER_SECOND; a client beyond that is disconnected.
LIVE_MESSAGE_BYTES = env_int("LIVE_MESSAGE_BYTES", 2048)
LIVE_RATE_BURST = env_int("LIVE_RATE_BURST", 10)
LIVE_RATE_PER_SECOND = float(os.environ.get("LIVE_RATE_PER_SECOND", "2"))
# The presenter's browser broadcast: MediaRecorder chunks of at most LIVE_MEDIA_CHUNK_BYTES,
# encoded by ffmpeg to HLS segments of LIVE_HLS_SEGMENT_SECONDS at LIVE_BROADCAST_HEIGHT lines.
LIVE_MEDIA_CHUNK_BYTES = env_int("LIVE_MEDIA_CHUNK_BYTES", 1024 * 1024)
LIVE_HLS_SEGMENT_SECONDS = env_int("LIVE_HLS_SEGMENT_SECONDS", 1)
LIVE_HLS_PLAYLIST_SEGMENTS = env_int("LIVE_HLS_PLAYLIST_SEGMENTS", 6)
LIVE_BROADCAST_HEIGHT = env_int("LIVE_BROADCAST_HEIGHT", 360)
LIVE_BROADCAST_VIDEO_KBPS = env_int("LIVE_BROADCAST_VIDEO_KBPS", 700)
# A presenter's socket may send LIVE_MEDIA_BYTES_PER_SECOND on average and must not fall silent
# for LIVE_BROADCAST_IDLE_SECONDS; one server process runs at most LIVE_ENCODERS_PER_PROCESS.
LIVE_MEDIA_BYTES_PER_SECOND = env_int("LIVE_MEDIA_BYTES_PER_SECOND", 512 * 1024)
LIVE_BROADCAST_IDLE_SECONDS = env_int("LIVE_BROADCAST_IDLE_SECONDS", 20)
LIVE_ENCODERS_PER_PROCESS = env_int("LIVE_ENCODERS_PER_PROCESS", 4)

# --- Mail and logging --------------------------------------------------------------------------

EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "noreply@localhost")
SMS_BACKEND = os.environ.get("SMS_BACKEND", "portal.notify.ConsoleSmsBackend")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}

PORTAL_NAME = _("Community corrections education and assistance platform")
