"""One frozen settings object, built from command-line flags and the environment."""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

from chatbot.bundled import CONTENT_DIR

__all__ = ["CONTENT_DIR", "LANGUAGES", "Settings"]

#: Languages the bot speaks, in the order used for reports.
LANGUAGES: tuple[str, ...] = ("en", "nb", "hr", "fi", "ru", "hu")


def _items(raw: str) -> tuple[str, ...]:
    """A comma-separated list; empty parts left out."""
    return tuple(part.strip() for part in raw.split(",") if part.strip())


def _flag(raw: str) -> bool:
    return raw.lower() in {"1", "true", "yes"}


def _ports(raw: str) -> tuple[int, ...]:
    return tuple(int(port) for port in _items(raw))


def _stripped(raw: str) -> str:
    return raw.strip()


def _text(raw: str) -> str:
    return raw


#: Read whenever the variable is set, even to "" (an empty secret or prefix is a value).
_WHEN_SET: tuple[tuple[str, str, Callable[[str], object]], ...] = (
    ("data_dir", "CHATBOT_DATA_DIR", Path),
    ("content_dir", "CHATBOT_CONTENT_DIR", Path),
    ("kb_dir", "CHATBOT_KB_DIR", Path),
    ("secret", "CHATBOT_SECRET", _text),
    ("model_cache", "CHATBOT_MODEL_CACHE", Path),
    ("ticket_prefix", "CHATBOT_TICKET_PREFIX", _text),
    ("identity_secret", "CHATBOT_IDENTITY_SECRET", _text),
    ("company_name", "CHATBOT_COMPANY_NAME", _text),
    ("smtp_host", "CHATBOT_SMTP_HOST", _text),
    ("smtp_user", "CHATBOT_SMTP_USER", _text),
    ("smtp_password", "CHATBOT_SMTP_PASSWORD", _text),
    ("mail_from", "CHATBOT_MAIL_FROM", _text),
    ("webhook_secret", "CHATBOT_WEBHOOK_SECRET", _text),
    ("redis_prefix", "CHATBOT_REDIS_PREFIX", _text),
    ("home_url", "CHATBOT_HOME_URL", _stripped),
    ("proxy_header", "CHATBOT_PROXY_HEADER", _text),
    ("diag_provider", "CHATBOT_DIAG_PROVIDER", Path),
    ("diag_ca_file", "CHATBOT_DIAG_CA_FILE", Path),
    ("default_language", "CHATBOT_DEFAULT_LANGUAGE", _stripped),
    ("log_level", "CHATBOT_LOG_LEVEL", _text),
)
#: Read when the variable holds something (a list: at least one item).
_WHEN_GIVEN: tuple[tuple[str, str, Callable[[str], object]], ...] = (
    ("cors_allowed_origins", "CHATBOT_CORS_ORIGINS", _items),
    ("message_burst", "CHATBOT_MESSAGE_BURST", float),
    ("messages_per_second", "CHATBOT_MESSAGES_PER_SECOND", float),
    ("connection_burst", "CHATBOT_CONNECTION_BURST", float),
    ("connections_per_second", "CHATBOT_CONNECTIONS_PER_SECOND", float),
    ("smtp_port", "CHATBOT_SMTP_PORT", int),
    ("max_chats_per_agent", "CHATBOT_MAX_CHATS_PER_AGENT", int),
    ("agent_session_hours", "CHATBOT_AGENT_SESSION_HOURS", float),
    ("reply_email_delay", "CHATBOT_REPLY_EMAIL_DELAY", float),
    ("attachment_max_mb", "CHATBOT_ATTACHMENT_MAX_MB", float),
    ("sockets_per_address", "CHATBOT_SOCKETS_PER_ADDRESS", int),
    ("turn_capacity", "CHATBOT_TURN_CAPACITY", int),
    ("max_message_chars", "CHATBOT_MAX_MESSAGE_CHARS", int),
    ("history_page_size", "CHATBOT_HISTORY_PAGE_SIZE", int),
    ("diag_http_port", "CHATBOT_DIAG_HTTP_PORT", int),
    ("diag_https_port", "CHATBOT_DIAG_HTTPS_PORT", int),
    ("diag_timeout", "CHATBOT_DIAG_TIMEOUT", float),
    ("upload_files_per_hour", "CHATBOT_UPLOAD_FILES_PER_HOUR", int),
    ("upload_mb_per_hour", "CHATBOT_UPLOAD_MB_PER_HOUR", float),
    ("min_free_disk_mb", "CHATBOT_MIN_FREE_DISK_MB", float),
    ("smtp_starttls", "CHATBOT_SMTP_STARTTLS", _flag),
    ("webhook_urls", "CHATBOT_WEBHOOK_URLS", _items),
    ("metrics", "CHATBOT_METRICS", _flag),
    ("retention_days", "CHATBOT_RETENTION_DAYS", int),
    ("trusted_proxies", "CHATBOT_TRUSTED_PROXIES", _items),
    ("frame_ancestors", "CHATBOT_FRAME_ANCESTORS", _items),
    ("diagnostics", "CHATBOT_DIAGNOSTICS", _flag),
    ("diag_resolver", "CHATBOT_DIAG_RESOLVER", _items),
    ("diag_allowed_networks", "CHATBOT_DIAG_ALLOWED_NETWORKS", _items),
    ("diag_smtp_ports", "CHATBOT_DIAG_SMTP_PORTS", _ports),
)


