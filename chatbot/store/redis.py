"""The scale-out backend: every server process shares one Redis.

What Redis must be configured with, and why:

- ``appendonly yes`` and ``appendfsync always``: a message is acknowledged to the customer
  only after it is stored, so it must survive a Redis crash or restart. With the default
  ``everysec`` up to a second of acknowledged messages, tickets and claims can be lost; RDB
  snapshots alone lose minutes. (``everysec`` is a deliberate trade for more throughput.)
- ``maxmemory-policy noeviction``: conversations, tickets and agents are records, not a
  cache. An evicting policy would silently drop them, and an index entry could outlive its
  record. With ``noeviction`` a full Redis refuses writes, which callers see as
  :class:`~chatbot.errors.StoreUnavailable` ("temporarily unavailable").
- One Redis (or one primary): the Lua scripts build key names from the prefix, which a
  Redis Cluster does not allow.

Every change that touches more than one key runs as one Lua script (see
:mod:`chatbot.store.redis_lua`): atomic across processes, one round trip. Records are
hashes; indexes are sorted sets scored by time. Sessions, rate-limit buckets, counters and
finished outbox items carry a TTL, so idle ones vanish by themselves. Every Redis error
becomes :class:`~chatbot.errors.StoreUnavailable`; the connection pool reconnects by itself
when Redis is back.
"""

from __future__ import annotations

import json
import logging
import math
import re
import secrets
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any, cast

from redis.asyncio import BlockingConnectionPool, Redis
from redis.asyncio.retry import Retry
from redis.backoff import NoBackoff
from redis.commands.core import AsyncScript
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import RedisError, ResponseError

from chatbot.errors import Conflict, NotFound, StoreUnavailable
from chatbot.store.base import (
    Agent,
    Conversation,
    ConversationStat,
    Incident,
    NewAgent,
    NewIncident,
    NewMessage,
    NewTicket,
    NewWork,
    Note,
    OutboxItem,
    Sender,
    StoredMessage,
    Ticket,
    VisitorData,
)
from chatbot.store.redis_lua import SCRIPTS

__all__ = ["RedisStore"]

log = logging.getLogger(__name__)

#: A finished outbox item is kept this long (seconds), for looking into what was sent.
FINISHED_WORK_TTL = 7 * 24 * 3600
_LONGEST_TTL = 366 * 24 * 3600
_PURGE_BATCH = 100
_DOMAIN_ERROR = re.compile(r"CHATBOT\|(\w+)\|(\w+)\|(.*)", re.DOTALL)

def _json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def _num(value: float) -> str:
    """A float as Redis and Lua read it back exactly."""
    return repr(float(value))


def _pairs(flat: Sequence[str]) -> dict[str, str]:
    return dict(zip(flat[::2], flat[1::2], strict=True))


def _opt_float(value: str | None) -> float | None:
    return None if value is None else float(value)


