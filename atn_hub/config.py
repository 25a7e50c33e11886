"""Settings, read from ``ATN_*`` environment variables, with defaults for the embedded mode."""
from __future__ import annotations

import os
from dataclasses import dataclass, field, fields
from pathlib import Path
from urllib.parse import urlsplit

from authlib.common.security import is_secure_transport


def _env(name: str, default: str | None = None) -> str | None:
    value = os.environ.get(name)
    return value if value not in (None, "") else default


def _int(name: str, default: int) -> int:
    raw = _env(name)
    return int(raw) if raw is not None else default


def _float(name: str, default: float) -> float:
    raw = _env(name)
    return float(raw) if raw is not None else default


def _path(name: str) -> Path | None:
    raw = _env(name)
    return Path(raw).resolve() if raw else None


def _bool(name: str, default: bool = False) -> bool:
    return _env(name, str(default)).lower() in ("1", "true", "yes")


@dataclass
class Settings:
    """Everything the app reads from its environment. ``create_app(config)`` may override any field."""

    instance_dir: Path = field(default_factory=lambda: Path(_env("ATN_INSTANCE_DIR", "instance")).resolve())
    database_url: str | None = field(default_factory=lambda: _env("ATN_DATABASE_URL", _env("DATABASE_URL")))
    index_dir: Path | None = field(default_factory=lambda: _path("ATN_INDEX_DIR"))
    secret_key: str | None = field(default_factory=lambda: _env("ATN_SECRET_KEY"))
    max_page_size: int = field(default_factory=lambda: _int("ATN_MAX_PAGE_SIZE", 100))
    max_content_length: int = field(default_factory=lambda: _int("ATN_MAX_BODY_BYTES", 2 * 1024 * 1024))
    log_level: str = field(default_factory=lambda: _env("ATN_LOG_LEVEL", "INFO"))
    access_token_lifetime: int = field(default_factory=lambda: _int("ATN_ACCESS_TOKEN_LIFETIME", 3600))
    refresh_token_lifetime: int = field(default_factory=lambda: _int("ATN_REFRESH_TOKEN_LIFETIME", 30 * 24 * 3600))
    secure_cookies: bool = field(default_factory=lambda: _bool("ATN_SECURE_COOKIES"))
    max_query_length: int = field(default_factory=lambda: _int("ATN_MAX_QUERY_LENGTH", 500))
    indexer: str = field(default_factory=lambda: _env("ATN_INDEXER", "thread"))  # "thread" or "off"
    index_batch: int = field(default_factory=lambda: _int("ATN_INDEX_BATCH", 50000))  # log rows per index commit
    index_poll_seconds: float = field(default_factory=lambda: float(_env("ATN_INDEX_POLL_SECONDS", "0.2")))
    wait_for_timeout: float = field(default_factory=lambda: float(_env("ATN_WAIT_FOR_TIMEOUT", "5")))
    files_dir: Path | None = field(default_factory=lambda: _path("ATN_FILES_DIR"))
    max_upload_bytes: int = field(default_factory=lambda: _int("ATN_MAX_UPLOAD_BYTES", 50 * 1024 * 1024))
    extract_timeout: float = field(default_factory=lambda: float(_env("ATN_EXTRACT_TIMEOUT", "60")))
    extract_memory_mb: int = field(default_factory=lambda: _int("ATN_EXTRACT_MEMORY_MB", 1024))
    extract_max_pages: int = field(default_factory=lambda: _int("ATN_EXTRACT_MAX_PAGES", 2000))
    extractor: str = field(default_factory=lambda: _env("ATN_EXTRACTOR", "thread"))  # "thread" or "off"
    s3_bucket: str | None = field(default_factory=lambda: _env("ATN_S3_BUCKET"))
    s3_prefix: str = field(default_factory=lambda: _env("ATN_S3_PREFIX", ""))
    s3_endpoint_url: str | None = field(default_factory=lambda: _env("ATN_S3_ENDPOINT_URL"))
    s3_region: str | None = field(default_factory=lambda: _env("ATN_S3_REGION"))
    # Webhooks (see README, "Webhooks"): SSRF rules, timeouts and the retry schedule.
    webhook_allow_http_loopback: bool = field(default_factory=lambda: _bool("ATN_WEBHOOK_ALLOW_HTTP_LOOPBACK"))
    webhook_allowlist: str = field(default_factory=lambda: _env("ATN_WEBHOOK_ALLOWLIST", ""))
    webhook_timeout_seconds: float = field(default_factory=lambda: _float("ATN_WEBHOOK_TIMEOUT_SECONDS", 10))
    webhook_backoff_seconds: float = field(default_factory=lambda: _float("ATN_WEBHOOK_BACKOFF_SECONDS", 30))
    webhook_backoff_max_seconds: float = field(default_factory=lambda: _float("ATN_WEBHOOK_BACKOFF_MAX_SECONDS", 3600))
    webhook_retry_hours: float = field(default_factory=lambda: _float("ATN_WEBHOOK_RETRY_HOURS", 25))
    webhook_concurrency: int = field(default_factory=lambda: _int("ATN_WEBHOOK_CONCURRENCY", 8))
    # "thread": each process delivers webhooks and notifications in the background; "off": only `atn-hub worker`
    delivery: str = field(default_factory=lambda: _env("ATN_DELIVERY", "thread"))
    delivery_poll_seconds: float = field(default_factory=lambda: _float("ATN_DELIVERY_POLL_SECONDS", 1))
    # E-mail (see README, "Notifications"): the SMTP server (none: nothing is sent, the inbox still works), the
    # sender, and the retry schedule of a refused or unreachable server.
    smtp_url: str = field(default_factory=lambda: _env("ATN_SMTP_URL", ""))
    mail_from: str = field(default_factory=lambda: _env("ATN_MAIL_FROM", "ATN Hub <atn-hub@localhost>"))
    mail_timeout_seconds: float = field(default_factory=lambda: _float("ATN_MAIL_TIMEOUT_SECONDS", 30))
    mail_backoff_seconds: float = field(default_factory=lambda: _float("ATN_MAIL_BACKOFF_SECONDS", 60))
    mail_backoff_max_seconds: float = field(default_factory=lambda: _float("ATN_MAIL_BACKOFF_MAX_SECONDS", 3600))
    mail_retry_hours: float = field(default_factory=lambda: _float("ATN_MAIL_RETRY_HOURS", 24))
    # Reminders: a published record untouched this long is told to its society (18 months).
    stale_after_days: int = field(default_factory=lambda: _int("ATN_STALE_AFTER_DAYS", 548))
    proxy_fix: int = field(default_factory=lambda: _int("ATN_PROXY_FIX", 0))  # reverse proxies in front
    rate_limits_enabled: bool = field(
        default_factory=lambda: _env("ATN_RATE_LIMITS", "on").lower() not in ("0", "off", "false", "no"))
    rate_limit_ip: str = field(default_factory=lambda: _env("ATN_RATE_LIMIT_IP", "1200/minute"))
    rate_limit_client: str = field(default_factory=lambda: _env("ATN_RATE_LIMIT_CLIENT", "600/minute"))
    rate_limit_storage: str = field(default_factory=lambda: _env("ATN_RATE_LIMIT_STORAGE", "memory://"))
    metrics_token: str | None = field(default_factory=lambda: _env("ATN_METRICS_TOKEN"))
    db_statement_timeout_ms: int = field(default_factory=lambda: _int("ATN_DB_STATEMENT_TIMEOUT_MS", 30000))
    demo_password: str = field(default_factory=lambda: _env("ATN_DEMO_PASSWORD", "atn-hub-demo-2026"))
    cors_origins: str = field(default_factory=lambda: _env("ATN_CORS_ORIGINS", ""))  # see atn_hub/cors.py
    # The hub's own address as people and clients reach it: the OAuth issuer and endpoints, links, and whether
    # the sign-in cookie is Secure (https). Never taken from a request's Host header.
    public_url: str = field(default_factory=lambda: _env("ATN_PUBLIC_URL", "http://127.0.0.1:5000"))
    personal_token_default_days: int = field(default_factory=lambda: _int("ATN_PERSONAL_TOKEN_DEFAULT_DAYS", 90))
    personal_token_max_days: int = field(default_factory=lambda: _int("ATN_PERSONAL_TOKEN_MAX_DAYS", 366))
    max_webhooks_per_society: int = field(default_factory=lambda: _int("ATN_MAX_WEBHOOKS_PER_SOCIETY", 10))
    # Search's bounds on expensive queries (see README, "Search"): terms a fuzzy or wildcard word may expand
    # to, and the time one search may take before it answers 400.
    search_max_expansions: int = field(default_factory=lambda: _int("ATN_SEARCH_MAX_EXPANSIONS", 64))
    search_timeout_seconds: float = field(default_factory=lambda: _float("ATN_SEARCH_TIMEOUT_SECONDS", 2))
    search_max_export_rows: int = field(default_factory=lambda: _int("ATN_SEARCH_MAX_EXPORT_ROWS", 10000))
    # The network's working language (ISO 639-1): what records are shown in when the reader's languages are not
    # available, and what coordinators ask translations into (lists' missing_translation).
    working_language: str = field(default_factory=lambda: _env("ATN_WORKING_LANGUAGE", "en"))
    # How long GET /api/v1/stats keeps a visibility class's answer (in this process's memory; 0: not kept).
    stats_cache_seconds: int = field(default_factory=lambda: _int("ATN_STATS_CACHE_SECONDS", 60))
    # Idempotency keys (see README, "Retries and syncs"): how long a POST's first response is kept for
    # its retries.
    idempotency_hours: float = field(default_factory=lambda: _float("ATN_IDEMPOTENCY_HOURS", 24))
    testing: bool = False

    def __post_init__(self) -> None:
        self.instance_dir = Path(self.instance_dir).resolve()
        if not self.database_url:
            self.database_url = f"sqlite:///{self.instance_dir / 'atn_hub.db'}"
        if self.database_url.startswith("postgres://"):
            self.database_url = "postgresql+psycopg://" + self.database_url[len("postgres://"):]
        elif self.database_url.startswith("postgresql://"):
            self.database_url = "postgresql+psycopg://" + self.database_url[len("postgresql://"):]
        self.index_dir = Path(self.index_dir).resolve() if self.index_dir else self.instance_dir / "index"
        self.files_dir = Path(self.files_dir).resolve() if self.files_dir else self.instance_dir / "files"
        self.public_url = self.public_url.rstrip("/")
        from schemas.common import normalise_language

        working = normalise_language(self.working_language or "")
        if working is None or working != self.working_language.strip().lower():
            raise ValueError(f"ATN_WORKING_LANGUAGE must be an ISO 639-1 language code such as en: "
                             f"{self.working_language!r}")
        self.working_language = working
        if not is_secure_transport(self.public_url) or urlsplit(self.public_url).query:
            raise ValueError(f"ATN_PUBLIC_URL must be an https:// address (plain http only on a loopback address), "
                             f"without query: {self.public_url!r}")
        if self.public_url.startswith("https://"):
            self.secure_cookies = True  # a cookie of an https hub is never sent over plain http
        for name in ("indexer", "extractor", "delivery"):
            if getattr(self, name) not in ("thread", "off"):
                raise ValueError(f"ATN_{name.upper()} must be thread or off: {getattr(self, name)!r}")
        if self.smtp_url:
            from .services.mail import parse_smtp_url

            parse_smtp_url(self.smtp_url)  # a ValueError naming what is wrong, at start

    @classmethod
    def from_mapping(cls, overrides: dict | None) -> Settings:
        names = {f.name for f in fields(cls)}
        unknown = set(overrides or {}) - names
        if unknown:
            raise TypeError(f"unknown settings: {sorted(unknown)}")
        return cls(**(overrides or {}))
