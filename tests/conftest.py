from tests.fixtures import chat_server, engine, make_server
from tests.redis_server import redis_server

__all__ = ["chat_server", "engine", "make_server", "redis_server"]
