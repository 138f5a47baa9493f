"""``chatbot serve`` and ``chatbot ask``: thin shells around the app and the engine."""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from typing import Any, TextIO

from chatbot.content import build_engine_context
from chatbot.engine import ConversationState, EngineContext, Inbound, turn
from chatbot.logs import configure_logging
from chatbot.settings import LANGUAGES, Settings

__all__ = ["main"]


def _common(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--data-dir", type=Path, help="where the database lives (default: var)")
    parser.add_argument("--kb", type=Path, dest="kb_dir", help="knowledge base folder")
    parser.add_argument("--log-level", default=None, help="DEBUG, INFO, WARNING...")
    parser.add_argument(
        "--redis-url", default=None, help="scale-out: share the store on Redis (or REDIS_URL)"
    )


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="chatbot", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    serve = sub.add_parser("serve", help="run the chat server")
    serve.add_argument("--host", default=None)
    serve.add_argument("--port", type=int, default=None)
    serve.add_argument(
        "--demo", action="store_true", help="serve the demo company's site at / and /portal"
    )
    _common(serve)
    ask = sub.add_parser("ask", help="show what the bot understands and answers")
    ask.add_argument("text", help="a customer message, or - to read one per line from stdin")
    ask.add_argument("--lang", choices=LANGUAGES, help="the widget locale to assume")
    ask.add_argument("--json", action="store_true", help="print JSON")
    _common(ask)
    tickets = sub.add_parser("tickets", help="read tickets (works while the server runs)")
    tickets_sub = tickets.add_subparsers(dest="tickets_command", required=True)
    listing = tickets_sub.add_parser("list", help="newest first")
    listing.add_argument("--status", help="open, in_progress, waiting, closed")
    listing.add_argument("--limit", type=int, default=100)
    listing.add_argument("--json", action="store_true")
    _common(listing)
    show = tickets_sub.add_parser("show", help="one ticket with its transcript")
    show.add_argument("number")
    show.add_argument("--json", action="store_true")
    _common(show)
    reports = sub.add_parser("reports", help="the support lead's report (as in the console)")
    reports.add_argument("--days", type=int, default=30, help="the last N days (1-366)")
    reports.add_argument("--json", action="store_true", help="print JSON (as GET /api/reports)")
    _common(reports)
    agents = sub.add_parser("agents", help="support team accounts for the console")
    agents_sub = agents.add_subparsers(dest="agents_command", required=True)
    add = agents_sub.add_parser(
        "add", help="create an agent; the password is asked (or read from stdin when piped)"
    )
    add.add_argument("email")
    add.add_argument("--name", required=True)
    add.add_argument("--role", choices=("agent", "admin"), default="agent")
    _common(add)
    passwd = agents_sub.add_parser("passwd", help="set a new password (ends their sessions)")
    passwd.add_argument("email")
    _common(passwd)
    listing = agents_sub.add_parser("list", help="every agent")
    _common(listing)
    customers = sub.add_parser("customers", help="one customer's data: export or erase it")
    customers_sub = customers.add_subparsers(dest="customers_command", required=True)
    visitor_help = "the customer: a ticket's customer.visitor_id (user:<id> when verified)"
    export = customers_sub.add_parser("export", help="everything stored about them, as JSON")
    export.add_argument("visitor_id", help=visitor_help)
    export.add_argument("--out", type=Path, help="write to this file (default: standard output)")
    _common(export)
    delete = customers_sub.add_parser(
        "delete", help="erase their conversations, tickets, notes and attachment files"
    )
    delete.add_argument("visitor_id", help=visitor_help)
    delete.add_argument("--yes", action="store_true", help="really delete: it cannot be undone")
    _common(delete)
    backup = sub.add_parser("backup", help="copy the database and files (while the server runs)")
    backup.add_argument("dest", type=Path, help="a new folder for the backup")
    _common(backup)
    restore = sub.add_parser("restore", help="put a backup into the data dir (server stopped)")
    restore.add_argument("source", type=Path, help="a folder made by chatbot backup")
    restore.add_argument("--force", action="store_true", help="move the present data aside")
    _common(restore)
    return parser


def _settings(args: argparse.Namespace) -> Settings:
    return Settings.from_env(
        host=getattr(args, "host", None),
        port=getattr(args, "port", None),
        data_dir=args.data_dir,
        kb_dir=args.kb_dir,
        log_level=args.log_level,
        redis_url=args.redis_url,
        demo=getattr(args, "demo", None) or None,
    )


def analyse(text: str, ctx: EngineContext, locale: str | None) -> dict[str, Any]:
    """What the bot makes of one fresh message, as ``chatbot ask --json`` prints it."""
    now = datetime.now()
    result = turn(ConversationState(), Inbound(text=text, locale=locale, at=now), ctx)
    understanding = result.understanding
    prediction = understanding.prediction
    search = understanding.search
    articles = []
    if search is not None:
        for hit in search.hits:
            article = ctx.index.kb.translation(hit.article_id, result.state.language)
            if article is not None:
                articles.append(
                    {
                        "id": hit.article_id,
                        "lang": article.lang,
                        "title": article.title,
                        "score": round(hit.score, 4),
                    }
                )
    return {
        "text": text,
        "language": result.state.language,
        "language_confidence": round(result.understanding.language_confidence, 3),
        # The intent the engine acted on: the classifier's, or small talk it recognised.
        "intent": understanding.intent,
        "intent_confidence": round(prediction.intent_confidence, 3) if prediction else None,
        "service": prediction.service if prediction else None,
        "service_confidence": round(prediction.service_confidence, 3) if prediction else None,
        "entities": understanding.entities,
        "requests": list(understanding.requests) or [text],
        "articles": articles,
        "confidence": round(search.confidence, 3) if search else None,
        "answer": {
            "article_id": result.answered_article,
            # A ticket gets its number from the store, which `ask` does not touch.
            "text": "\n\n".join(reply.text for reply in result.replies).replace("{ticket}", "HS-?"),
            "ticket": bool(result.actions),
        },
    }


def _print_human(report: dict[str, Any], out: TextIO) -> None:
    out.write(
        f"language: {report['language']}  intent: {report['intent']}"
        f" ({report['intent_confidence']})  service: {report['service']}"
        f" ({report['service_confidence']})\n"
    )
    entities = {k: v for k, v in report["entities"].items() if v}
    if entities:
        out.write(f"entities: {json.dumps(entities, ensure_ascii=False)}\n")
    for article in report["articles"][:3]:
        out.write(f"  {article['score']:.3f}  {article['id']}  ({article['title']})\n")
    out.write(f"confidence: {report['confidence']}\n\n{report['answer']['text']}\n")


def _ask(args: argparse.Namespace) -> int:
    ctx = build_engine_context(_settings(args))
    out = sys.stdout
    if args.text == "-":
        for line in sys.stdin:
            text = line.rstrip("\n")
            if text.strip():
                out.write(json.dumps(analyse(text, ctx, args.lang), ensure_ascii=False) + "\n")
                out.flush()
        return 0
    report = analyse(args.text, ctx, args.lang)
    if args.json:
        out.write(json.dumps(report, ensure_ascii=False, indent=2) + "\n")
    else:
        _print_human(report, out)
    return 0


def _serve(args: argparse.Namespace) -> int:
    from chatbot.agent_admin import ensure_demo_agent
    from chatbot.serve import serve

    settings = _settings(args)
    base = f"http://{settings.host}:{settings.port}"
    announce = None
    if settings.demo:
        email, password = asyncio.run(ensure_demo_agent(settings))

        def announce() -> None:
            print(
                f"demo: the company site {base}/ and the customer portal {base}/portal\n"
                f"demo: the agent console {base}/console (log in as {email}, password {password})",
                flush=True,
            )

    # Listens at once; logs "ready" (and only then serves) once the engine is loaded.
    return asyncio.run(serve(settings, on_ready=announce))


def _no_store(settings: Settings) -> bool:
    """True (said on stderr) when the settings name no store a command could open."""
    from chatbot.store.backends import describe

    missing = describe(settings).missing()
    if missing:
        sys.stderr.write(f"{missing}\n")
    return bool(missing)


def _tickets(args: argparse.Namespace) -> int:
    from chatbot.ticket_reports import list_tickets, show_ticket

    settings = _settings(args)
    if _no_store(settings):
        return 2
    if args.tickets_command == "list":
        rows = asyncio.run(list_tickets(settings, args.status, args.limit))
        if args.json:
            sys.stdout.write(json.dumps(rows, ensure_ascii=False, indent=2) + "\n")
        else:
            for row in rows:
                sys.stdout.write(
                    f"{row['number']:<12} {row['status']:<11} {row['priority']:<8} "
                    f"{row['language']}  {row['title']}\n"
                )
        return 0
    ticket = asyncio.run(show_ticket(settings, args.number))
    if ticket is None:
        sys.stderr.write(f"no ticket {args.number}\n")
        return 1
    if args.json:
        sys.stdout.write(json.dumps(ticket, ensure_ascii=False, indent=2) + "\n")
    else:
        sys.stdout.write(f"{ticket['number']}  {ticket['title']}\n")
        sys.stdout.write(f"status {ticket['status']}, priority {ticket['priority']}\n")
        for name, value in ticket["fields"].items():
            sys.stdout.write(f"  {name}: {value}\n")
        for line in ticket["transcript"]:
            sys.stdout.write(f"[{line['at']}] {line['from']}: {line['text']}\n")
    return 0


def _reports(args: argparse.Namespace) -> int:
    from chatbot.period_reports import load_report, report_text

    settings = _settings(args)
    if _no_store(settings):
        return 2
    if not 1 <= args.days <= 366:
        sys.stderr.write("--days must be 1 to 366\n")
        return 2
    report = asyncio.run(load_report(settings, args.days))
    if args.json:
        sys.stdout.write(json.dumps(report, ensure_ascii=False, indent=2) + "\n")
    else:
        sys.stdout.write(report_text(report))
    return 0


def _read_password(prompt: str) -> str:
    if sys.stdin.isatty():
        import getpass

        first = getpass.getpass(prompt)
        if getpass.getpass("again: ") != first:
            raise ValueError("the passwords differ")
        return first
    return sys.stdin.readline().rstrip("\n")


def _agents(args: argparse.Namespace) -> int:
    from chatbot.agent_admin import add_agent, list_agents, set_password
    from chatbot.errors import ChatbotError

    settings = _settings(args)
    try:
        if args.agents_command == "list":
            for agent in asyncio.run(list_agents(settings)):
                state = " (disabled)" if agent.disabled else ""
                sys.stdout.write(f"{agent.email:<36} {agent.role:<6} {agent.name}{state}\n")
            return 0
        password = _read_password(f"password for {args.email}: ")
        if args.agents_command == "add":
            agent = asyncio.run(add_agent(settings, args.email, args.name, password, args.role))
            sys.stdout.write(f"added {agent.role} {agent.name} <{agent.email}>\n")
        else:
            agent = asyncio.run(set_password(settings, args.email, password))
            sys.stdout.write(f"new password for {agent.email}; their sessions are ended\n")
    except (ChatbotError, ValueError) as exc:
        sys.stderr.write(f"{getattr(exc, 'message', exc)}\n")
        return 1
    return 0


def _customers(args: argparse.Namespace) -> int:
    from chatbot.attachments import AttachmentStore
    from chatbot.errors import ChatbotError
    from chatbot.privacy import erase_visitor, export_visitor
    from chatbot.store.backends import opened_store

    settings = _settings(args)
    if _no_store(settings):
        return 2
    exporting = args.customers_command == "export"
    if not exporting and not args.yes:
        sys.stderr.write("this deletes the customer's data for good: add --yes\n")
        return 2

    async def run() -> dict[str, Any]:
        files = AttachmentStore(
            settings.attachments_path, int(settings.attachment_max_mb * 1024 * 1024)
        )
        async with opened_store(settings) as store:
            if exporting:
                return await export_visitor(store, files, args.visitor_id)
            return await erase_visitor(store, files, args.visitor_id)

    try:
        result = asyncio.run(run())
    except ChatbotError as exc:
        sys.stderr.write(f"{exc.message}\n")
        return 1
    if not result["conversations"] and not result["tickets"]:
        sys.stderr.write(f"nothing is stored about {args.visitor_id}\n")
        return 1
    if not exporting:
        sys.stdout.write(
            f"deleted {len(result['conversations'])} conversations, {result['messages']}"
            f" messages, {len(result['tickets'])} tickets, {result['attachments']} files\n"
        )
        return 0
    text = json.dumps(result, ensure_ascii=False, indent=2) + "\n"
    if args.out is None:
        sys.stdout.write(text)
        return 0
    # Personal data: readable by the owner only.
    fd = os.open(args.out, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as out:
        out.write(text)
    return 0


def _backup(args: argparse.Namespace) -> int:
    from chatbot.backup import BackupError, back_up, restore
    from chatbot.store.sqlite.backup import UnusableDatabase

    settings = _settings(args)
    try:
        if args.command == "restore":
            aside = restore(args.source, settings.data_dir, force=args.force)
            if aside is not None:
                sys.stdout.write(f"the data that was there is in {aside}\n")
            sys.stdout.write(f"restored {args.source} into {settings.data_dir}\n")
            return 0
        report = back_up(settings, args.dest)
    except (BackupError, UnusableDatabase) as exc:
        sys.stderr.write(f"{exc}\n")
        return 1
    db = report.database
    if db is None:
        sys.stderr.write("the store is on Redis: back it up with Redis (docs/deployment.md)\n")
    else:
        sys.stdout.write(f"{db.conversations} conversations, {db.messages} messages, ")
        sys.stdout.write(f"{db.tickets} tickets (schema {db.schema_version}), ")
    sys.stdout.write(f"{report.attachments} files in {report.folder} ({report.seconds:.1f} s)\n")
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    level = args.log_level or ("INFO" if args.command == "serve" else "WARNING")
    configure_logging(level)
    if args.command == "serve":
        return _serve(args)
    if args.command == "tickets":
        return _tickets(args)
    if args.command == "agents":
        return _agents(args)
    if args.command == "reports":
        return _reports(args)
    if args.command == "customers":
        return _customers(args)
    if args.command in ("backup", "restore"):
        return _backup(args)
    try:
        return _ask(args)
    except BrokenPipeError:  # `chatbot ask ... | head`
        sys.stderr.close()
        return 0