class RedisStore:
    """Implements :class:`chatbot.store.Store` on Redis, for many processes at once."""

    def __init__(
        self,
        url: str,
        prefix: str = "chatbot:",
        *,
        timeout: float = 2.0,
        max_connections: int = 100,
    ) -> None:
        self.url = url
        self.prefix = prefix
        self._timeout = timeout
        self._max_connections = max_connections
        self._redis: Redis | None = None
        self._scripts: dict[str, AsyncScript] = {}

    async def open(self) -> None:
        pool = BlockingConnectionPool.from_url(
            self.url,
            max_connections=self._max_connections,
            timeout=self._timeout,
            decode_responses=True,
            socket_timeout=self._timeout,
            socket_connect_timeout=self._timeout,
            socket_keepalive=True,
            health_check_interval=15,
            # One immediate retry on a fresh connection: a pooled connection from before a
            # Redis restart fails once, the retry reconnects. Timeouts are not retried, so a
            # hung Redis costs one timeout, not several.
            retry=Retry(NoBackoff(), 1, supported_errors=(RedisConnectionError,)),
            retry_on_error=[RedisConnectionError],
        )
        client = Redis.from_pool(pool)
        self._scripts = {name: client.register_script(src) for name, src in SCRIPTS.items()}
        self._redis = client
        await self.ping()

    async def close(self) -> None:
        client, self._redis = self._redis, None
        if client is not None:
            await client.aclose()

    async def ping(self) -> None:
        with self._errors():
            await self._client.ping()

    @property
    def _client(self) -> Redis:
        if self._redis is None:
            raise StoreUnavailable("the store is closed")
        return self._redis

    @contextmanager
    def _errors(self) -> Iterator[None]:
        try:
            yield
        except ResponseError as exc:
            found = _DOMAIN_ERROR.search(str(exc))
            if found is None:
                log.error("redis error: %s", exc)
                raise StoreUnavailable("the store is temporarily unavailable") from exc
            kind, code, message = found.groups()
            if kind == "not_found":
                raise NotFound(message.strip()) from None
            raise Conflict(message.strip(), code=code) from None
        except (RedisError, OSError) as exc:
            log.warning("redis unavailable: %s", exc)
            raise StoreUnavailable("the store is temporarily unavailable") from exc

    async def _run(self, script: str, *args: str | int, keys: Sequence[str] = ()) -> Any:
        with self._errors():
            return await self._scripts[script](keys=list(keys), args=[self.prefix, *args])

    async def _hash(self, key: str) -> dict[str, str]:
        return cast(dict[str, str], await self._client.hgetall(key))

    def _key(self, *parts: str) -> str:
        return self.prefix + ":".join(parts)

    # Conversations and messages.

    async def conversation_for_visitor(
        self, visitor_id: str, language: str, now: float
    ) -> Conversation:
        new_id = "c_" + secrets.token_urlsafe(12)
        flat = await self._run("conversation_for_visitor", visitor_id, language, _num(now), new_id)
        return _conversation(_pairs(flat))

    async def get_conversation(self, conversation_id: str) -> Conversation | None:
        with self._errors():
            found = await self._hash(self._key("c", conversation_id))
        return _conversation(found) if found else None

    async def append_messages(
        self,
        conversation_id: str,
        messages: Sequence[NewMessage],
        *,
        state: Mapping[str, Any] | None = None,
        language: str | None = None,
        work: NewWork | None = None,
    ) -> list[tuple[StoredMessage, bool]]:
        args: list[str] = [
            "0" if state is None else "1",
            "" if state is None else _json(state),
            "0" if language is None else "1",
            language or "",
            *(_work_args(work) if work is not None else ("0", "", "", "", "")),
        ]
        for message in messages:
            offers_article = message.sender == "bot" and message.data.get("articles") is not None
            record = {
                "id": message.id,
                "sender": message.sender,
                "text": message.text,
                "at": float(message.at),
                "data": message.data,
            }
            args += [message.id, _json(record), _num(message.at), "1" if offers_article else "0"]
        replies = await self._run("append_messages", conversation_id, *args)
        results: list[tuple[StoredMessage, bool]] = []
        for message, (seq, stored) in zip(messages, replies, strict=True):
            if stored:
                results.append((_message(conversation_id, int(seq), stored), False))
            else:
                results.append(
                    (
                        StoredMessage(
                            conversation_id=conversation_id,
                            seq=int(seq),
                            id=message.id,
                            sender=message.sender,
                            text=message.text,
                            at=float(message.at),
                            data=dict(message.data),
                        ),
                        True,
                    )
                )
        return results

    async def messages_after(
        self, conversation_id: str, after_seq: int, limit: int
    ) -> list[StoredMessage]:
        first, *rest = await self._run("messages_after", conversation_id, after_seq, limit)
        found = rest[0] if rest else []
        return [
            _message(conversation_id, int(first) + i, raw)
            for i, raw in enumerate(found)
            if raw is not None
        ]

    # Tickets.

    async def create_ticket(self, ticket: NewTicket, prefix: str) -> Ticket:
        fields = [
            "conversation_id",
            ticket.conversation_id,
            "visitor_id",
            ticket.visitor_id,
            "service",
            ticket.service,
            "title",
            ticket.title,
            "language",
            ticket.language,
            "priority",
            ticket.priority,
            "fields",
            _json(ticket.fields),
            "missing",
            _json(list(ticket.missing)),
            "created_at",
            _num(ticket.created_at),
            "updated_at",
            _num(ticket.created_at),
            "customer",
            _json(ticket.customer),
        ]
        if ticket.expected_response is not None:
            fields += ["expected_response", ticket.expected_response]
        flat = await self._run("create_ticket", ticket.source, prefix, *fields)
        return _ticket(_pairs(flat))

    async def get_ticket(self, number: str) -> Ticket | None:
        with self._errors():
            found = await self._hash(self._key("t", number))
        return _ticket(found) if found else None

    async def _tickets(
        self, index: str, how: str = "asc", start: str = "0", stop: str = "-1", limit: int = -1
    ) -> list[Ticket]:
        flats = await self._run("records", how, start, stop, limit, "t:", keys=[index])
        return [_ticket(_pairs(flat)) for flat in flats]

    async def list_tickets(self, status: str | None = None, limit: int = 100) -> list[Ticket]:
        if limit <= 0:
            return []
        index = self._key("tickets") if status is None else self._key("tickets", "s", status)
        return await self._tickets(index, "desc", "0", str(limit - 1))

    async def tickets_for_visitor(self, visitor_id: str) -> list[Ticket]:
        return await self._tickets(self._key("v", visitor_id, "tickets"), "desc")

    async def touch_ticket(self, number: str, at: float) -> None:
        await self._run("touch_ticket", number, _num(at))

    async def update_ticket(
        self,
        number: str,
        now: float,
        *,
        title: str | None = None,
        fields: Mapping[str, str] | None = None,
        priority: str | None = None,
        status: str | None = None,
    ) -> Ticket:
        sets = ["updated_at", _num(now)]
        for name, value in (
            ("title", title),
            ("fields", None if fields is None else _json(fields)),
            ("priority", priority),
            ("status", status),
        ):
            if value is not None:
                sets += [name, value]
        return _ticket(_pairs(await self._run("update_ticket", number, *sets)))

    async def queue(self, limit: int = 200) -> list[Ticket]:
        return [_ticket(_pairs(flat)) for flat in await self._run("queue", limit)]

    async def tickets_for_agent(self, agent_id: str) -> list[Ticket]:
        return await self._tickets(self._key("a", agent_id, "active"))

    async def claim_ticket(self, number: str, agent_id: str, max_chats: int, now: float) -> Ticket:
        flat = await self._run("claim_ticket", number, agent_id, max_chats, _num(now))
        return _ticket(_pairs(flat))

    async def transfer_ticket(
        self, number: str, from_agent: str | None, to_agent: str, max_chats: int, now: float
    ) -> Ticket:
        flat = await self._run(
            "transfer_ticket", number, from_agent or "", to_agent, max_chats, _num(now)
        )
        return _ticket(_pairs(flat))

    async def release_ticket(self, number: str, agent_id: str | None, now: float) -> Ticket:
        flat = await self._run("release_ticket", number, agent_id or "", _num(now))
        return _ticket(_pairs(flat))

    async def close_ticket(self, number: str, resolution: str, now: float) -> Ticket:
        return _ticket(_pairs(await self._run("close_ticket", number, resolution, _num(now))))

    async def rate_ticket(self, number: str, score: int, comment: str, now: float) -> Ticket:
        flat = await self._run("rate_ticket", number, int(score), comment or "", _num(now))
        return _ticket(_pairs(flat))

    async def mark_first_response(self, number: str, at: float) -> None:
        await self._run("mark_first_response", number, _num(at))

    async def set_emailed_seq(self, number: str, seq: int) -> None:
        await self._run("set_emailed_seq", number, int(seq))

    # Agents and their login sessions.

    async def add_agent(self, agent: NewAgent) -> Agent:
        agent_id = "a_" + secrets.token_urlsafe(9)
        fields = [
            "id",
            agent_id,
            "email",
            agent.email,
            "name",
            agent.name,
            "role",
            agent.role,
            "password_hash",
            agent.password_hash,
            "created_at",
            _num(agent.created_at),
            "disabled",
            "0",
        ]
        try:
            flat = await self._run("add_agent", agent_id, _fold(agent.email), *fields)
        except Conflict:
            raise Conflict(f"{agent.email} already has an account", code="email_taken") from None
        return _agent(_pairs(flat))

    async def set_agent_password(self, email: str, password_hash: str) -> Agent:
        try:
            flat = await self._run("set_agent_password", _fold(email), password_hash)
        except NotFound:
            raise NotFound(f"no agent {email}") from None
        return _agent(_pairs(flat))

    async def agent_credentials(self, email: str) -> tuple[Agent, str] | None:
        found = _pairs(await self._run("agent_by_email", _fold(email)))
        return (_agent(found), found["password_hash"]) if found else None

    async def get_agent(self, agent_id: str) -> Agent | None:
        with self._errors():
            found = await self._hash(self._key("a", agent_id))
        return _agent(found) if found else None

    async def list_agents(self) -> list[Agent]:
        agents = [_agent(_pairs(flat)) for flat in await self._run("list_agents")]
        return sorted(agents, key=lambda a: (a.name, a.created_at, a.id))

    async def create_session(
        self, token_hash: str, agent_id: str, created_at: float, expires_at: float
    ) -> None:
        # Redis forgets the session when it would have expired (on Redis's clock); until
        # then ``session_agent`` compares ``expires_at`` with the caller's ``now``.
        keep = min(_LONGEST_TTL, max(1, math.ceil(expires_at - created_at)))
        await self._run(
            "create_session", token_hash, agent_id, _num(created_at), _num(expires_at), keep
        )

    async def session_agent(self, token_hash: str, now: float) -> Agent | None:
        found = _pairs(await self._run("session_agent", token_hash, _num(now)))
        return _agent(found) if found else None

    async def revoke_session(self, token_hash: str) -> None:
        await self._run("revoke_session", token_hash)

    # Internal notes.

    async def add_note(self, note: Note) -> tuple[Note, bool]:
        record = {"id": note.id, "agent_id": note.agent_id, "text": note.text, "at": note.at}
        existing = await self._run("add_note", note.ticket, note.id, _json(record))
        if existing:
            return _note(note.ticket, existing), False
        return note, True

    async def notes_for(self, number: str) -> list[Note]:
        notes = [_note(number, raw) for raw in await self._run("notes_for", number) if raw]
        return sorted(notes, key=lambda n: n.at)

    # The notifier's durable work queue.

    async def enqueue(
        self, kind: str, payload: Mapping[str, Any], due_at: float, key: str | None = None
    ) -> bool:
        work = NewWork(kind=kind, payload=payload, due_at=due_at, key=key)
        added = await self._run("enqueue", *_work_args(work)[1:])
        return bool(added)

    async def due_work(self, now: float, limit: int, lease: float = 60.0) -> list[OutboxItem]:
        if limit <= 0:
            return []
        flats = await self._run("due_work", _num(now), limit, _num(now + lease))
        items = []
        for flat in flats:
            found = _pairs(flat)
            items.append(
                OutboxItem(
                    id=int(found["id"]),
                    kind=found["kind"],
                    payload=json.loads(found["payload"]),
                    due_at=float(found["due_at"]),
                    attempts=int(found["attempts"]),
                )
            )
        return items

    async def finish_work(self, item_id: int, now: float, error: str | None = None) -> None:
        await self._run(
            "finish_work",
            int(item_id),
            _num(now),
            "0" if error is None else "1",
            error or "",
            FINISHED_WORK_TTL,
        )

    async def retry_work(self, item_id: int, due_at: float, error: str) -> None:
        await self._run("retry_work", int(item_id), _num(due_at), error[:500])

    # Reports.

    async def conversation_stats(self, since: float, until: float) -> list[ConversationStat]:
        rows = await self._run("conversation_stats", _num(since), _num(until))
        return [
            ConversationStat(
                id=id, language=language, created_at=float(created), had_article=article == "1"
            )
            for id, language, created, article in rows
        ]

    async def tickets_between(self, since: float, until: float) -> list[Ticket]:
        return await self._tickets(self._key("tickets"), "score", _num(since), f"({_num(until)}")

    async def count_tickets(self) -> dict[str, int]:
        rows = await self._run("count_tickets")
        return {status: int(count) for status, count in rows if int(count)}

    # Incidents.

    async def create_incident(self, incident: NewIncident) -> Incident:
        fields = [
            "service",
            incident.service,
            "targets",
            _json(list(incident.targets)),
            "messages",
            _json(incident.messages),
            "started_at",
            _num(incident.started_at),
            "created_by",
            incident.created_by,
            "created_at",
            _num(incident.created_at),
            "resolution",
            "{}",
        ]
        flat = await self._run("create_incident", _num(incident.created_at), *fields)
        return _incident(_pairs(flat))

    async def get_incident(self, incident_id: str) -> Incident | None:
        with self._errors():
            found = await self._hash(self._key("i", incident_id))
        return _incident(found) if found else None

    async def list_incidents(self, active_only: bool = False, limit: int = 100) -> list[Incident]:
        if limit <= 0:
            return []
        index = self._key("incidents", "active") if active_only else self._key("incidents")
        flats = await self._run("records", "desc", "0", str(limit - 1), limit, "i:", keys=[index])
        incidents = [_incident(_pairs(flat)) for flat in flats]
        # Newest first; of two created at once, the later one (as SQLite's rowid).
        return sorted(incidents, key=lambda i: (i.created_at, _serial(i.id)), reverse=True)

    async def resolve_incident(
        self, incident_id: str, now: float, resolution: Mapping[str, str]
    ) -> Incident:
        flat = await self._run("resolve_incident", incident_id, _num(now), _json(resolution))
        return _incident(_pairs(flat))

    async def link_ticket(self, number: str, incident_id: str, now: float) -> Ticket:
        return _ticket(_pairs(await self._run("link_ticket", number, incident_id, _num(now))))

    async def tickets_for_incident(self, incident_id: str) -> list[Ticket]:
        return await self._tickets(self._key("i", incident_id, "tickets"))

    # Privacy.

    async def purge_conversations(self, before: float, empty_only: bool = False) -> list[str]:
        with self._errors():
            candidates = cast(
                list[str],
                await self._client.zrangebyscore(
                    self._key("convs", "updated"), "-inf", f"({_num(before)}"
                ),
            )
        purged: list[str] = []
        # Each conversation is checked and deleted atomically; batches keep Redis responsive.
        for start in range(0, len(candidates), _PURGE_BATCH):
            batch = candidates[start : start + _PURGE_BATCH]
            with self._errors():
                pipe = self._client.pipeline(transaction=False)
                for conversation_id in batch:
                    await self._scripts["purge_conversation"](
                        args=[self.prefix, conversation_id, _num(before), int(empty_only)],
                        client=pipe,
                    )
                done = await pipe.execute()
            purged += [c for c, deleted in zip(batch, done, strict=True) if deleted]
        return purged

    async def visitor_data(self, visitor_id: str) -> VisitorData:
        conversations, messages, tickets = await self._run("visitor_data", visitor_id)
        found = [_conversation(_pairs(flat)) for flat in conversations]
        stored = [
            _message(conversation.id, int(seq), raw)
            for conversation, flat in zip(found, messages, strict=True)
            for seq, raw in sorted(_pairs(flat).items(), key=lambda item: int(item[0]))
        ]
        unique = {t.number: t for t in (_ticket(_pairs(flat)) for flat in tickets)}
        return VisitorData(
            visitor_id=visitor_id,
            conversations=found,
            messages=stored,
            tickets=sorted(unique.values(), key=lambda t: (t.created_at, t.number)),
        )

    async def delete_visitor(self, visitor_id: str) -> list[str]:
        return list(await self._run("delete_visitor", visitor_id))

    # Shared short-lived state.

    async def take_token(
        self, bucket: str, burst: float, rate: float, now: float, cost: float = 1.0
    ) -> float:
        wait = await self._run("take_token", bucket, _num(burst), _num(rate), _num(now), _num(cost))
        return float(wait)

    async def bump_counter(self, name: str, ttl: float) -> int:
        key = self._key("counter", "n", name)
        with self._errors():
            pipe = self._client.pipeline(transaction=True)
            pipe.incr(key)
            pipe.pexpire(key, max(1, math.ceil(ttl * 1000)))
            count, _ = await pipe.execute()
        return int(count)

    async def bump_counters(self, names: Sequence[str], ttl: float) -> None:
        if not names:
            return
        ms = max(1, math.ceil(ttl * 1000))
        with self._errors():
            pipe = self._client.pipeline(transaction=False)
            for name in names:
                key = self._key("counter", "n", name)
                pipe.incr(key)
                pipe.pexpire(key, ms)
            await pipe.execute()

    async def take_lease(self, name: str, holder: str, ttl: float) -> bool:
        """``SET NX`` with an expiry, or a renewal by the same holder."""
        ms = max(1, math.ceil(ttl * 1000))
        return bool(await self._run("take_lease", holder, ms, keys=[self._key("lease", name)]))

    async def drop_lease(self, name: str, holder: str) -> None:
        await self._run("drop_lease", holder, keys=[self._key("lease", name)])

    async def read_counter(self, name: str) -> int:
        with self._errors():
            value = await self._client.get(self._key("counter", "n", name))
        return int(value or 0)

    async def presence_join(self, agent_id: str, sid: str, now: float, ttl: float) -> None:
        await self._run("presence_join", agent_id, sid, _num(now), _num(now + ttl))

    async def presence_leave(self, sid: str) -> str | None:
        return cast(str | None, await self._run("presence_leave", sid))

    async def presence_set_status(self, agent_id: str, status: str) -> None:
        await self._run("presence_set_status", agent_id, status)

    async def presence_sockets(self, agent_id: str, now: float) -> list[str]:
        with self._errors():
            sids = await self._client.zrangebyscore(
                self._key("presence", "a", agent_id), f"({_num(now)}", "+inf"
            )
        return cast(list[str], sids)

    async def presence(self, now: float) -> dict[str, tuple[str, int]]:
        rows = await self._run("presence", _num(now))
        return {agent: (status, int(count)) for agent, status, count in rows}


