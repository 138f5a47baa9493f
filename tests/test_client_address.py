"""Which address is the client's, for every shape of forwarding header (no server needed;
tests/test_proxy.py runs the same rules behind a real nginx)."""

from __future__ import annotations

import pytest

from chatbot.errors import ConfigError
from chatbot.settings import Settings
from chatbot.web.client_address import TrustedProxies

PROXIES = TrustedProxies(["127.0.0.2", "10.0.0.0/8", "fd00::/8"])


@pytest.mark.parametrize(
    ("peer", "header", "client"),
    [
        # Nobody trusted: whatever the header says.
        ("203.0.113.5", ["198.51.100.1"], "203.0.113.5"),
        ("127.0.0.1", ["198.51.100.1, 127.0.0.2"], "127.0.0.1"),
        # The proxy's word: the right-most address that is not a trusted proxy.
        ("127.0.0.2", ["198.51.100.1"], "198.51.100.1"),
        ("127.0.0.2", ["203.0.113.9, 198.51.100.1"], "198.51.100.1"),
        ("127.0.0.2", ["203.0.113.9, 198.51.100.1, 10.1.2.3"], "198.51.100.1"),
        ("10.0.0.1", ["203.0.113.9", "198.51.100.1, 10.1.2.3"], "198.51.100.1"),
        # Written by the client, left of an untrusted hop: garbage there changes nothing.
        ("127.0.0.2", ["not an address, 198.51.100.1"], "198.51.100.1"),
        # A proxy without a header, or all hops trusted: the furthest trusted hop.
        ("127.0.0.2", [], "127.0.0.2"),
        ("127.0.0.2", ["10.9.9.9"], "10.9.9.9"),
        # Something a trusted proxy wrote that is no address: that proxy is the client.
        ("127.0.0.2", ["198.51.100.1, unknown"], "127.0.0.2"),
        # Ports, brackets, IPv6, IPv4-mapped peers.
        ("127.0.0.2", ["198.51.100.1:4711"], "198.51.100.1"),
        ("127.0.0.2", ["[2001:db8::7]:4711"], "2001:db8::7"),
        ("fd00::1", ["2001:db8::7"], "2001:db8::7"),
        ("::ffff:127.0.0.2", ["198.51.100.1"], "198.51.100.1"),
    ],
)
def test_the_client_is_the_first_untrusted_hop_from_the_right(
    peer: str, header: list[str], client: str
) -> None:
    assert PROXIES.client(peer, header) == client


@pytest.mark.parametrize(
    ("header", "client"),
    [
        (['for=198.51.100.1;proto=https, for="[2001:db8::7]:4711"'], "2001:db8::7"),
        (["for=203.0.113.9", "for=198.51.100.1;by=10.0.0.1, for=10.0.0.5"], "198.51.100.1"),
        (["For=198.51.100.1"], "198.51.100.1"),
        (["for=198.51.100.1, for=_hidden"], "127.0.0.2"),
        (["by=127.0.0.2"], "127.0.0.2"),
    ],
)
def test_rfc_7239_forwarded_is_read_the_same_way(header: list[str], client: str) -> None:
    proxies = TrustedProxies(["127.0.0.2", "10.0.0.0/8"], "forwarded")
    assert proxies.client("127.0.0.2", header) == client


def test_a_mistyped_proxy_or_header_stops_the_start() -> None:
    with pytest.raises(ConfigError, match=r"10\.0\.0\.300"):
        TrustedProxies(["10.0.0.300"])
    with pytest.raises(ConfigError, match="CHATBOT_PROXY_HEADER"):
        TrustedProxies(["10.0.0.1"], "X-Real-IP")


def test_trusted_proxies_come_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CHATBOT_TRUSTED_PROXIES", " 127.0.0.2, 10.0.0.0/8 ,")
    monkeypatch.setenv("CHATBOT_PROXY_HEADER", "Forwarded")
    monkeypatch.setenv("CHATBOT_HOME_URL", "https://www.example.com/")
    settings = Settings.from_env()
    assert settings.trusted_proxies == ("127.0.0.2", "10.0.0.0/8")
    assert settings.proxy_header == "Forwarded"
    assert settings.home_url == "https://www.example.com/"
    assert Settings().trusted_proxies == ()
