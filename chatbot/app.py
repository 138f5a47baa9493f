"""The application factory: ``create_app(settings)`` wires every part together."""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import secrets
import time
from collections.abc import AsyncIterator, Callable

from aiohttp import web

from chatbot.attachments import AttachmentStore
from chatbot.content import build_engine_context
from chatbot.diagnostics import DiagnosticsConfig, Ports, load_provider
from chatbot.engine import EngineContext
from chatbot.handoff.agents import AgentAuth
from chatbot.handoff.canned import load_canned_replies
from chatbot.handoff.fair_use import FairUse
from chatbot.handoff.live_chat import LiveChat
from chatbot.handoff.notify import MailSettings, Notifier
from chatbot.handoff.presence import CustomerPresence, Heartbeat, Presence
from chatbot.handoff.runner import DiagnoseFn, TurnRunner
from chatbot.metrics import Metrics
from chatbot.privacy import RetentionJob, sweep_empty_conversations
from chatbot.rate_limit import RateLimiter
from chatbot.settings import Settings
from chatbot.store import Store
from chatbot.store.backends import store_for
from chatbot.upload_quota import QuotaSettings, UploadQuota
from chatbot.web import keys
from chatbot.web.agent import AgentNamespace
from chatbot.web.broadcast import SocketBroadcaster
from chatbot.web.client_address import TrustedProxies, client_address_middleware
from chatbot.web.customer import CustomerNamespace
from chatbot.web.diagnosis import DiagnosisRunner
from chatbot.web.pages import check_home_url, page_routes
from chatbot.web.pubsub import RedisManager
from chatbot.web.rest import PREFIX, rest_app
from chatbot.web.routes import routes
from chatbot.web.security import security_headers
from chatbot.web.sockets import GuardedServer
from chatbot.web.tokens import VisitorTokens, load_or_create_secret

__all__ = ["create_app"]

log = logging.getLogger(__name__)


def diagnosis_runner(
    settings: Settings, engine: EngineContext, store: Store, clock: Callable[[], float]
) -> DiagnoseFn | None:
    """The bot's domain checks, configured from the settings and ``data/provider.yml``."""
    if not settings.diagnostics:
        return None
    config = DiagnosticsConfig(
        resolver=settings.diag_resolver,
        allowed_networks=settings.diag_allowed_networks,
        ports=Ports(
            http=settings.diag_http_port,
            https=settings.diag_https_port,
            smtp=settings.diag_smtp_ports,
        ),
        total_timeout=settings.diag_timeout,
        ca_file=settings.diag_ca_file,
    )
    provider = settings.diag_provider or settings.content_dir / "provider.yml"
    if provider.is_file():
        config = load_provider(provider, config)
    return DiagnosisRunner(config, engine, store, clock).run


def socket_server(settings: Settings) -> GuardedServer:
    """The Socket.IO server; with Redis, every process publishes its emits there and
    delivers the others'. Pub/sub drops what is published while a process is cut off:
    clients catch up from the store."""
    origins = list(settings.cors_allowed_origins)
    manager = None
    if settings.redis_url:
        manager = RedisManager(
            settings.redis_url,
            channel=f"{settings.redis_prefix}socketio",
            redis_options={"socket_connect_timeout": 2, "health_check_interval": 15},
        )
    return GuardedServer(
        sockets_per_address=settings.sockets_per_address,
        async_mode="aiohttp",
        client_manager=manager,
        cors_allowed_origins="*" if origins == ["*"] else origins,
        # Attachments travel as binary Socket.IO packets; everything else is small.
        max_http_buffer_size=int(settings.attachment_max_mb * 1024 * 1024) + 64 * 1024,
        logger=False,
        engineio_logger=False,
    )


def identity_secret(settings: Settings) -> bytes:
    """The key that verifies portal customers (empty: nobody is verified)."""
    secret = settings.identity_secret.encode()
    if not secret and settings.demo:
        secret = secrets.token_bytes(32)  # the demo portal signs with it
    return secret


def mail_settings(settings: Settings) -> MailSettings | None:
    """How the notifier sends e-mail; ``None`` without an SMTP host."""
    if not settings.smtp_host:
        return None
    return MailSettings(
        host=settings.smtp_host,
        port=settings.smtp_port,
        sender=settings.mail_from,
        sender_name=f"{settings.company_name} support",
        starttls=settings.smtp_starttls,
        user=settings.smtp_user,
        password=settings.smtp_password,
    )


