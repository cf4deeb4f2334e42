"""Settings of the service runtime, read from environment variables (and a `.env` file).

Every setting has a default that runs the whole assistant on one machine with SQLite.
Secrets default to None; `make run` writes random ones into `var/secrets.env`.
"""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

ROOT = Path(__file__).resolve().parents[2]


class Settings(BaseSettings):
    # The environment wins, then .env, then the secrets `make secrets` generates (the last file wins).
    model_config = SettingsConfigDict(env_file=("var/secrets.env", ".env"), extra="ignore")

    # Where the API listens, and the address people and providers reach it at.
    api_host: str = "127.0.0.1"
    api_port: int = 8000
    public_base_url: str = "http://127.0.0.1:8000"

    # Storage. SQLite is the embedded default; production uses PostgreSQL.
    database_url: str = f"sqlite:///{ROOT / 'var' / 'tzn.db'}"
    redis_url: str | None = None
    # Several API processes share the address book, the per-person lock and the chat's replay cache in
    # Redis (api/core/shared.py) under this key prefix; without REDIS_URL they stay in memory.
    shared_key_prefix: str = "tzn"
    # Rasa's tracker store, the same value the Rasa process reads (bot/tracker_store.py):
    # sqlite:///path, postgresql://user:password@host/db or redis://host:6379/1; "memory": none.
    tracker_store_url: str = f"sqlite:///{ROOT / 'var' / 'trackers.db'}"

    # Internal services (never public).
    rasa_url: str = "http://127.0.0.1:5005"
    # Several Rasa replicas, comma-separated (api/rasa_client.py routes each conversation to one); none: RASA_URL.
    rasa_urls: str | None = None
    rasa_recheck_seconds: float = 5.0      # a replica marked down is probed again after this
    rasa_timeout_seconds: float = 30.0     # longest turn of a live Rasa (an estimate); a frozen one is cut sooner
    rasa_ready_wait_seconds: float = 20.0  # at start-up only: how long a first message waits for Rasa
    actions_url: str | None = "http://127.0.0.1:5055"   # action server, probed (GET /health) when a turn is slow

    # Faults (api/faults.py): a turn still running after DEPENDENCY_PROBE_SECONDS has Rasa and the action
    # server probed (each probe waits DEPENDENCY_PROBE_TIMEOUT_SECONDS at most); a part that does not
    # answer ends the turn with the « service en panne » message. After BREAKER_FAILURES failures in a
    # row, a part is not called for BREAKER_RESET_SECONDS (answers are immediate), then tried again.
    dependency_probe_seconds: float = 2.0
    dependency_probe_timeout_seconds: float = 8.0   # a busy Rasa answers its probe late (docs/benchmarks.md, Load)
    breaker_failures: int = Field(default=3, ge=1)
    breaker_reset_seconds: float = 15.0
    database_timeout_seconds: float = 3.0  # /health's query (PostgreSQL connections time out after 5 s)
    default_territory: str | None = None   # territory whose phone the fault message gives (else the source's)
    rasa_auth_token: str | None = None   # Rasa's `--auth-token` (HTTP API) and REST channel token

    @property
    def rasa_replica_urls(self) -> list[str]:
        """RASA_URLS as a list, else the one RASA_URL."""
        urls = [url.strip() for url in (self.rasa_urls or "").split(",") if url.strip()]
        return urls or [self.rasa_url]

    # Secrets shared with the action server, and for pseudonyms and encryption.
    internal_api_token: str | None = None
    pseudonym_key: str | None = None
    data_encryption_key: str | None = None

    # Eligibility engine.
    communes_file: Path = ROOT / "var" / "data" / "communes.json"
    eligibility_batch_window_ms: float = 4.0
    eligibility_max_batch: int = 256
    eligibility_warm_up: bool = True
    eligibility_load: bool = True   # False: OpenFisca is not loaded at start-up (tests that never estimate)
    # Simulations in a dedicated process (api/eligibility/worker.py): the API process keeps its CPU
    # and GIL for HTTP and loads no OpenFisca-France; restarted if it crashes or hangs (503 meanwhile).
    # False: in a thread of the API process, one process (see docs/benchmarks.md for both).
    eligibility_simulation_process: bool = True
    eligibility_batches_in_flight: int = Field(default=1, ge=1, le=4)  # with the process: 2 sends the next batch early
    eligibility_simulation_timeout_seconds: float = 8.0    # a batch slower than this: process restarted, 503
    eligibility_simulation_start_timeout_seconds: float = 300.0

    # SMS over Twilio.
    twilio_account_sid: str | None = None
    twilio_auth_token: str | None = None
    twilio_from_number: str | None = None
    twilio_api_base_url: str = "https://api.twilio.com"
    sms_sync_reply_seconds: float = 8.0

    # Telegram.
    telegram_bot_token: str | None = None
    telegram_webhook_secret: str | None = None
    telegram_api_base_url: str = "https://api.telegram.org"
    telegram_interim_seconds: float = 5.0  # after this, « Je calcule, un instant… » then the result

    # Outreach posters and links (api/staff/actions.py, posters.py): the bot's username for the
    # t.me/<username>?start=<code> links, and the SMS number as printed on posters (None: TWILIO_FROM_NUMBER
    # in national form; no number at all: no SMS line).
    telegram_bot_username: str = Field(default="VosDroitsBot", pattern=r"^[A-Za-z][A-Za-z0-9_]{4,31}$")
    sms_public_number: str | None = Field(default=None, max_length=32)

    # Outbox (api/outbox.py): durable, ordered outbound messages for SMS and Telegram.
    outbox_worker_enabled: bool = True     # False on API replicas that must not deliver
    outbox_poll_seconds: float = 1.0
    outbox_max_attempts: int = 8
    outbox_backoff_seconds: float = 5.0    # first retry; doubles each attempt
    outbox_backoff_max_seconds: float = 3600.0
    channel_drain_seconds: float = 20.0    # at shutdown, time left to turns still running
    # Inbound SMS and Telegram messages are stored (encrypted) before anything else and processed from
    # that store; those that could not be answered (a part down) are tried again in order per person.
    inbound_retry_seconds: float = 5.0     # first retry; doubles each attempt, up to 5 minutes
    inbound_retry_hours: float = 24.0      # a message still unanswered after this is given up (wiped)
    inbound_memory_max: int = 1000         # messages kept in memory while the database itself is down

    # What one sender can cost (api/core/limits.py, api/core/middleware.py, docs/limits.md).
    # Limits in the `limits` notation (« 20/minute;200/day »); counted in Redis when REDIS_URL is set,
    # in memory otherwise. Defaults a real person never meets.
    forwarded_allow_ips: str = ""            # trusted proxies (IPs or networks, comma-separated); none by default
    rate_limits_enabled: bool = True
    rate_limit_new_conversations: str = "20/minute;200/day"   # per client address
    rate_limit_messages: str = "30/minute;600/hour"           # per web conversation, SMS number or Telegram chat
    rate_limit_eligibility: str = "60/minute;2000/day"        # per client address (the action server is exempt)
    rate_limit_callbacks: str = "3/hour;6/day"                # per conversation
    rate_limit_bookings: str = "10/hour;30/day"               # per client address of the web conversation
    rate_limit_staff_logins: str = "20/minute;300/day"        # staff sign-in attempts per client address
    rate_limit_key_prefix: str = "tzn-limits"
    sms_daily_cap_per_number: int = Field(default=30, ge=0)   # outbound SMS per number per 24 h; 0: no cap
    max_body_bytes: int = Field(default=64 * 1024, ge=1024)

    @field_validator("rate_limit_new_conversations", "rate_limit_messages", "rate_limit_eligibility",
                     "rate_limit_callbacks", "rate_limit_bookings", "rate_limit_staff_logins")
    @classmethod
    def _limits_notation(cls, value: str) -> str:
        from limits import parse_many
        try:
            parse_many(value)
        except ValueError:
            raise ValueError(f"not a limit in the `limits` notation (e.g. 20/minute;200/day): {value!r}") from None
        return value

    # Knowledge (texts, benefits, territories).
    knowledge_dir: Path = ROOT / "knowledge"
    territories_dir: Path = ROOT / "knowledge" / "territories"

    # Retention of personal data, in days.
    retention_days: int = Field(default=90, ge=1)


@lru_cache
def get_settings() -> Settings:
    return Settings()
