"""One frozen settings object, built from command-line flags and the environment."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from chatbot.bundled import CONTENT_DIR

__all__ = ["CONTENT_DIR", "LANGUAGES", "Settings"]

#: Languages the bot speaks, in the order used for reports.
LANGUAGES: tuple[str, ...] = ("en", "nb", "hr", "fi", "ru", "hu")


def _env_list(name: str) -> tuple[str, ...]:
    raw = os.environ.get(name, "")
    return tuple(part.strip() for part in raw.split(",") if part.strip())


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
        values: dict[str, object] = {}
        if "CHATBOT_DATA_DIR" in os.environ:
            values["data_dir"] = Path(os.environ["CHATBOT_DATA_DIR"])
        if "CHATBOT_CONTENT_DIR" in os.environ:
            values["content_dir"] = Path(os.environ["CHATBOT_CONTENT_DIR"])
        if "CHATBOT_KB_DIR" in os.environ:
            values["kb_dir"] = Path(os.environ["CHATBOT_KB_DIR"])
        if "CHATBOT_SECRET" in os.environ:
            values["secret"] = os.environ["CHATBOT_SECRET"]
        if "CHATBOT_MODEL_CACHE" in os.environ:
            values["model_cache"] = Path(os.environ["CHATBOT_MODEL_CACHE"])
        if "CHATBOT_TICKET_PREFIX" in os.environ:
            values["ticket_prefix"] = os.environ["CHATBOT_TICKET_PREFIX"]
        if "CHATBOT_IDENTITY_SECRET" in os.environ:
            values["identity_secret"] = os.environ["CHATBOT_IDENTITY_SECRET"]
        if "CHATBOT_COMPANY_NAME" in os.environ:
            values["company_name"] = os.environ["CHATBOT_COMPANY_NAME"]
        if origins := _env_list("CHATBOT_CORS_ORIGINS"):
            values["cors_allowed_origins"] = origins
        for name in (
            "message_burst",
            "messages_per_second",
            "connection_burst",
            "connections_per_second",
        ):
            raw = os.environ.get(f"CHATBOT_{name.upper()}")
            if raw:
                values[name] = float(raw)
        for name in ("smtp_host", "smtp_user", "smtp_password", "mail_from", "webhook_secret"):
            if f"CHATBOT_{name.upper()}" in os.environ:
                values[name] = os.environ[f"CHATBOT_{name.upper()}"]
        for name, kind in (
            ("smtp_port", int),
            ("max_chats_per_agent", int),
            ("agent_session_hours", float),
            ("reply_email_delay", float),
            ("attachment_max_mb", float),
            ("sockets_per_address", int),
            ("turn_capacity", int),
            ("max_message_chars", int),
            ("history_page_size", int),
            ("diag_http_port", int),
            ("diag_https_port", int),
            ("diag_timeout", float),
            ("upload_files_per_hour", int),
            ("upload_mb_per_hour", float),
            ("min_free_disk_mb", float),
        ):
            raw = os.environ.get(f"CHATBOT_{name.upper()}")
            if raw:
                values[name] = kind(raw)
        if starttls := os.environ.get("CHATBOT_SMTP_STARTTLS"):
            values["smtp_starttls"] = starttls.lower() in {"1", "true", "yes"}
        if urls := _env_list("CHATBOT_WEBHOOK_URLS"):
            values["webhook_urls"] = urls
        redis_url = os.environ.get("CHATBOT_REDIS_URL") or os.environ.get("REDIS_URL")
        if redis_url:
            values["redis_url"] = redis_url
        if "CHATBOT_REDIS_PREFIX" in os.environ:
            values["redis_prefix"] = os.environ["CHATBOT_REDIS_PREFIX"]
        if metrics := os.environ.get("CHATBOT_METRICS"):
            values["metrics"] = metrics.lower() in {"1", "true", "yes"}
        if retention := os.environ.get("CHATBOT_RETENTION_DAYS"):
            values["retention_days"] = int(retention)
        if "CHATBOT_HOME_URL" in os.environ:
            values["home_url"] = os.environ["CHATBOT_HOME_URL"].strip()
        if proxies := _env_list("CHATBOT_TRUSTED_PROXIES"):
            values["trusted_proxies"] = proxies
        if "CHATBOT_PROXY_HEADER" in os.environ:
            values["proxy_header"] = os.environ["CHATBOT_PROXY_HEADER"]
        if ancestors := _env_list("CHATBOT_FRAME_ANCESTORS"):
            values["frame_ancestors"] = ancestors
        if flag := os.environ.get("CHATBOT_DIAGNOSTICS"):
            values["diagnostics"] = flag.lower() in {"1", "true", "yes"}
        if resolver := _env_list("CHATBOT_DIAG_RESOLVER"):
            values["diag_resolver"] = resolver
        if allowed := _env_list("CHATBOT_DIAG_ALLOWED_NETWORKS"):
            values["diag_allowed_networks"] = allowed
        if "CHATBOT_DIAG_PROVIDER" in os.environ:
            values["diag_provider"] = Path(os.environ["CHATBOT_DIAG_PROVIDER"])
        if smtp_ports := _env_list("CHATBOT_DIAG_SMTP_PORTS"):
            values["diag_smtp_ports"] = tuple(int(port) for port in smtp_ports)
        if "CHATBOT_DIAG_CA_FILE" in os.environ:
            values["diag_ca_file"] = Path(os.environ["CHATBOT_DIAG_CA_FILE"])
        if "CHATBOT_DEFAULT_LANGUAGE" in os.environ:
            values["default_language"] = os.environ["CHATBOT_DEFAULT_LANGUAGE"].strip()
        if "CHATBOT_LOG_LEVEL" in os.environ:
            values["log_level"] = os.environ["CHATBOT_LOG_LEVEL"]
        values.update({k: v for k, v in overrides.items() if v is not None})
        return cls(**values)  # type: ignore[arg-type]
