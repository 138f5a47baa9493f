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

Every change that touches more than one key runs as one Lua script (the ``.lua`` files in
``lua/``, see :mod:`chatbot.store.redis.scripts`): atomic across processes, one round trip.
Records are hashes; indexes are sorted sets scored by time. Sessions, rate-limit buckets,
counters and finished outbox items carry a TTL, so idle ones vanish by themselves. Every
Redis error becomes :class:`~chatbot.errors.StoreUnavailable`; the connection pool
reconnects by itself when Redis is back.

One module per role (``conversations``, ``tickets``, ``agents``, ``notes``, ``outbox``,
``reports``, ``incidents``, ``privacy``, ``shared_state``), each a mixin on the shared
connection (``connection``); hashes to records in ``rows``.
"""

from __future__ import annotations

from chatbot.store.redis.agents import RedisAgents
from chatbot.store.redis.conversations import RedisConversations
from chatbot.store.redis.incidents import RedisIncidents
from chatbot.store.redis.notes import RedisNotes
from chatbot.store.redis.outbox import RedisOutbox
from chatbot.store.redis.privacy import RedisPrivacy
from chatbot.store.redis.reports import RedisReports
from chatbot.store.redis.shared_state import RedisSharedState
from chatbot.store.redis.tickets import RedisTickets

__all__ = ["RedisStore"]


class RedisStore(
    RedisConversations,
    RedisTickets,
    RedisAgents,
    RedisNotes,
    RedisOutbox,
    RedisReports,
    RedisIncidents,
    RedisPrivacy,
    RedisSharedState,
):
    """Implements :class:`chatbot.store.Store` on Redis, for many processes at once."""
