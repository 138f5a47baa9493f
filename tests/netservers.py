"""Real local servers standing in for a customer's DNS, website and mail servers.

Everything listens on 127.0.0.1 on a free port: a DNS server (UDP and TCP) answering
from a dict, HTTP and HTTPS servers (aiohttp) whose answers depend on the Host header,
an SMTP server that greets and answers QUIT, and a silent server that accepts
connections and never speaks. Certificates are made at test time with ``cryptography``.
Each server counts the connections it accepted, so a test can prove none was made.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import ssl
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Self, cast

import dns.flags
import dns.message
import dns.name
import dns.rcode
import dns.rdataclass
import dns.rdatatype
import dns.rrset
from aiohttp import web
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

__all__ = [
    "CertificateAuthority",
    "DnsServer",
    "IssuedCertificate",
    "SilentServer",
    "SmtpServer",
    "WebServer",
]

HOST = "127.0.0.1"
#: (host, path) -> (status, Location). A missing entry answers 404.
Routes = Mapping[tuple[str, str], tuple[int, str]]


@dataclass(frozen=True)
class IssuedCertificate:
    cert_file: Path
    key_file: Path
    not_after: dt.datetime

    def server_context(self) -> ssl.SSLContext:
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(self.cert_file, self.key_file)
        return context


class CertificateAuthority:
    """A throw-away CA (``ca_file`` is its certificate) issuing leaf certificates."""

    def __init__(self, folder: Path, name: str = "Aurora Test CA") -> None:
        self.folder = folder
        self.name = name
        self._key = ec.generate_private_key(ec.SECP256R1())
        subject = x509.Name(
            [
                x509.NameAttribute(NameOID.COMMON_NAME, name),
                x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Aurora Test Trust"),
            ]
        )
        now = dt.datetime.now(dt.UTC)
        self._cert = (
            x509.CertificateBuilder()
            .subject_name(subject)
            .issuer_name(subject)
            .public_key(self._key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - dt.timedelta(days=1))
            .not_valid_after(now + dt.timedelta(days=3650))
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .add_extension(
                x509.KeyUsage(
                    digital_signature=True,
                    content_commitment=False,
                    key_encipherment=False,
                    data_encipherment=False,
                    key_agreement=False,
                    key_cert_sign=True,
                    crl_sign=True,
                    encipher_only=False,
                    decipher_only=False,
                ),
                critical=True,
            )
            .add_extension(
                x509.SubjectKeyIdentifier.from_public_key(self._key.public_key()), critical=False
            )
            .sign(self._key, hashes.SHA256())
        )
        self.ca_file = folder / "ca.pem"
        self.ca_file.write_bytes(self._cert.public_bytes(serialization.Encoding.PEM))
        self._count = 0

    def issue(
        self,
        names: Sequence[str],
        *,
        valid_from: dt.timedelta = dt.timedelta(days=-30),
        valid_for: dt.timedelta = dt.timedelta(days=90),
        self_signed: bool = False,
    ) -> IssuedCertificate:
        """A certificate for ``names``, valid from now+``valid_from`` for ``valid_for``."""
        key = ec.generate_private_key(ec.SECP256R1())
        subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, names[0])])
        issuer_key = key if self_signed else self._key
        start = dt.datetime.now(dt.UTC).replace(microsecond=0) + valid_from
        cert = (
            x509.CertificateBuilder()
            .subject_name(subject)
            .issuer_name(subject if self_signed else self._cert.subject)
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(start)
            .not_valid_after(start + valid_for)
            .add_extension(
                x509.SubjectAlternativeName([x509.DNSName(name) for name in names]),
                critical=False,
            )
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(
                x509.AuthorityKeyIdentifier.from_issuer_public_key(issuer_key.public_key()),
                critical=False,
            )
            .sign(issuer_key, hashes.SHA256())
        )
        self._count += 1
        cert_file = self.folder / f"leaf{self._count}.pem"
        key_file = self.folder / f"leaf{self._count}.key"
        cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
        key_file.write_bytes(
            key.private_bytes(
                serialization.Encoding.PEM,
                serialization.PrivateFormat.PKCS8,
                serialization.NoEncryption(),
            )
        )
        return IssuedCertificate(cert_file, key_file, cert.not_valid_after_utc)


class _Server:
    """Counts connections and closes them all, handler tasks included, on exit."""

    def __init__(self) -> None:
        self.connections = 0
        self.port = 0
        self._server: asyncio.Server | None = None
        self._writers: set[asyncio.StreamWriter] = set()
        self._tasks: set[asyncio.Task[None]] = set()

    async def __aenter__(self) -> Self:
        self._server = await asyncio.start_server(self._accept, HOST, 0)
        self.port = self._server.sockets[0].getsockname()[1]
        return self

    async def __aexit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        assert self._server is not None
        self._server.close()
        for writer in self._writers:
            writer.close()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        await self._server.wait_closed()

    async def _accept(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.connections += 1
        self._writers.add(writer)
        task = asyncio.current_task()
        assert task is not None
        self._tasks.add(task)
        try:
            await self.handle(reader, writer)
        except ConnectionError:
            pass
        finally:
            writer.close()

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        raise NotImplementedError


class SilentServer(_Server):
    """Accepts connections and never says a word: a hanging web, TLS or mail server."""

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        while await reader.read(4096):
            pass


class SmtpServer(_Server):
    """Greets with ``banner`` (lines joined with CRLF) and answers QUIT with 221."""

    def __init__(self, banner: str = "220 mx.example ESMTP") -> None:
        super().__init__()
        self.banner = banner
        self.commands: list[str] = []

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        writer.write(self.banner.encode() + b"\r\n")
        await writer.drain()
        while line := await reader.readline():
            command = line.decode().strip()
            self.commands.append(command)
            if command.upper() == "QUIT":
                writer.write(b"221 2.0.0 Bye\r\n")
                await writer.drain()
                return
            writer.write(b"250 OK\r\n")


class WebServer:
    """An aiohttp server (HTTPS when given a certificate) answering by Host and path."""

    def __init__(self, routes: Routes, certificate: IssuedCertificate | None = None) -> None:
        self.routes = routes
        self.certificate = certificate
        self.requests: list[tuple[str, str]] = []
        self.port = 0
        self._runner: web.AppRunner | None = None

    async def _answer(self, request: web.Request) -> web.Response:
        host = request.host.rsplit(":", 1)[0] if not request.host.endswith("]") else request.host
        self.requests.append((host, request.path))
        status, location = self.routes.get((host, request.path), (404, ""))
        headers = {"Location": location} if location else {}
        return web.Response(status=status, text=f"{status} {host}", headers=headers)

    async def __aenter__(self) -> Self:
        app = web.Application()
        app.router.add_route("GET", "/{path:.*}", self._answer)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        context = self.certificate.server_context() if self.certificate else None
        site = web.TCPSite(self._runner, HOST, 0, ssl_context=context)
        await site.start()
        self.port = self._runner.addresses[0][1]
        return self

    async def __aexit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        assert self._runner is not None
        await self._runner.cleanup()


class _DnsDatagrams(asyncio.DatagramProtocol):
    def __init__(self, server: DnsServer) -> None:
        self.server = server
        self.transport: asyncio.DatagramTransport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = cast(asyncio.DatagramTransport, transport)

    def datagram_received(self, data: bytes, addr: tuple[str | object, int]) -> None:
        response = self.server.respond(data)
        if response is not None and self.transport is not None:
            self.transport.sendto(response, addr)


class DnsServer:
    """Answers A, AAAA, MX, NS and CNAME questions from ``records``, UDP and TCP.

    ``records`` maps a name to its records by type, e.g.
    ``{"kafebar.no": {"A": ["127.0.0.1"], "MX": ["10 mx.other.example."]}}``. A name that
    is neither listed nor above a listed one is NXDOMAIN; ``silent`` never answers.
    """

    def __init__(
        self, records: Mapping[str, Mapping[str, Sequence[str]]], *, silent: bool = False
    ) -> None:
        self.records = {
            dns.name.from_text(name): dict(by_type) for name, by_type in records.items()
        }
        self.silent = silent
        self.queries: list[tuple[str, str]] = []
        self.port = 0
        self._udp: asyncio.DatagramTransport | None = None
        self._tcp: asyncio.Server | None = None
        self._tcp_tasks: set[asyncio.Task[None]] = set()

    @property
    def address(self) -> str:
        """The ``ip:port`` to put in ``DiagnosticsConfig.resolver``."""
        return f"{HOST}:{self.port}"

    async def __aenter__(self) -> Self:
        loop = asyncio.get_running_loop()
        # UDP and TCP need the same port number: retry if TCP's is taken.
        for _ in range(50):
            udp, _protocol = await loop.create_datagram_endpoint(
                lambda: _DnsDatagrams(self), local_addr=(HOST, 0)
            )
            port = udp.get_extra_info("sockname")[1]
            try:
                self._tcp = await asyncio.start_server(self._stream, HOST, port)
            except OSError:
                udp.close()
                continue
            self._udp, self.port = udp, port
            return self
        raise OSError("no free port for both UDP and TCP")

    async def __aexit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        assert self._udp is not None and self._tcp is not None
        self._udp.close()
        self._tcp.close()
        for task in self._tcp_tasks:
            task.cancel()
        await asyncio.gather(*self._tcp_tasks, return_exceptions=True)
        await self._tcp.wait_closed()

    async def _stream(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        self._tcp_tasks.add(task)
        try:
            while size := await reader.read(2):
                message = await reader.readexactly(int.from_bytes(size, "big"))
                response = self.respond(message)
                if response is not None:
                    writer.write(len(response).to_bytes(2, "big") + response)
                    await writer.drain()
        except (ConnectionError, asyncio.IncompleteReadError):
            pass
        finally:
            writer.close()

    def respond(self, wire: bytes) -> bytes | None:
        query = dns.message.from_wire(wire)
        question = query.question[0]
        self.queries.append(
            (question.name.to_text(omit_final_dot=True), dns.rdatatype.to_text(question.rdtype))
        )
        if self.silent:
            return None
        response = dns.message.make_response(query)
        response.flags |= dns.flags.AA
        if not self._answer(response, question.name, question.rdtype):
            response.set_rcode(dns.rcode.NXDOMAIN)
        return response.to_wire()

    def _answer(
        self, response: dns.message.Message, name: dns.name.Name, rdtype: dns.rdatatype.RdataType
    ) -> bool:
        """Add ``name``'s records of ``rdtype`` (following CNAMEs); False if it does not exist."""
        by_type = self.records.get(name)
        if by_type is None:
            return any(known.is_subdomain(name) for known in self.records)
        wanted = dns.rdatatype.to_text(rdtype)
        if "CNAME" in by_type and wanted != "CNAME":
            response.answer.append(self._rrset(name, "CNAME", by_type["CNAME"]))
            self._answer(response, dns.name.from_text(by_type["CNAME"][0]), rdtype)
        elif wanted in by_type:
            response.answer.append(self._rrset(name, wanted, by_type[wanted]))
        return True

    @staticmethod
    def _rrset(name: dns.name.Name, rdtype: str, values: Sequence[str]) -> dns.rrset.RRset:
        return dns.rrset.from_text_list(
            name,
            300,
            dns.rdataclass.IN,
            rdtype,
            list(values),
            origin=dns.name.root,
            relativize=False,
        )
