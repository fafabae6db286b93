"""CEE Portal settings: one module, driven by the environment (see README, "Production")."""

from datetime import timedelta
from pathlib import Path

import environ
from celery.schedules import crontab
from django.utils.csp import CSP
from kombu import Exchange, Queue

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()

# --- Core -----------------------------------------------------------------------------------------
DEBUG = env.bool("DEBUG", default=False)
# A secret never has a default outside DEBUG: production must set SECRET_KEY.
SECRET_KEY = env.str("SECRET_KEY") if not DEBUG else env.str("SECRET_KEY", default="dev-only-insecure-key")
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "testserver"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    # The admin, for administrators only (cee_portal/admin_site.py).
    "cee_portal.apps.PortalAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "axes",
    "cee_portal.users",
    "cee_portal.operations",
    "importers",
    "cases",
    "web",
    "demo",  # seed_demo: demo and benchmark data, above cases and importers
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # A request that fails because the database is unreachable answers 503, never a traceback.
    "cee_portal.operations.errors.DatabaseUnavailableMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    # Last, as django-axes asks: it turns a locked-out sign-in into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "cee_portal.urls"
WSGI_APPLICATION = "cee_portal.wsgi.application"
ASGI_APPLICATION = "cee_portal.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.csp",
            ],
        },
    },
]

# --- Database ---------------------------------------------------------------------------------------
# PostgreSQL in production and CI; SQLite is only the embedded default for trying the product out.
DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {"timeout": 20, "init_command": "PRAGMA journal_mode=WAL;"}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Auth ---------------------------------------------------------------------------------------------
AUTH_USER_MODEL = "users.User"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# One sign-in page for every role; "home" then sends each user to where that role works.
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
AUTHENTICATION_BACKENDS = [
    # Refuses a locked-out username before any password is checked (django-axes).
    "cee_portal.users.backends.LockoutBackend",
    "django.contrib.auth.backends.ModelBackend",
]
# Password reset links stay valid this long (Django's default is three days).
PASSWORD_RESET_TIMEOUT = env.int("PASSWORD_RESET_TIMEOUT", default=60 * 60)

# Lockout after repeated failed sign-ins (NIST SP 800-53 AC-7: limit consecutive invalid attempts per
# account and lock it for a period). Counted per username, so an attacker cannot dodge the limit by
# changing address; a locked-out user can still reset the password by email.
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("AXES_COOLOFF_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = ["username"]
# axes.W006 warns that a lockout keyed without the IP address can be dodged by rotating User-Agents or
# cookies; a lock on the username alone cannot be. A lock per IP address would shut out a whole CBP
# office or broker firm behind one NAT address after a few typos, so it is left out on purpose.
SILENCED_SYSTEM_CHECKS = ["axes.W006"]
# models.W040: the queue's covering indexes INCLUDE the case id so PostgreSQL answers counts from the
# index alone; SQLite (the embedded default, never production) builds them without it, as intended.
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    SILENCED_SYSTEM_CHECKS.append("models.W040")
# The client's address for the audit trail: behind this many proxies, the hop they appended to
# X-Forwarded-For (the production proxy); with none, the address of the connection.
TRUSTED_PROXY_HOPS = env.int("TRUSTED_PROXY_HOPS", default=0 if DEBUG else 1)
AXES_CLIENT_IP_CALLABLE = "cee_portal.users.backends.client_ip"
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_USERNAME_FORM_FIELD = "username"
# The sign-in audit trail is SignInEvent (cee_portal/users/audit.py); axes keeps only the failure counts.
AXES_DISABLE_ACCESS_LOG = True

# --- Time -----------------------------------------------------------------------------------------------
LANGUAGE_CODE = "en-us"
USE_I18N = True
USE_TZ = True
TIME_ZONE = env.str("TIME_ZONE", default="UTC")
# The time zone in which a legal date (filing date, deadline) is fixed; ACE's cutoffs are US Eastern.
LEGAL_TIME_ZONE = env.str("LEGAL_TIME_ZONE", default="America/New_York")

# --- Statutory clock: where the law is unsettled, policy is a setting (cases/deadlines.py) ---------------
CASE_CLOCK = {
    # No rule was found that moves a deadline falling on a weekend or federal holiday.
    "ROLL_FORWARD": env.bool("CLOCK_ROLL_FORWARD", default=False),
    # No rule settles a protest filed on the day of liquidation; the default treats it as premature.
    "SAME_DAY_PROTEST_PREMATURE": env.bool("CLOCK_SAME_DAY_PROTEST_PREMATURE", default=True),
    "CF28_RESPONSE_DAYS": env.int("CLOCK_CF28_RESPONSE_DAYS", default=30),
    "CF29_RESPONSE_DAYS": env.int("CLOCK_CF29_RESPONSE_DAYS", default=20),
}
# Reminders go out this many days before each open deadline.
DEADLINE_REMINDER_DAYS = env.list("DEADLINE_REMINDER_DAYS", cast=int, default=[14, 3])

# --- Account assignment (81 FR 92978): see docs/reassignment.md --------------------------------------
ACCOUNT_MIX = {
    "WINDOW_DAYS": env.int("ACCOUNT_MIX_WINDOW_DAYS", default=365),
    "BASIS": env.str("ACCOUNT_MIX_BASIS", default="lines"),  # "lines" (the rule's words) or "value"
    "MARGIN_POINTS": env.float("ACCOUNT_MIX_MARGIN_POINTS", default=10.0),
    "MIN_LINES": env.int("ACCOUNT_MIX_MIN_LINES", default=20),
    "MIN_VALUE": env.int("ACCOUNT_MIX_MIN_VALUE", default=100_000),
    "NOTICE_DAYS": env.int("ACCOUNT_MIX_NOTICE_DAYS", default=0),
}

# --- Static files ---------------------------------------------------------------------------------------
STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
_DOCUMENTS_BACKEND = env.str(
    "DOCUMENTS_STORAGE_BACKEND", default="django.core.files.storage.FileSystemStorage"
)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    # Case documents (issue 13 item 4): never at a public URL, served only by the authorised view.
    # S3-compatible storage: DOCUMENTS_STORAGE_BACKEND=storages.backends.s3.S3Storage (django-storages).
    "documents": {
        "BACKEND": _DOCUMENTS_BACKEND,
        "OPTIONS": {"location": env.str("DOCUMENTS_ROOT", default=str(BASE_DIR / "var" / "documents"))}
        if _DOCUMENTS_BACKEND.endswith("FileSystemStorage")
        else {},
    },
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}