def _work_args(work: NewWork) -> tuple[str, str, str, str, str]:
    """``has work, key, kind, payload, due at`` as the scripts read them."""
    return ("1", work.key or "", work.kind, _json(work.payload), _num(work.due_at))


def _fold(email: str) -> str:
    """An e-mail address as the unique index holds it: one account whatever the case."""
    return email.casefold()


def _serial(incident_id: str) -> int:
    digits = incident_id.rpartition("-")[2]
    return int(digits) if digits.isdigit() else 0


def _conversation(found: Mapping[str, str]) -> Conversation:
    return Conversation(
        id=found["id"],
        visitor_id=found["visitor_id"],
        language=found["language"],
        state=json.loads(found["state"]),
        last_seq=int(found["last_seq"]),
        created_at=float(found["created_at"]),
        updated_at=float(found["updated_at"]),
    )


def _message(conversation_id: str, seq: int, raw: str) -> StoredMessage:
    record = json.loads(raw)
    return StoredMessage(
        conversation_id=conversation_id,
        seq=seq,
        id=record["id"],
        sender=cast(Sender, record["sender"]),
        text=record["text"],
        at=float(record["at"]),
        data=record["data"],
    )


def _ticket(found: Mapping[str, str]) -> Ticket:
    rating = found.get("rating")
    return Ticket(
        number=found["number"],
        conversation_id=found["conversation_id"],
        visitor_id=found["visitor_id"],
        status=found["status"],
        service=found["service"],
        title=found["title"],
        language=found["language"],
        priority=found["priority"],
        fields=json.loads(found["fields"]),
        missing=tuple(json.loads(found["missing"])),
        expected_response=found.get("expected_response"),
        created_at=float(found["created_at"]),
        updated_at=float(found["updated_at"]),
        customer=json.loads(found["customer"]),
        assignee=found.get("assignee"),
        claimed_at=_opt_float(found.get("claimed_at")),
        first_response_at=_opt_float(found.get("first_response_at")),
        closed_at=_opt_float(found.get("closed_at")),
        resolution=found.get("resolution"),
        rating=None if rating is None else int(rating),
        rating_comment=found.get("rating_comment"),
        emailed_seq=int(found.get("emailed_seq", "0")),
        incident=found.get("incident"),
    )


def _agent(found: Mapping[str, str]) -> Agent:
    return Agent(
        id=found["id"],
        email=found["email"],
        name=found["name"],
        role=found["role"],
        created_at=float(found["created_at"]),
        disabled=found.get("disabled") == "1",
    )


def _note(ticket: str, raw: str) -> Note:
    record = json.loads(raw)
    return Note(
        ticket=ticket,
        id=record["id"],
        agent_id=record["agent_id"],
        text=record["text"],
        at=float(record["at"]),
    )


def _incident(found: Mapping[str, str]) -> Incident:
    return Incident(
        id=found["id"],
        service=found["service"],
        targets=tuple(json.loads(found["targets"])),
        messages=json.loads(found["messages"]),
        started_at=float(found["started_at"]),
        created_by=found["created_by"],
        created_at=float(found["created_at"]),
        resolved_at=_opt_float(found.get("resolved_at")),
        resolution=json.loads(found.get("resolution", "{}")),
    )
