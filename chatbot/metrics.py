"""Prometheus metrics: what this process did, plus the shared queue read at scrape time.

Each application has its own registry (tests run several apps in one process). Counters
and the latency histogram are per process: Prometheus sums them over the processes it
scrapes. The queue and ticket gauges come from the shared store, so every process reports
the same values for them.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from prometheus_client.exposition import CONTENT_TYPE_LATEST

__all__ = ["CONTENT_TYPE_LATEST", "Metrics"]

#: Bot reply latency buckets, in seconds: the bot should answer within tens of ms.
LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)


class Metrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        self.messages = Counter(
            "chatbot_messages",
            "Messages stored, by who sent them.",
            ["sender"],
            registry=self.registry,
        )
        self.bot_latency = Histogram(
            "chatbot_bot_reply_seconds",
            "From a customer message being stored to the bot's replies being sent.",
            buckets=LATENCY_BUCKETS,
            registry=self.registry,
        )
        self.errors = Counter(
            "chatbot_errors",
            "Requests and events answered with an error, by error code.",
            ["code"],
            registry=self.registry,
        )
        self.tickets_created = Counter(
            "chatbot_tickets_created",
            "Tickets opened by the bot, by priority.",
            ["priority"],
            registry=self.registry,
        )
        self.connections = Gauge(
            "chatbot_connections",
            "Open Socket.IO connections on this process, by namespace.",
            ["namespace"],
            registry=self.registry,
        )
        self.queue_length = Gauge(
            "chatbot_queue_length",
            "Tickets waiting in the agents' queue (shared by all processes).",
            registry=self.registry,
        )
        self.tickets = Gauge(
            "chatbot_tickets",
            "Tickets by status (shared by all processes).",
            ["status"],
            registry=self.registry,
        )
        self.agents_online = Gauge(
            "chatbot_agents_online",
            "Agents with a console open, by status (shared by all processes).",
            ["status"],
            registry=self.registry,
        )
        self.turns_admitted = Gauge(
            "chatbot_turns_admitted",
            "Bot turns this process runs or has waiting for the engine (at most its capacity).",
            registry=self.registry,
        )
        self.turns_waiting = Gauge(
            "chatbot_turns_waiting",
            "Conversations waiting for this process's capacity, answered oldest first.",
            registry=self.registry,
        )
        self.turns_deferred = Counter(
            "chatbot_turns_deferred",
            "Bot turns put in line over capacity (the customer was told to wait a moment).",
            registry=self.registry,
        )
        self.store_up = Gauge(
            "chatbot_store_up",
            "1 when the store answered the last check, else 0.",
            registry=self.registry,
        )

    def error(self, code: str) -> None:
        self.errors.labels(code=code).inc()

    async def render(
        self,
        connections: Mapping[str, int],
        shared: Callable[[], Awaitable[tuple[Mapping[str, int], Mapping[str, int]]]],
    ) -> bytes:
        """The text exposition; ``shared`` reads tickets by status and agents by status from
        the store (skipped, with ``chatbot_store_up 0``, when it fails). The queue is the
        tickets with status ``open``."""
        for namespace, count in connections.items():
            self.connections.labels(namespace=namespace).set(count)
        try:
            statuses, agents = await shared()
        except Exception:
            self.store_up.set(0)
        else:
            self.store_up.set(1)
            self.queue_length.set(statuses.get("open", 0))
            for status, count in statuses.items():
                self.tickets.labels(status=status).set(count)
            for status in ("online", "away"):
                self.agents_online.labels(status=status).set(agents.get(status, 0))
        return generate_latest(self.registry)
