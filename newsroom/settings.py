"""Newsroom settings, read from the environment with safe development defaults.

Production refuses to start without what it needs and names the missing variable.
"""

import os
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

import dj_database_url
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

from newsroom.caches import redis_cache

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"


def env_str(name, default=""):
    """A string from NAME, or from the file NAME_FILE names (container secrets)."""
    path = os.environ.get(f"{name}_FILE")
    if path:
        try:
            return Path(path).read_text().strip()
        except OSError as exc:
            raise ImproperlyConfigured(f"{name}_FILE={path!r} cannot be read: {exc}") from None
    return os.environ.get(name, default)


def env_bool(name, default=False):
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    value = raw.strip().lower()
    if value in {"1", "true", "yes", "on"}:
        return True
    if value in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be a boolean (1/0, true/false, yes/no), got {raw!r}")


def env_int(name, default):
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        return int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be an integer, got {raw!r}") from None


def env_list(name, default=()):
    raw = os.environ.get(name)
    if raw is None:
        return list(default)
    return [item.strip() for item in raw.split(",") if item.strip()]


DEBUG = env_bool("DEBUG", False)

SECRET_KEY = env_str("SECRET_KEY")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "SECRET_KEY environment variable is required when DEBUG is off "
            "(set SECRET_KEY to a long random string, or DEBUG=1 for development)"
        )
    SECRET_KEY = "django-insecure-development-only-key"
elif not DEBUG and (
    len(SECRET_KEY) < 50 or len(set(SECRET_KEY)) < 5 or SECRET_KEY.startswith("django-insecure")
):
    raise ImproperlyConfigured(
        "SECRET_KEY is too weak for production: use at least 50 random characters "
        "(python -c 'import secrets; print(secrets.token_urlsafe(50))')"
    )

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    # django.contrib.admin, with the desk home as its index (newsroom/admin_site.py).
    "newsroom.admin_site.DeskAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.sitemaps",
    "taggit",
    "django_prose_editor",
    "axes",
    "csp",
    "articles",
    "public",
    "search",
    "syndication",
    "pagecache",
    "images",
    "backups",
    "jobs",
    "cdn",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "api",
    "webhooks",
    "importers",
    "redirects",
    # The project's own system checks (newsroom/checks.py).
    "newsroom",
]
# Benchmarks, load tests and the synthetic corpus: for development only. `make bench` and
# `make loadtest` run with DEBUG off and turn them on with NEWSROOM_DEVTOOLS=1.
if env_bool("NEWSROOM_DEVTOOLS", DEBUG):
    INSTALLED_APPS.append("devtools")

MIDDLEWARE = [
    "newsroom.request_id.RequestIdMiddleware",
    # A hit is answered before anything else runs: what the middleware below adds to a page
    # (the security policy, its headers, its ETag) was stored with it, and the page cache
    # answers conditional requests itself.
    "pagecache.middleware.PublicPageCacheMiddleware",
    "newsroom.admin_csp.ContentSecurityPolicyMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.middleware.http.ConditionalGetMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    # Old addresses (imports, the admin's table) answer 301 where the site has nothing (404).
    # After CommonMiddleware, so it sees the 404 first: its own trailing-slash variants before
    # APPEND_SLASH's; inside the page cache, which stores no 301 and forgets a cached 404
    # when a redirect is saved (pagecache.receivers).
    "redirects.middleware.RedirectFallbackMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "newsroom.db_outage.DatabaseOutageMiddleware",
    # Last, as django-axes asks: it turns a locked-out login into its lockout page.
    "axes.middleware.AxesMiddleware",
]

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
# Repeated failed logins lock out the address, and separately the account, for a while. The
# message is the same whether or not the account exists.
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("AXES_COOLOFF_MINUTES", 15))
AXES_LOCKOUT_PARAMETERS = ["ip_address", "username"]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "admin/locked_out.html"
AXES_VERBOSE = False
# Behind a proxy, the address axes counts comes from X-Forwarded-For.
AXES_IPWARE_META_PRECEDENCE_ORDER = (
    ["HTTP_X_FORWARDED_FOR", "REMOTE_ADDR"] if env_bool("BEHIND_PROXY", False) else ["REMOTE_ADDR"]
)