# --- REST API -----------------------------------------------------------------------------------------
REST_FRAMEWORK = {
    # Token first: DRF answers an anonymous caller with the first class's challenge, so 401 with
    # "WWW-Authenticate: Token" rather than the 403 session authentication (which has none) gives.
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "cee_portal.users.api_auth.ApiTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    # Per user (per address for the anonymous); the rates are settings read at each request.
    "DEFAULT_THROTTLE_CLASSES": [
        "cee_portal.users.api_throttle.PerUserThrottle",
        "cee_portal.users.api_throttle.AnonymousThrottle",
    ],
    # JSON in and out: the contract documents one media type, and no form body reaches a filing.
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    # Domain refusals -> 400 with field errors, not allowed -> 403 (invisible -> 404), stale -> 409.
    "EXCEPTION_HANDLER": "cases.exceptions.api_exception_handler",
}
API_THROTTLE_USER_RATE = env.str("API_THROTTLE_USER_RATE", default="1200/min")
API_THROTTLE_ANON_RATE = env.str("API_THROTTLE_ANON_RATE", default="60/min")
SPECTACULAR_SETTINGS = {
    "TITLE": "CEE Portal API",
    "VERSION": "1.0.0",
    "DESCRIPTION": (
        "Post-entry case management for CBP's Centers of Excellence and Expertise. Authenticate with "
        "`Authorization: Token <key>` (`manage.py api_token`) or the site's session (with CSRF). Every "
        "filing and action takes an `Idempotency-Key` header; staff actions take the case's ETag in "
        "`If-Match`. Errors are JSON: `{code, message, field, errors}`."
    ),
    # The docs page's Swagger UI is served by the site itself (drf-spectacular-sidecar), never a CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "SERVE_INCLUDE_SCHEMA": False,
    "SCHEMA_PATH_PREFIX": r"/api/v1",
}

