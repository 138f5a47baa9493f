"""Facts read out of customer messages."""

from __future__ import annotations

import pytest

from chatbot.intents.entities import extract_entities, without_entities


def test_the_praised_kind_of_request_gives_every_fact() -> None:
    found = extract_entities("Sending from xy@domain.tld fails since yesterday with error 550")
    assert found["email"] == ["xy@domain.tld"]
    assert found["domain"] == ["domain.tld"]
    assert found["error_code"] == ["550"]


def test_domains_inside_urls_and_addresses_count_as_domains() -> None:
    found = extract_entities("see https://www.kafebar.no/meny?x=1, mail ana@cvjecarna.hr")
    assert found["url"] == ["https://www.kafebar.no/meny?x=1"]
    assert found["domain"] == ["kafebar.no", "cvjecarna.hr"]


@pytest.mark.parametrize(
    ("text", "domains"),
    [
        ("moja stranica cvjećarna.hr ne radi", ["cvjećarna.hr"]),
        ("сайт пекарня.рф не открывается", ["пекарня.рф"]),
        ("upload index.php and wp-config.php to kisbolt.hu", ["kisbolt.hu"]),
        ("version 8.2 of php on virtanen.fi.", ["virtanen.fi"]),
        ("no domain here, e.g. nothing", []),
        ("Siirsin kahvilamarja.fi-verkkotunnuksen teille eilen", ["kahvilamarja.fi"]),
        ("kafebar.no-domenet er nede", ["kafebar.no"]),
        ("a shop.hu-n nem megy", ["shop.hu"]),
        ("foo.com-bar.net is down", ["foo.com-bar.net"]),
    ],
)
def test_domains_in_every_language_and_not_file_names(text: str, domains: list[str]) -> None:
    assert extract_entities(text)["domain"] == domains


def test_ip_addresses_v4_and_v6_are_validated() -> None:
    found = extract_entities("server 185.20.1.7 and 2001:db8::1 but not 999.1.1.1 or 1.2.3")
    assert found["ip"] == ["185.20.1.7", "2001:db8::1"]


@pytest.mark.parametrize(
    ("text", "codes"),
    [
        ("550 5.7.1 Relaying denied", ["550", "5.7.1"]),
        ("stranica javlja grešku 500", ["500"]),
        ("virhe 403 kun avaan sivun", ["403"]),
        ("ошибка 502 bad gateway", ["502"]),
        ("FTP says 530 Login incorrect", ["530"]),
        ("I sent 500 newsletters and paid 450 kroner", []),
    ],
)
def test_error_codes_need_an_error_context(text: str, codes: list[str]) -> None:
    assert extract_entities(text)["error_code"] == codes


def test_ticket_numbers_in_the_projects_format() -> None:
    found = extract_entities("status of HS-104233? also hs104234 and #HS 100871, not XS-1")
    assert found["ticket"] == ["HS-104233", "HS-104234", "HS-100871"]
    assert extract_entities("ticket AB-12345", ticket_prefix="AB")["ticket"] == ["AB-12345"]


def test_names_are_masked_for_language_identification() -> None:
    assert (
        without_entities("mail on cvjećarna.hr from ana@kafebar.no fails") == "mail on from fails"
    )


@pytest.mark.parametrize(
    ("text", "server"),
    [
        ("my VPS stopped answering, the server is called shop-db-1, IP 203.0.113.9", "shop-db-1"),
        ("Palvelimen nimi on app-prod-7 ja se ei vastaa", "app-prod-7"),
        ("сервер называется mail-spb-2, не пускает по ssh", "mail-spb-2"),
        ("a szerver neve web-gyor-3, nem érhető el", "web-gyor-3"),
    ],
)
def test_a_named_server_is_read_from_the_message(text: str, server: str) -> None:
    assert extract_entities(text)["server"] == [server]


def test_a_domain_or_an_address_is_no_server_name() -> None:
    assert extract_entities("the site is called example.com")["server"] == []
    assert extract_entities("it is named 203.0.113.9")["server"] == []


@pytest.mark.parametrize(
    ("text", "code"),
    [
        (
            "Chrome says NET::ERR_CERT_COMMON_NAME_INVALID on my shop",
            "NET::ERR_CERT_COMMON_NAME_INVALID",
        ),
        ("selain näyttää DNS_PROBE_FINISHED_NXDOMAIN", "DNS_PROBE_FINISHED_NXDOMAIN"),
        ("Outlook error 0x800CCC0F when sending", "0x800CCC0F"),
        (
            "the wordpress site shows Error establishing a database connection",
            "Error establishing a database connection",
        ),
    ],
)
def test_browser_and_client_error_codes_are_read(text: str, code: str) -> None:
    assert code in extract_entities(text)["error_code"]