def create_app(settings: Settings, *, engine: EngineContext | None = None) -> web.Application:
    """A ready-to-run application. ``engine`` lets tests share one prebuilt context."""
    proxies = TrustedProxies(settings.trusted_proxies, settings.proxy_header)
    check_home_url(settings.home_url)
    app = web.Application(
        client_max_size=1024**2,
        # The client's address first: every limit and log line below reads it.
        middlewares=[
            client_address_middleware(proxies),
            security_headers(settings),
        ],
    )
    app[keys.SETTINGS] = settings
    app[keys.CLOCK] = time.time
    app[keys.METRICS] = Metrics()
    sio = socket_server(settings)
    sio.attach(app, socketio_path="socket.io")
    app[keys.SIO] = sio

    async def engine_ctx(app: web.Application) -> AsyncIterator[None]:
        if engine is not None:
            app[keys.ENGINE] = dataclasses.replace(engine, diagnostics=settings.diagnostics)
        else:
            app[keys.ENGINE] = await asyncio.to_thread(build_engine_context, settings)
        yield

    async def store_ctx(app: web.Application) -> AsyncIterator[None]:
        store = store_for(settings)
        await store.open()
        app[keys.STORE] = store
        # Fair use, counted in the store: every process on one Redis shares the buckets.
        app[keys.MESSAGE_LIMITS] = RateLimiter(
            store, "messages", settings.message_burst, settings.messages_per_second, time.time
        )
        app[keys.CONNECTION_LIMITS] = RateLimiter(
            store,
            "connections",
            settings.connection_burst,
            settings.connections_per_second,
            time.time,
        )
        yield
        await store.close()

    async def sockets_ctx(app: web.Application) -> AsyncIterator[None]:
        secret = load_or_create_secret(settings.secret, settings.data_dir)
        app[keys.TOKENS] = VisitorTokens(secret, lambda: app[keys.CLOCK]())
        app[keys.IDENTITY_SECRET] = identity_secret(settings)

        store, engine_context, clock = app[keys.STORE], app[keys.ENGINE], app[keys.CLOCK]
        app[keys.AGENT_AUTH] = AgentAuth(
            store, clock, session_seconds=settings.agent_session_hours * 3600
        )
        app[keys.ATTACHMENTS] = AttachmentStore(
            settings.attachments_path, int(settings.attachment_max_mb * 1024 * 1024)
        )
        app[keys.UPLOAD_QUOTA] = UploadQuota(
            store,
            settings.attachments_path,
            QuotaSettings(
                files_per_hour=settings.upload_files_per_hour,
                mb_per_hour=settings.upload_mb_per_hour,
                min_free_mb=settings.min_free_disk_mb,
            ),
            clock,
        )
        app[keys.CANNED] = load_canned_replies(settings.content_dir / "canned_replies.yml")
        broadcaster = SocketBroadcaster(sio)
        presence = Presence(store, clock)
        app[keys.PRESENCE] = presence
        customers = CustomerPresence(store, broadcaster, shared=bool(settings.redis_url))
        mail = mail_settings(settings)
        notifier = Notifier(
            store,
            engine_context.phrases,
            clock,
            company=settings.company_name,
            mail=mail,
            webhook_urls=settings.webhook_urls,
            webhook_secret=settings.webhook_secret.encode(),
            reply_delay=settings.reply_email_delay,
            customer_online=customers.online,
            zone=engine_context.hours.timezone,
        )
        app[keys.NOTIFIER] = notifier
        live = LiveChat(
            store,
            broadcaster,
            engine_context,
            presence,
            customers,
            notifier,
            clock,
            max_chats=settings.max_chats_per_agent,
            mail_enabled=mail is not None,
        )
        app[keys.LIVE] = live
        fair_use = FairUse(store, live, clock)
        app[keys.FAIR_USE] = fair_use
        heartbeat = Heartbeat(presence, customers, broadcaster)
        app[keys.HEARTBEAT] = heartbeat
        runner = TurnRunner(
            store,
            engine_context,
            broadcaster,
            live,
            fair_use,
            clock=clock,
            ticket_prefix=settings.ticket_prefix,
            metrics=app[keys.METRICS],
            diagnose=diagnosis_runner(settings, engine_context, store, clock),
            capacity=settings.turn_capacity,
        )
        app[keys.TURNS] = runner
        notifier.handle("turn", runner.safety_net)
        sio.register_namespace(CustomerNamespace(app, "/"))
        sio.register_namespace(AgentNamespace(app, "/agent"))
        await notifier.start()
        beating = asyncio.create_task(heartbeat.run())
        yield
        beating.cancel()
        await asyncio.gather(beating, return_exceptions=True)
        await runner.drain()
        runner.close()
        await notifier.stop()

    async def close_sockets(app: web.Application) -> None:
        # Before aiohttp waits for open handlers: an open websocket would hold the
        # shutdown up to its timeout. Clients reconnect (to another node) and resume.
        # wait=False: engine.io would otherwise wait on the send queue of a socket whose
        # client has already gone, for ever.
        for socket in list(sio.eio.sockets.values()):
            await socket.close(wait=False, reason=sio.eio.reason.SERVER_DISCONNECT)
        sio.eio.sockets.clear()
        await sio.shutdown()
        if isinstance(sio.manager, RedisManager):
            await sio.manager.close()

    async def retention_ctx(app: web.Application) -> AsyncIterator[None]:
        job = RetentionJob(
            app[keys.STORE], app[keys.ATTACHMENTS], settings.retention_days, app[keys.CLOCK]
        )
        task = asyncio.create_task(job.loop())
        yield
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)

    async def page_views_ctx(app: web.Application) -> AsyncIterator[None]:
        task = asyncio.create_task(sweep_empty_conversations(app[keys.STORE], app[keys.CLOCK]))
        yield
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)

    app.cleanup_ctx.extend([engine_ctx, store_ctx, sockets_ctx, page_views_ctx])
    if settings.retention_days > 0:
        app.cleanup_ctx.append(retention_ctx)
    app.on_shutdown.append(close_sockets)
    app.add_routes(routes)
    app.add_routes(page_routes())
    app.add_subapp(PREFIX, rest_app())
    return app