ROOT_URLCONF = "newsroom.urls"

# A newsroom's own look (README, "Theming"): a folder whose templates/ and static/ are searched
# before the built-in ones, so a theme ships only the files it changes. A relative path is taken
# from the project's folder, wherever the command runs.
NEWSROOM_THEME_DIR = env_str("NEWSROOM_THEME_DIR")
THEME_DIRS = []  # the theme's folder, if any: searched first
if NEWSROOM_THEME_DIR:
    THEME_DIRS.append(BASE_DIR / NEWSROOM_THEME_DIR)
    if not THEME_DIRS[0].is_dir():
        raise ImproperlyConfigured(
            f"NEWSROOM_THEME_DIR={NEWSROOM_THEME_DIR!r} is not a folder: give a theme's path "
            "(such as themes/example), or leave it empty for the built-in look"
        )

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [*(theme / "templates" for theme in THEME_DIRS), BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "public.context_processors.site",
            ],
        },
    },
]

WSGI_APPLICATION = "newsroom.wsgi.application"

# The embedded default needs no server: a SQLite file under the git-ignored var/ folder.
_default_sqlite = VAR_DIR / "newsroom.sqlite3"
DATABASE_URL = env_str("DATABASE_URL")
if not DATABASE_URL:
    VAR_DIR.mkdir(exist_ok=True)
    DATABASE_URL = f"sqlite:///{_default_sqlite}"
_conn_max_age = env_int("CONN_MAX_AGE", 0)
try:
    DATABASES = {
        # With health checks, a kept connection is checked before a request's first query, so
        # one that a restart or a firewall dropped while idle is replaced, not a failed page.
        "default": dj_database_url.parse(
            DATABASE_URL, conn_max_age=_conn_max_age, conn_health_checks=True
        )
    }
except ValueError as exc:
    raise ImproperlyConfigured(f"DATABASE_URL is not a usable database URL: {exc}") from None
ON_POSTGRESQL = DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql"
# Opt-in: each process keeps its PostgreSQL connections in psycopg's pool (Django 5.1+), so a
# request does not pay for connecting, and the pool checks a connection before handing it out.
# A sync worker serves one request at a time: a small pool is plenty.
if env_bool("DATABASE_POOL", False):
    if not ON_POSTGRESQL:
        raise ImproperlyConfigured("DATABASE_POOL=1 needs a PostgreSQL DATABASE_URL")
    if _conn_max_age:
        # Django refuses the pair too, but only at the first query and naming no variable.
        raise ImproperlyConfigured(
            "DATABASE_POOL=1 keeps connections itself: leave CONN_MAX_AGE unset (or 0)"
        )
    DATABASES["default"].setdefault("OPTIONS", {})["pool"] = {"min_size": 1, "max_size": 4}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en"
LANGUAGES = [("en", "English"), ("fr", "Français")]
# One catalogue for the project: the app, the project templates and the admin screens we add.
LOCALE_PATHS = [BASE_DIR / "articles" / "locale"]
TIME_ZONE = env_str("TIME_ZONE", "UTC")
USE_I18N = True
# Dates in the house style of each language (newsroom/formats/), through Django's `date` filter.
FORMAT_MODULE_PATH = ["newsroom.formats"]
USE_TZ = True

STATIC_URL = "/static/"
# A theme may change templates only; a static/ folder that is not there would be a warning.
STATICFILES_DIRS = [
    *(theme / "static" for theme in THEME_DIRS if (theme / "static").is_dir()),
    BASE_DIR / "static",
]
STATIC_ROOT = Path(env_str("STATIC_ROOT", str(VAR_DIR / "static")))
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(VAR_DIR / "media")))

