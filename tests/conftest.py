from tests.fixtures import chat_server, engine, make_server

__all__ = ["chat_server", "engine", "make_server"]