# --- Celery ---------------------------------------------------------------------------------------------
# Without REDIS_URL (the embedded default) tasks run in-process, so every feature works without Redis.
REDIS_URL = env.str("REDIS_URL", default="")
CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_RESULT_BACKEND = REDIS_URL or "cache+memory://"
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=not REDIS_URL)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_TIMEOUT = 3
CELERY_BROKER_TRANSPORT_OPTIONS = {"max_retries": 1, "socket_connect_timeout": 2}
CELERY_TIMEZONE = LEGAL_TIME_ZONE
# One beat only (cee_portal/operations/beat.py): a second beat finds the Redis lock held and exits.
CELERY_BEAT_SCHEDULER = "cee_portal.operations.beat:SingleBeatScheduler"
BEAT_LOCK_KEY = env.str("BEAT_LOCK_KEY", default="cee_portal:beat-lock")
BEAT_LOCK_TTL = env.float("BEAT_LOCK_TTL", default=60.0)
# Queues per kind of job, so that each can have its own workers (docs/operations.md, "Past one
# machine"). A worker started without -Q consumes every queue declared here.
CELERY_TASK_DEFAULT_QUEUE = "celery"
CELERY_TASK_QUEUES = [
    # Each queue its own exchange and routing key: a message goes to its queue only.
    Queue(name, Exchange(name, type="direct"), routing_key=name)
    for name in ("celery", "outbox", "sweeps", "reassignment", "lines")
]
CELERY_TASK_ROUTES = {
    "operations.drain_outbox": {"queue": "outbox"},
    "cases.run_deadline_sweeps": {"queue": "sweeps"},
    # The nightly planner and its chunks: several workers on this queue share the chunks.
    "importers.reassign_accounts": {"queue": "reassignment"},
    "importers.apply_reassignment_chunk": {"queue": "reassignment"},
    "importers.reresolve_lines": {"queue": "lines"},
    "cases.refresh_dashboard": {"queue": "sweeps"},
}
# How often the dashboard's figures are counted again; the page says when they were counted.
DASHBOARD_REFRESH_MINUTES = env.int("DASHBOARD_REFRESH_MINUTES", default=5)
CELERY_BEAT_SCHEDULE = {
    "drain-outbox": {"task": "operations.drain_outbox", "schedule": 30.0},
    "deadline-sweeps": {"task": "cases.run_deadline_sweeps", "schedule": 3600.0},
    # Nightly full recompute of every account's commodity mix and the moves it calls for.
    "reassign-accounts": {"task": "importers.reassign_accounts", "schedule": crontab(hour=2, minute=30)},
    # The dashboard's figures (cases.services.dashboards); a refresh not started within its interval
    # is dropped, so a stopped worker does not find a pile of them queued.
    "refresh-dashboard": {
        "task": "cases.refresh_dashboard",
        "schedule": DASHBOARD_REFRESH_MINUTES * 60.0,
        "options": {"expires": DASHBOARD_REFRESH_MINUTES * 60.0},
    },
}

# --- Email ------------------------------------------------------------------------------------------------
MAILERS = {
    "default": {
        "BACKEND": env.str(
            "EMAIL_BACKEND",
            default="django.core.mail.backends.console.EmailBackend"
            if DEBUG
            else "django.core.mail.backends.smtp.EmailBackend",
        ),
        "OPTIONS": {},
    },
}
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="cee-portal@localhost")
# The site's own address, for links in emails sent by workers (which have no request to ask).
SITE_URL = env.str("SITE_URL", default="http://localhost:8000")

# --- Portal: documents and invitations (issue 13) ------------------------------------------------------
DOCUMENT_MAX_BYTES = env.int("DOCUMENT_MAX_BYTES", default=10 * 1024 * 1024)
# "cases.services.scanning.TestScanner" refuses the EICAR test string; ClamAvScanner talks to clamd.
DOCUMENT_SCANNER = env.str("DOCUMENT_SCANNER", default="cases.services.scanning.TestScanner")
CLAMD_HOST = env.str("CLAMD_HOST", default="127.0.0.1")
CLAMD_PORT = env.int("CLAMD_PORT", default=3310)
INVITATION_TTL = timedelta(hours=env.int("INVITATION_TTL_HOURS", default=72))

# --- Security (production: DEBUG off) ----------------------------------------------------------------------
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
# Content Security Policy: only this site's own files; no inline script or style anywhere (templates
# load static/css and static/vendor files), no framing, forms post only here.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.SELF],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
}
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
# A sign-in lasts one shift (8 hours by default), then the user signs in again.
SESSION_COOKIE_AGE = env.int("SESSION_COOKIE_AGE", default=8 * 60 * 60)
if not DEBUG:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31_536_000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True

# --- Logging: structured (one JSON object per line) to stderr -------------------------------------------
# stderr, not stdout: a management command's stdout carries its own summary and listings only (they
# are piped and parsed), and Celery's, kombu's and the app's log lines would interleave with them.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"json": {"()": "cee_portal.logging.JsonFormatter"}},
    "handlers": {
        "stderr": {"class": "logging.StreamHandler", "stream": "ext://sys.stderr", "formatter": "json"}
    },
    "root": {"handlers": ["stderr"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}, "axes": {"level": "WARNING"}},
}