# Uploads and renditions: local files by default; S3-compatible object storage (so several app
# servers share them) when a bucket is configured.
AWS_STORAGE_BUCKET_NAME = env_str("AWS_STORAGE_BUCKET_NAME")
if AWS_STORAGE_BUCKET_NAME:
    MEDIA_STORAGE = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": AWS_STORAGE_BUCKET_NAME,
            "endpoint_url": env_str("AWS_S3_ENDPOINT_URL") or None,
            "region_name": env_str("AWS_S3_REGION_NAME") or None,
            "access_key": env_str("AWS_ACCESS_KEY_ID") or None,
            "secret_key": env_str("AWS_SECRET_ACCESS_KEY") or None,
            "custom_domain": env_str("AWS_S3_CUSTOM_DOMAIN") or None,
            # Published pictures are public: plain, cacheable URLs, no signed query strings.
            "querystring_auth": False,
            "file_overwrite": False,
            "object_parameters": {"CacheControl": "public, max-age=31536000, immutable"},
        },
    }
else:
    MEDIA_STORAGE = {"BACKEND": "django.core.files.storage.FileSystemStorage"}

STORAGES = {
    "default": MEDIA_STORAGE,
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

# The cache: Redis when REDIS_URL is set (shared by every app server). Without it, files in one
# folder that every worker of this machine reads and writes (pagecache.backends), so a decision
# taken through one worker (a publication, a takedown, a correction) reaches the next request
# of every other; a hit on a page a worker holds in memory reads two small files.
REDIS_URL = env_str("REDIS_URL")
if REDIS_URL:
    CACHES = {
        "default": redis_cache(REDIS_URL, KEY_PREFIX=env_str("CACHE_KEY_PREFIX", "newsroom")),
    }
else:
    CACHES = {
        "default": {
            "BACKEND": "pagecache.backends.SharedFileCache",
            "LOCATION": env_str("NEWSROOM_CACHE_DIR", str(VAR_DIR / "cache")),
            "OPTIONS": {"MAX_ENTRIES": 5000},
        }
    }
# The content API (api/): read-only JSON, published content only, documented by its OpenAPI
# schema (/api/v1/schema/) and Swagger UI (/api/v1/docs/) with assets served from here.
REST_FRAMEWORK = {
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": [],
    # Data for holders of an API key (api.models.ApiKey), each held to its own rate limit.
    "DEFAULT_AUTHENTICATION_CLASSES": ["api.authentication.ApiKeyAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["api.permissions.HasApiKey"],
    "DEFAULT_THROTTLE_CLASSES": ["api.throttling.ApiKeyRateThrottle"],
    "UNAUTHENTICATED_USER": None,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Newsroom content API",
    "DESCRIPTION": (
        "Published articles, their authors, sections and tags. Read-only. Every endpoint needs "
        "an API key (an administrator creates one in the admin), sent as the header "
        "`Authorization: Api-Key <key>` or, for clients that cannot set headers, as the query "
        "parameter `?key=<key>`. Without a valid key: 401. Each key has its own rate limit "
        "(requests per minute); past it: 429, with `Retry-After` in seconds."
    ),
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    # The schema and the docs are open to all (AllowAny): a stale key must not lock them.
    "SERVE_AUTHENTICATION": [],
}

# Slow work (emails, and later webhooks, renditions and CDN purges) runs off the request, through
# Django's task API (the django-tasks backport of Django 6's django.tasks). By default the tasks
# wait in this database (django-tasks-db): `make run` starts its worker, nothing else to install.
# NEWSROOM_TASK_QUEUE=redis puts them on RQ in REDIS_URL's Redis, for newsrooms that run many
# workers. `manage.py worker` runs the worker of whichever is configured (jobs/).
NEWSROOM_TASK_QUEUE = env_str("NEWSROOM_TASK_QUEUE", "database")
if NEWSROOM_TASK_QUEUE == "redis":
    if not REDIS_URL:
        raise ImproperlyConfigured("NEWSROOM_TASK_QUEUE=redis needs REDIS_URL")
    TASKS = {"default": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": ["default"]}}
    RQ_QUEUES = {"default": {"URL": env_str("NEWSROOM_TASK_REDIS_URL", REDIS_URL)}}
    INSTALLED_APPS += ["django_rq", "django_tasks"]
elif NEWSROOM_TASK_QUEUE == "database":
    TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    INSTALLED_APPS += ["django_tasks", "django_tasks_db"]
else:
    raise ImproperlyConfigured(
        f"NEWSROOM_TASK_QUEUE is {NEWSROOM_TASK_QUEUE!r}: it must be 'database' or 'redis'"
    )
# A task that fails is tried again this many times in all, waiting NEWSROOM_TASK_RETRY_SECONDS,
# then twice that, and so on (capped at an hour); after the last try it is listed as failed in
# the admin (Tasks: "Gave up").
NEWSROOM_TASK_ATTEMPTS = env_int("NEWSROOM_TASK_ATTEMPTS", 6)
NEWSROOM_TASK_RETRY_SECONDS = env_int("NEWSROOM_TASK_RETRY_SECONDS", 30)

# A task a worker of another host has been running this long is taken for lost (that worker
# was killed) and queued again when a worker starts (jobs.reaper); a dead worker of this host
# is recognised at once.
NEWSROOM_TASK_LEASE_SECONDS = env_int("NEWSROOM_TASK_LEASE_SECONDS", 3600)

# Exports uploaded in the admin (importers/) wait here between their dry run and the import.
NEWSROOM_IMPORT_DIR = env_str("NEWSROOM_IMPORT_DIR", str(VAR_DIR / "imports"))

# Webhooks (webhooks/): endpoints registered in the admin are POSTed signed JSON when articles
# are published, updated, unpublished or deleted; a receiver gets this long to answer.
NEWSROOM_WEBHOOK_TIMEOUT_SECONDS = env_int("NEWSROOM_WEBHOOK_TIMEOUT_SECONDS", 10)

# CDN purge (cdn/, README "CDN purge"): once a change is committed, the public URLs it makes
# stale are purged from the CDN in front of the site by a task, so the CDN may keep pages long.
# NEWSROOM_CDN_PURGE is empty (off: nothing is queued), "purge" (Varnish: a PURGE request per
# URL), "ban" (Varnish: one BAN request, the paths as a regex in its X-Ban-Url header) or
# "cloudflare" (its purge_cache API, 30 URLs a call). Varnish is reached at
# NEWSROOM_CDN_VARNISH_URL (its own address, such as http://10.0.0.5:6081; the Host header names
# the public site); Cloudflare needs the zone's id and an API token allowed to purge its cache.
NEWSROOM_CDN_PURGE = env_str("NEWSROOM_CDN_PURGE").strip().lower()
NEWSROOM_CDN_VARNISH_URL = env_str("NEWSROOM_CDN_VARNISH_URL").strip().rstrip("/")
NEWSROOM_CDN_CLOUDFLARE_ZONE = env_str("NEWSROOM_CDN_CLOUDFLARE_ZONE").strip()
NEWSROOM_CDN_CLOUDFLARE_TOKEN = env_str("NEWSROOM_CDN_CLOUDFLARE_TOKEN").strip()
# Where Cloudflare's API answers; tests point it at a local server.
NEWSROOM_CDN_CLOUDFLARE_API_URL = env_str(
    "NEWSROOM_CDN_CLOUDFLARE_API_URL", "https://api.cloudflare.com/client/v4"
).rstrip("/")
# Seconds one purge request may take before its task fails and is tried again later.
NEWSROOM_CDN_TIMEOUT = env_int("NEWSROOM_CDN_TIMEOUT", 10)
_cdn_needs = {
    "": {},
    "purge": {"NEWSROOM_CDN_VARNISH_URL": NEWSROOM_CDN_VARNISH_URL},
    "ban": {"NEWSROOM_CDN_VARNISH_URL": NEWSROOM_CDN_VARNISH_URL},
    "cloudflare": {
        "NEWSROOM_CDN_CLOUDFLARE_ZONE": NEWSROOM_CDN_CLOUDFLARE_ZONE,
        "NEWSROOM_CDN_CLOUDFLARE_TOKEN": NEWSROOM_CDN_CLOUDFLARE_TOKEN,
    },
}
if NEWSROOM_CDN_PURGE not in _cdn_needs:
    raise ImproperlyConfigured(
        f"NEWSROOM_CDN_PURGE is {NEWSROOM_CDN_PURGE!r}: it must be empty (off), 'purge', 'ban' "
        "or 'cloudflare'"
    )
for _name, _value in _cdn_needs[NEWSROOM_CDN_PURGE].items():
    if not _value:
        raise ImproperlyConfigured(f"NEWSROOM_CDN_PURGE={NEWSROOM_CDN_PURGE} needs {_name}")
if NEWSROOM_CDN_PURGE in ("purge", "ban") and (
    urlsplit(NEWSROOM_CDN_VARNISH_URL).scheme not in ("http", "https")
    or not urlsplit(NEWSROOM_CDN_VARNISH_URL).netloc
):
    raise ImproperlyConfigured(
        "NEWSROOM_CDN_VARNISH_URL must be Varnish's own address, such as http://10.0.0.5:6081, "
        f"got {NEWSROOM_CDN_VARNISH_URL!r}"
    )
if NEWSROOM_CDN_TIMEOUT <= 0:
    raise ImproperlyConfigured(f"NEWSROOM_CDN_TIMEOUT must be positive, got {NEWSROOM_CDN_TIMEOUT}")

# How long anonymous readers' pages stay in our cache (0 turns the page cache off), and the
# max-age browsers and CDNs are told.
NEWSROOM_PAGE_CACHE_SECONDS = env_int("NEWSROOM_PAGE_CACHE_SECONDS", 300)
NEWSROOM_BROWSER_CACHE_SECONDS = env_int("NEWSROOM_BROWSER_CACHE_SECONDS", 60)
# How long shared fragments (the menu, ...) stay cached, keyed by the versions of what they
# show (pagecache.fragments), even with the page cache off; 0 turns them off.
NEWSROOM_FRAGMENT_CACHE_SECONDS = env_int("NEWSROOM_FRAGMENT_CACHE_SECONDS", 3600)
# Each process also keeps the pages it served last, up to this many bytes (0: none), so a hit
# fetches only the site's version from the shared cache, not the page (pagecache.middleware).
NEWSROOM_PAGE_CACHE_LOCAL_BYTES = env_int("NEWSROOM_PAGE_CACHE_LOCAL_BYTES", 16 * 1024 * 1024)

# Items per feed. Each carries its whole body and readers poll often: 20 full stories is about
# 140 kB (50 was 350 kB on every poll); older pieces are in the archive and the sitemaps.
NEWSROOM_FEED_LENGTH = env_int("NEWSROOM_FEED_LENGTH", 20)

TAGGIT_CASE_INSENSITIVE = True

# Production hardening. HTTPS defaults on whenever DEBUG is off; set HTTPS=0 only for plain-HTTP
# runs on one's own machine (make serve, make bench).
HTTPS = env_bool("HTTPS", not DEBUG)
SECURE_SSL_REDIRECT = HTTPS
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31_536_000 if HTTPS else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", HTTPS)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", HTTPS)
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True
# Behind a TLS-terminating proxy or load balancer that sets X-Forwarded-Proto.
if env_bool("BEHIND_PROXY", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "strict-origin-when-cross-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# Content-Security-Policy (django-csp). The public site runs no script at all (JSON-LD blocks are
# data, not script); the admin's additions are in newsroom/admin_csp.py. CSP_REPORT_ONLY=1 sends
# the same policy as Content-Security-Policy-Report-Only, to try a change without breaking pages.
# Pictures may come from object storage or its CDN rather than from this site.
_media = MEDIA_STORAGE.get("OPTIONS", {})
if _media.get("custom_domain"):
    _media_origins = [f"https://{_media['custom_domain']}"]
elif _media.get("endpoint_url"):
    _endpoint = urlsplit(_media["endpoint_url"])
    _media_origins = [f"{_endpoint.scheme}://{_endpoint.netloc}"]
elif AWS_STORAGE_BUCKET_NAME:
    _media_origins = ["https://*.amazonaws.com"]
else:
    _media_origins = []
_content_security_policy = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "img-src": [SELF, "data:", *_media_origins],
        "font-src": [SELF, "data:"],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
        "script-src": [NONE],
        "style-src": [SELF],
        "upgrade-insecure-requests": HTTPS,
    }
}
if env_bool("CSP_REPORT_ONLY", False):
    CONTENT_SECURITY_POLICY_REPORT_ONLY = _content_security_policy
else:
    CONTENT_SECURITY_POLICY = _content_security_policy
# Request bodies past this are refused (400) before any view runs; uploads have their own limit.
DATA_UPLOAD_MAX_MEMORY_SIZE = env_int("DATA_UPLOAD_MAX_MEMORY_SIZE", 5 * 1024 * 1024)

# "Name <email>, Other <email>": who receives error reports by email.
ADMINS = [
    (entry.split("<")[0].strip(), entry.split("<")[1].rstrip(">").strip())
    for entry in env_list("ADMINS")
    if "<" in entry
]

# What the public site calls itself (page titles, footers, later feeds and structured data).
NEWSROOM_SITE_NAME = env_str("NEWSROOM_SITE_NAME", "Newsroom")
NEWSROOM_SITE_TAGLINE = env_str("NEWSROOM_SITE_TAGLINE", "Independent journalism and opinion")
NEWSROOM_PAGE_SIZE = env_int("NEWSROOM_PAGE_SIZE", 20)

EMAIL_BACKEND = env_str(
    "EMAIL_BACKEND",
    "django.core.mail.backends.console.EmailBackend"
    if DEBUG
    else "django.core.mail.backends.smtp.EmailBackend",
)

# Any case, as gunicorn takes it (newsroom/gunicorn_conf.py reads the same variable).
LOG_LEVEL = env_str("LOG_LEVEL", "INFO").strip().upper() or "INFO"
if LOG_LEVEL not in {"DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"}:
    raise ImproperlyConfigured(
        f"LOG_LEVEL must be DEBUG, INFO, WARNING, ERROR or CRITICAL, got {LOG_LEVEL.lower()!r}"
    )
# One line per event on stdout: time, level, logger, request id, message.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "newsroom.request_id.RequestIdFilter"}},
    "formatters": {
        "line": {
            "format": "%(asctime)s %(levelname)s %(name)s request_id=%(request_id)s %(message)s",
        }
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "stream": "ext://sys.stdout",
            "filters": ["request_id"],
            "formatter": "line",
        },
        "mail_admins": {
            "class": "django.utils.log.AdminEmailHandler",
            "level": "ERROR",
            "filters": ["request_id"],
        },
    },
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {
        "django.request": {
            "handlers": ["console", "mail_admins"] if ADMINS else ["console"],
            "level": "WARNING",
            "propagate": False,
        },
    },
}

