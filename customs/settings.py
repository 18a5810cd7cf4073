"""Configuration from CLEARLANE_* environment variables."""

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_SECRET = "development-only-secret-change-me-in-production"
MAX_DISPATCH_TIME_LIMIT_S = 30.0  # a request never holds a worker longer than this


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="CLEARLANE_", env_file=".env", extra="ignore")

    environment: Literal["development", "test", "production"] = "development"
    data_dir: Path = Path("var")
    database_url: str = Field(default="", description="default: SQLite file under data_dir")
    secret_key: str = DEFAULT_SECRET
    admin_password: str | None = None
    token_minutes: int = 8 * 60
    public_base_url: str = "http://127.0.0.1:8000"
    port_timezone: str = "Asia/Shanghai"

    max_upload_bytes: int = 25 * 1024 * 1024
    max_image_pixels: int = 50_000_000
    min_image_side: int = 64

    sampling_rate_advanced: float = Field(default=0.01, ge=0, le=1)
    sampling_rate_general: float = Field(default=0.05, ge=0, le=1)
    sampling_rate_discredited: float = Field(default=1.0, ge=0, le=1)
    sampling_floor_releases: int = Field(default=50, ge=1,
                                         description="sample at least once per N releases")
    sampling_floor_days: int = Field(default=30, ge=1,
                                     description="sample at least once per D days")

    read_pool_size: int = Field(
        default=16, ge=1, le=100,
        description="connections per worker process for the async hot read paths "
                    "(PostgreSQL); keep web workers (CLEARLANE_WEB_WORKERS, see "
                    "customs/web_workers.py) x (this + 40) under max_connections")
    task_queue: Literal["inline", "celery"] = "inline"
    redis_url: str = "redis://127.0.0.1:6379/0"
    celery_queue: str = Field(default="clearlane", max_length=100)
    broker_timeout_s: float = Field(default=3.0, gt=0, le=30,
                                    description="connect/send timeout towards the broker")
    screening_concurrency: int = Field(default=1, ge=1, le=32,
                                       description="in-process screenings run at once")
    max_queued_screenings: int = Field(
        default=100, ge=1, description="uploads beyond this many unfinished jobs get 429")
    job_lease_s: float = Field(default=60.0, ge=5, le=3600,
                               description="a running job not renewed for this long is re-run")
    job_poll_s: float = Field(default=2.0, gt=0, le=60,
                              description="how often idle workers and the sweeper look for jobs")
    stuck_screening_minutes: float = Field(
        default=10.0, gt=0, description="officers see screenings older than this as stuck")
    screening_engine: Literal["vision", "none", "custom"] = "vision"
    custom_screener: str = Field(
        default="", pattern=r"^([\w.]+:\w+)?$",
        description="with screening_engine=custom: 'module:function' of another check")
    dispatch_time_limit_s: float = Field(default=5.0, gt=0, le=MAX_DISPATCH_TIME_LIMIT_S,
                                         description="solver budget per plan; at most 30 s")

    # --- security ---
    max_json_bytes: int = Field(default=1024 * 1024, ge=1024,
                                description="body cap for JSON and form requests")
    api_docs: bool | None = Field(default=None,
                                  description="serve /docs and /openapi.json; default: "
                                              "on except in production")
    hsts_seconds: int = Field(default=0, ge=0, le=2 * 365 * 24 * 3600,
                              description="Strict-Transport-Security max-age; 0 = not sent")
    login_free_failures: int = Field(default=5, ge=1,
                                     description="failed logins per account before back-off")
    login_client_free_failures: int = Field(default=20, ge=1,
                                            description="failed logins per client address "
                                                        "before back-off")
    login_backoff_base_s: float = Field(default=2.0, gt=0, le=60)
    login_backoff_max_s: float = Field(default=900.0, gt=0, le=24 * 3600)
    login_failure_window_s: float = Field(default=3600.0, gt=0,
                                          description="failures older than this are forgotten")
    certificate_issuer: str = Field(default="Xiamen Customs, Haicang office", max_length=200)
    video_base_url: str = Field(
        default="", max_length=500,
        description="self-hosted video service for remote inspections (e.g. a Jitsi Meet "
                    "server on the closed network); empty: no video links")
    map_tiles_mbtiles: Path | None = Field(
        default=None, description="a local MBTiles file (raster PNG/JPEG tiles) drawn under "
                                  "the dispatch route maps; unset: no tile layer, no internet")

    webhook_timeout_s: float = Field(default=10.0, gt=0, le=60,
                                     description="how long one webhook delivery may take")
    webhook_private_hosts: bool | None = Field(
        default=None, description="may webhooks go to loopback/private addresses? "
                                  "default: yes except in production")
    eseal_systems: dict[str, str] = Field(
        default_factory=dict,
        description="e-seal systems allowed to post seal events: name -> HMAC secret "
                    '(CLEARLANE_ESEAL_SYSTEMS=\'{"fuxia-eseal": "..."}\')')
    eseal_max_skew_s: int = Field(default=300, ge=10, le=3600,
                                  description="seal events signed longer ago are refused")

    @model_validator(mode="after")
    def _refuse_default_secret(self) -> "Settings":
        if self.environment == "production" and self.secret_key == DEFAULT_SECRET:
            raise ValueError(
                "CLEARLANE_SECRET_KEY is still the default; set a long random value "
                "(e.g. `python -c 'import secrets; print(secrets.token_urlsafe(48))'`)"
            )
        return self

    @property
    def webhooks_may_reach_private_hosts(self) -> bool:
        if self.webhook_private_hosts is not None:
            return self.webhook_private_hosts
        return self.environment != "production"

    @property
    def docs_enabled(self) -> bool:
        return self.api_docs if self.api_docs is not None else self.environment != "production"

    @property
    def resolved_database_url(self) -> str:
        return self.database_url or f"sqlite:///{(self.data_dir / 'clearlane.db').resolve()}"

    @property
    def blob_dir(self) -> Path:
        return self.data_dir / "blobs"

    @property
    def signing_key_path(self) -> Path:
        return self.data_dir / "keys" / "certificate-ed25519.pem"

    @property
    def retired_keys_dir(self) -> Path:
        """Public keys of earlier signing keys (PEM), still published and accepted."""
        return self.data_dir / "keys" / "retired"


@lru_cache
def get_settings() -> Settings:
    return Settings()
