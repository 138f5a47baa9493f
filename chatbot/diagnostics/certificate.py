"""The certificate the HTTPS server presents for the domain, even one that does not verify."""

from __future__ import annotations

import asyncio
import ssl
from dataclasses import replace
from pathlib import Path

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.x509.oid import NameOID

from chatbot.diagnostics.config import DiagnosticsConfig
from chatbot.diagnostics.connections import abort, guard, open_first
from chatbot.diagnostics.results import CertificateResult, ProbeStatus

__all__ = ["check_certificate", "name_matches", "parse_certificate"]


def name_matches(domain: str, names: tuple[str, ...]) -> bool:
    """Whether a certificate for ``names`` is valid for ``domain``.

    A wildcard stands for exactly one whole left-most label: ``*.kafebar.no`` covers
    ``www.kafebar.no`` but neither ``kafebar.no`` nor ``a.b.kafebar.no``; ``*.no`` nothing.
    """
    domain = domain.lower().rstrip(".")
    for name in names:
        pattern = name.lower().rstrip(".")
        if pattern == domain:
            return True
        if pattern.startswith("*.") and "." in domain:
            first, rest = domain.split(".", 1)
            # Browsers refuse a wildcard directly under a top-level domain ("*.no").
            if first and rest == pattern[2:] and "." in rest and "*" not in rest:
                return True
    return False


def _attribute(name: x509.Name, oid: x509.ObjectIdentifier) -> str:
    values = name.get_attributes_for_oid(oid)
    value = values[0].value if values else ""
    return value if isinstance(value, str) else value.decode("utf-8", "replace")


def _self_signed(cert: x509.Certificate) -> bool:
    if cert.issuer != cert.subject:
        return False
    try:
        cert.verify_directly_issued_by(cert)
    except (InvalidSignature, ValueError, TypeError):
        return False
    return True


def parse_certificate(domain: str, der: bytes) -> CertificateResult:
    """The facts a customer's case needs from a DER certificate (not yet the trust)."""
    cert = x509.load_der_x509_certificate(der)
    try:
        san = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName)
        names = tuple(name.lower() for name in san.value.get_values_for_type(x509.DNSName))
    except x509.ExtensionNotFound:
        names = ()
    subject_cn = _attribute(cert.subject, NameOID.COMMON_NAME)
    # Browsers ignore the subject's CN once a certificate has alternative names.
    candidates = names or ((subject_cn.lower(),) if subject_cn else ())
    return CertificateResult(
        domain=domain,
        status="ok",
        not_before=cert.not_valid_before_utc,
        not_after=cert.not_valid_after_utc,
        issuer_cn=_attribute(cert.issuer, NameOID.COMMON_NAME),
        issuer_o=_attribute(cert.issuer, NameOID.ORGANIZATION_NAME),
        subject_cn=subject_cn,
        names=candidates,
        name_matches=name_matches(domain, candidates),
        self_signed=_self_signed(cert),
    )


def _verifying_context(ca_file: Path | None) -> ssl.SSLContext:
    context = ssl.create_default_context()
    # The name is checked separately so that a mismatch is reported, not a failed handshake.
    context.check_hostname = False
    if ca_file is not None:
        context.load_verify_locations(cafile=str(ca_file))
    return context


def _fetching_context() -> ssl.SSLContext:
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    return context


async def _peer_certificate(
    addresses: tuple[str, ...], port: int, domain: str, context: ssl.SSLContext
) -> tuple[bytes, str]:
    connection = await open_first(addresses, port, tls=context, server_hostname=domain)
    try:
        ssl_object = connection.ssl_object
        der = ssl_object.getpeercert(binary_form=True) if ssl_object else None
    finally:
        abort(connection.writer)
    if not der:
        raise ssl.SSLError("the server sent no certificate")
    return der, connection.address


async def check_certificate(
    domain: str, addresses: tuple[str, ...], config: DiagnosticsConfig, deadline: float
) -> CertificateResult:
    """Handshake with SNI ``domain``; verify against the system store and ``ca_file``."""
    targets = guard(domain, addresses, config.allowed_ip_networks)
    if not targets.allowed:
        status: ProbeStatus = "refused" if targets.refused else "no_address"
        return CertificateResult(domain, status, refused=targets.refused)
    port = config.ports.https
    trusted, verify_error = True, ""
    try:
        async with asyncio.timeout_at(deadline):
            try:
                der, address = await _peer_certificate(
                    targets.allowed, port, domain, _verifying_context(config.ca_file)
                )
            except ssl.SSLCertVerificationError as error:
                trusted, verify_error = False, str(error.verify_message or error.reason)
                der, address = await _peer_certificate(
                    targets.allowed, port, domain, _fetching_context()
                )
    except TimeoutError:
        return CertificateResult(domain, "timeout", refused=targets.refused)
    except OSError as error:
        detail = getattr(error, "reason", None) or error.strerror or type(error).__name__
        return CertificateResult(domain, "connect_failed", refused=targets.refused, detail=detail)
    try:
        parsed = parse_certificate(domain, der)
    except ValueError as error:
        return CertificateResult(domain, "error", address=address, detail=str(error)[:200])
    return replace(
        parsed,
        address=address,
        trusted=trusted,
        verify_error=verify_error,
        refused=targets.refused,
    )