# The writing desk.
NEWSROOM_PREVIEW_LINK_DAYS = env_int("NEWSROOM_PREVIEW_LINK_DAYS", 7)
NEWSROOM_MAX_IMAGE_BYTES = env_int("NEWSROOM_MAX_IMAGE_BYTES", 10 * 1024 * 1024)
NEWSROOM_MAX_IMAGE_PIXELS = env_int("NEWSROOM_MAX_IMAGE_PIXELS", 40_000_000)

# The site's public address. Canonical links, Open Graph URLs, sitemaps, feeds, JSON-LD and the
# links in emails are built on it, whatever Host a request came with, so production must say it:
# a default would announce the loopback to search engines (newsroom.checks looks at its value).
NEWSROOM_BASE_URL = env_str("NEWSROOM_BASE_URL")
if not NEWSROOM_BASE_URL:
    if not DEBUG:
        raise ImproperlyConfigured(
            "NEWSROOM_BASE_URL environment variable is required when DEBUG is off "
            "(the site's public address, e.g. https://news.example.org: canonical links, "
            "feeds, sitemaps and emails are built on it)"
        )
    NEWSROOM_BASE_URL = "http://127.0.0.1:8000"
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "newsroom@localhost")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 10)
# A colleague who opened an article within this many minutes is shown as editing it.
NEWSROOM_EDIT_LOCK_MINUTES = env_int("NEWSROOM_EDIT_LOCK_MINUTES", 5)
NEWSROOM_AUTOSAVE_SECONDS = env_int("NEWSROOM_AUTOSAVE_SECONDS", 30)