def _values_from(env: Mapping[str, str]) -> dict[str, object]:
    """The settings the environment gives, by field name."""
    values: dict[str, object] = {}
    for field, variable, parse in _WHEN_SET:
        if variable in env:
            values[field] = parse(env[variable])
    for field, variable, parse in _WHEN_GIVEN:
        value = parse(env[variable]) if env.get(variable) else ()
        if value != ():
            values[field] = value
    # The conventional name too: a platform that provides Redis often sets REDIS_URL.
    if redis_url := env.get("CHATBOT_REDIS_URL") or env.get("REDIS_URL"):
        values["redis_url"] = redis_url
    return values


@dataclass(frozen=True, slots=True)
class Settings:
    """Everything the server needs to know at start-up; never mutated afterwards."""

    host: str = "127.0.0.1"
    port: int = 8080
    data_dir: Path = Path("var")
    content_dir: Path = CONTENT_DIR
    kb_dir: Path | None = None
    #: Signs visitor tokens. When empty, a random key is created in the data dir.
    secret: str = ""
    #: Shared with the customer portal, which signs logged-in customers' identities
    #: (JWT, HS256). Empty: verified identities are refused.
    identity_secret: str = ""
    company_name: str = "Aurora Hosting"
    #: Demo mode: the fictional company's site at / and its customer portal at /portal
    #: (with an in-memory identity secret when none is configured).
    demo: bool = False
    #: Outside demo mode, / redirects here; empty: a neutral page with the chat.
    home_url: str = ""
    #: Ticket numbers look like ``HS-104233``.
    ticket_prefix: str = "HS"
    #: Where trained models are cached; ``None``: ``~/.cache/chatbot``.
    model_cache: Path | None = None
    default_language: str = "en"
    #: Origins allowed to open a socket (CORS). "*" allows any site to embed the widget.
    cors_allowed_origins: tuple[str, ...] = ("*",)
    max_message_chars: int = 4000
    #: Fair use: messages per visitor (burst, then per second) and connections per address.
    message_burst: float = 30
    messages_per_second: float = 1.0
    connection_burst: float = 30
    connections_per_second: float = 1.0
    #: Sockets open at once from one address (an office behind one NAT shares it; behind a
    #: reverse proxy on the same host, every customer comes from its address).
    sockets_per_address: int = 200
    #: Engine slots: bot turns a process runs or has waiting for the engine at once; more
    #: wait in line (first come, first served) after a short "many customers are
    #: writing" from the bot.
    turn_capacity: int = 32
    #: Reverse proxies (addresses or networks) whose forwarded client address is believed,
    #: and the header they set it in (``X-Forwarded-For`` or ``Forwarded``).
    trusted_proxies: tuple[str, ...] = ()
    proxy_header: str = "X-Forwarded-For"
    history_page_size: int = 500
    #: Attachments (PNG, JPEG, PDF, plain text): the largest file accepted.
    attachment_max_mb: float = 5.0
    #: Upload quota per visitor (an address may send four visitors' worth), and the free
    #: disk below which uploads stop.
    upload_files_per_hour: int = 20
    upload_mb_per_hour: float = 50.0
    min_free_disk_mb: float = 256.0
    log_level: str = "INFO"
    #: Live chat: chats one agent may hold at once; how long a console login lasts.
    max_chats_per_agent: int = 5
    agent_session_hours: float = 12.0
    #: Outgoing mail (ticket confirmations, replies for customers who left). No host: no mail.
    smtp_host: str = ""
    smtp_port: int = 25
    smtp_starttls: bool = False
    smtp_user: str = ""
    smtp_password: str = ""
    mail_from: str = "support@localhost"
    #: Agent replies to a customer who left are mailed after this many seconds, batched.
    reply_email_delay: float = 60.0
    #: Webhook receivers (helpdesk bridges) and the HMAC-SHA256 key that signs each call.
    webhook_urls: tuple[str, ...] = ()
    webhook_secret: str = ""
    #: Scale-out: with a Redis URL, every process on it shares the store and the sockets'
    #: events (the data dir then holds only attachments and the secret).
    redis_url: str = ""
    redis_prefix: str = "chatbot:"
    #: Prometheus metrics at /metrics (scrape from inside your network only).
    metrics: bool = True
    #: Closed conversations are deleted this many days after their last message; 0 keeps
    #: them for ever.
    retention_days: int = 0
    #: Origins allowed to frame the demo site and portal (CSP ``frame-ancestors``); empty:
    #: none. The agent console may never be framed.
    frame_ancestors: tuple[str, ...] = ()
    #: Before a ticket the bot checks the customer's domain (DNS, website, certificate,
    #: mail). Probes go only to public addresses, unless a private network is allowed.
    diagnostics: bool = True
    #: Name servers the bot asks ("ip" or "ip:port"); empty: the system's.
    diag_resolver: tuple[str, ...] = ()
    #: Private or loopback networks (CIDR) the probes may reach; empty: none.
    diag_allowed_networks: tuple[str, ...] = ()
    #: Ports probed (other values are for tests and unusual setups).
    diag_http_port: int = 80
    diag_https_port: int = 443
    diag_smtp_ports: tuple[int, ...] = (25, 587)
    #: An extra certificate authority (PEM) trusted besides the system's.
    diag_ca_file: Path | None = None
    #: Seconds one whole diagnosis may take.
    diag_timeout: float = 10.0
    #: Which name servers, mail servers and networks are ours (default:
    #: ``data/provider.yml``).
    diag_provider: Path | None = None

    @property
    def kb_path(self) -> Path:
        return self.kb_dir if self.kb_dir is not None else self.content_dir / "kb"

    @property
    def cache_dir(self) -> Path:
        return self.model_cache or Path.home() / ".cache" / "chatbot"

    @property
    def attachments_path(self) -> Path:
        return self.data_dir / "attachments"

    @property
    def database_path(self) -> Path:
        return self.data_dir / "chatbot.sqlite3"

    @classmethod
    def from_env(cls, **overrides: object) -> Settings:
        """Defaults, then ``CHATBOT_*`` environment variables, then explicit overrides."""
        values = _values_from(os.environ)
        values.update({k: v for k, v in overrides.items() if v is not None})
        return cls(**values)  # type: ignore[arg-type]
