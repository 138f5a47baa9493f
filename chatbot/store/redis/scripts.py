"""The Lua scripts behind :class:`~chatbot.store.redis.RedisStore`, read from ``lua/``.

Each script runs atomically inside Redis, so a change that touches a record and its indexes
is all-or-nothing across every process, in one round trip. Every script checks before it
writes: Redis does not roll back a script that fails halfway, so a domain error
(``fail``) is only ever raised before the first write.

``ARGV[1]`` is always the key prefix; the scripts build key names from it, so the store
needs one Redis (or one primary), not a Redis Cluster. ``lua/prelude.lua`` (the shared
functions) comes before each script, after the priorities' queue order written here.

Numbers cross the boundary as strings written by Python's ``repr``: Lua's own number to
string conversion keeps 14 digits, too few for a timestamp with microseconds.
"""

from __future__ import annotations

from importlib.resources import files

from chatbot.store.records import PRIORITIES

__all__ = ["SCRIPTS", "load_scripts"]

PRELUDE = "prelude.lua"


def load_scripts() -> dict[str, str]:
    """Script name (its file name without ``.lua``) to its full source."""
    ranks = ", ".join(f'["{name}"] = {rank}' for rank, name in enumerate(PRIORITIES))
    header = f"local RANK = {{{ranks}}}\nlocal OTHER_RANK = {len(PRIORITIES)}\n"
    folder = files(__package__).joinpath("lua")
    prelude = header + folder.joinpath(PRELUDE).read_text(encoding="utf-8")
    return {
        entry.name.removesuffix(".lua"): prelude + entry.read_text(encoding="utf-8")
        for entry in folder.iterdir()
        if entry.name.endswith(".lua") and entry.name != PRELUDE
    }


#: Script name to its full source (the shared functions first).
SCRIPTS: dict[str, str] = load_scripts()
