"""Passwords, card numbers and IBANs never reach the database, in all six languages.

Customers write the way people write in chat: lower case, no punctuation, typos, the
secret in quotes, after a colon, at the end of a sentence, two in one message. What
support needs next to the secret (domain, address, error text, ticket, phone and order
numbers) must survive the redaction.
"""

from __future__ import annotations

import time

import pytest
from aiohttp.test_utils import TestServer
from hypothesis import given
from hypothesis import strategies as st

from chatbot.engine import EngineContext
from chatbot.redaction import REDACTED, redact
from chatbot.web import keys
from tests.fixtures import ChatClient, server_url

# (message, the secrets that must go, the words support needs that must stay)
Case = tuple[str, tuple[str, ...], tuple[str, ...]]

PASSWORDS: list[Case] = [
    # English
    (
        "my password for info@kafebar.no is Sommer2024 and outlook says 535 5.7.8 authentication failed",
        ("Sommer2024",),
        ("info@kafebar.no", "535 5.7.8 authentication failed"),
    ),
    ("pw: Hunter2! cant log into webmail on kafebar.no", ("Hunter2",), ("webmail on kafebar.no",)),
    (
        'password is "correct horse battery" but login fails',
        ("correct horse battery",),
        ("but login fails",),
    ),
    (
        "i changed my password to Sommer2024 and now thunderbird keeps asking",
        ("Sommer2024",),
        ("thunderbird keeps asking",),
    ),
    (
        "username admin password: Kafe#Bar99 for wp-admin",
        ("Kafe#Bar99",),
        ("username admin", "wp-admin"),
    ),
    ("my pasword is bluebird77 for the ftp on kafebar.no", ("bluebird77",), ("ftp on kafebar.no",)),
    ("the password for the cpanel is kafebar1", ("kafebar1",), ("cpanel",)),
    ("cant login to webmail, password is Sommer2024.", ("Sommer2024",), ("cant login to webmail",)),
    ("pwd=Xk9#mQ2z ssh to 185.12.34.56 refused", ("Xk9#mQ2z",), ("185.12.34.56 refused",)),
    ("my password is now Vinter2025 and still 535", ("Vinter2025",), ("still 535",)),
    # Norwegian Bokmål
    (
        "passordet mitt er sommer2024 og jeg får feil 550 fra post@kafebar.no",
        ("sommer2024",),
        ("feil 550", "post@kafebar.no"),
    ),
    ("passord: Fjell2024! på post@kafebar.no", ("Fjell2024",), ("post@kafebar.no",)),
    (
        "passordet til webmail er 'kaffe og kake' men det virker ikke",
        ("kaffe og kake",),
        ("webmail", "men det virker ikke"),
    ),
    ("pasordet mitt er Bergen99 hjelp", ("Bergen99",), ("hjelp",)),
    ("e-postpassordet er Sommer2024 for kafebar.no", ("Sommer2024",), ("kafebar.no",)),
    ("passordet min er hytta2023", ("hytta2023",), ()),
    # Croatian
    (
        "lozinka mi je zagreb123 a mail ana@cvjecarna.hr ne radi",
        ("zagreb123",),
        ("ana@cvjecarna.hr ne radi",),
    ),
    ("moja lozinka je Tajna2024! greška 535", ("Tajna2024",), ("greška 535",)),
    ("šifra je dalmacija77 za webmail", ("dalmacija77",), ("za webmail",)),
    (
        "sifra za mail je Jadran2024 ali ne mogu se prijaviti",
        ("Jadran2024",),
        ("ali ne mogu se prijaviti",),
    ),
    ("lozinka: „Proljeće 2024” i ne radi", ("Proljeće 2024",), ("i ne radi",)),
    (
        "promijenio sam lozinku u Ljeto2024 i sad outlook ne radi",
        ("Ljeto2024",),
        ("outlook ne radi",),
    ),
    ("s lozinkom Split2024 se ne mogu prijaviti", ("Split2024",), ("ne mogu prijaviti",)),
    # Finnish
    (
        "salasana on Kesä2024 eikä posti lähde osoitteesta matti@virtanen.fi",
        ("Kesä2024",),
        ("matti@virtanen.fi",),
    ),
    ("salasanani on mökki123", ("mökki123",), ()),
    ("salasana: Talvi2024! virhe 535", ("Talvi2024",), ("virhe 535",)),
    (
        "vaihdoin salasanaksi Kissa123 ja nyt outlook ei toimi",
        ("Kissa123",),
        ("outlook ei toimi",),
    ),
    (
        "kirjaudun salasanalla Kissa123 mutta webmail ei päästä sisään",
        ("Kissa123",),
        ("webmail ei päästä sisään",),
    ),
    ("sähköpostin salasana on 'revontuli 7'", ("revontuli 7",), ("sähköpostin",)),
    ("sähköpostisalasana on Sauna2024", ("Sauna2024",), ()),
    ("salasana sähköpostiin on Kesä2024", ("Kesä2024",), ("sähköpostiin",)),
    (
        "minun salasana on joulu2023 ja tunnus matti@virtanen.fi",
        ("joulu2023",),
        ("matti@virtanen.fi",),
    ),
    # Russian
    ("пароль от почты qwerty123 не подходит", ("qwerty123",), ("от почты", "не подходит")),
    ("мой пароль: Qwerty2024 ошибка 535", ("Qwerty2024",), ("ошибка 535",)),
    ("пароль — Лето2024, почта info@pekarnya.ru", ("Лето2024",), ("info@pekarnya.ru",)),
    ("пароль от info@pekarnya.ru — Zima2024!", ("Zima2024",), ("info@pekarnya.ru",)),
    (
        "не пускает с паролем qwerty123 на сайт pekarnya.ru",
        ("qwerty123",),
        ("не пускает", "pekarnya.ru"),
    ),
    ("вот пароль: «Весна 2024»", ("Весна 2024",), ("вот",)),
    ("пароль был Osen2023 теперь не работает", ("Osen2023",), ("не работает",)),
    ("пороль от почты qwerty123", ("qwerty123",), ()),
    ("пароль это Zima2025 для pekarnya.ru", ("Zima2025",), ("pekarnya.ru",)),
    # Hungarian
    ("a jelszavam Alma1234 és nem tudok belépni", ("Alma1234",), ("nem tudok belépni",)),
    ("jelszó: Tavasz2024 a pista@kisbolt.hu fiókhoz", ("Tavasz2024",), ("pista@kisbolt.hu",)),
    ("a jelszavam: alma1234", ("alma1234",), ()),
    ("jelszóval Tavasz2024 nem enged be a webmail", ("Tavasz2024",), ("nem enged be",)),
    ("az email jelszava Nyar2024! volt", ("Nyar2024",), ("az email",)),
    ("a jelszó 'kiskutya 12'", ("kiskutya 12",), ()),
    ("a jelszavamat Dio2024-re változtattam", ("Dio2024",), ("változtattam",)),
    ("jelszo: Korte99", ("Korte99",), ()),
]

CARDS: list[Case] = [
    ("kortnummer 4111 1111 1111 1111 utløper 12/26", ("4111 1111 1111 1111",), ("12/26",)),
    (
        "my card is 5555-5555-5555-4444 and the invoice failed",
        ("5555-5555-5555-4444",),
        ("invoice failed",),
    ),
    ("card 4242424242424242 was charged twice", ("4242424242424242",), ("charged twice",)),
    ("broj kartice 5105 1051 0510 5100 ne prolazi", ("5105 1051 0510 5100",), ("ne prolazi",)),
    ("korttinumero 2223 0031 2200 3222", ("2223 0031 2200 3222",), ("korttinumero",)),
    ("карта 4012888888881881 не проходит", ("4012888888881881",), ("не проходит",)),
    ("amex 3782 822463 10005 declined", ("3782 822463 10005",), ("declined",)),
    ("kártyaszám: 4000 0566 5566 5556", ("4000 0566 5566 5556",), ()),
]

IBANS: list[Case] = [
    ("kontoen min er NO93 8601 1117 947 takk", ("8601 1117 947",), ("kontoen min er", "takk")),
    ("refunder til NO9386011117947", ("NO9386011117947",), ("refunder til",)),
    ("moj IBAN je HR12 1001 0051 8630 0016 0", ("1001 0051 8630 0016 0",), ("moj IBAN je",)),
    ("tilinumero FI21 1234 5600 0007 85 kiitos", ("1234 5600 0007 85",), ("kiitos",)),
    ("HU42 1177 3016 1111 1018 0000 0000 ok", ("1177 3016 1111 1018",), (" ok",)),
    ("bank GB29 NWBK 6016 1331 9268 19 please refund", ("NWBK 6016",), ("please refund",)),
    ("DE89370400440532013000 für die Rückzahlung", ("DE89370400440532013000",), ("Rückzahlung",)),
    ("iban no93 8601 1117 947", ("8601 1117 947",), ("iban",)),
    ("gb29nwbk60161331926819", ("nwbk6016",), ()),
]

TWO_SECRETS: list[Case] = [
    (
        "hei passordet for post@kafebar.no er Fjell2024 og kortnummer 4111 1111 1111 1111",
        ("Fjell2024", "4111 1111 1111 1111"),
        ("post@kafebar.no", "kortnummer"),
    ),
    (
        "password: Sommer2024 and pw for ftp: Vinter2025",
        ("Sommer2024", "Vinter2025"),
        ("ftp",),
    ),
    (
        "lozinka je Tajna2024 a IBAN HR12 1001 0051 8630 0016 0",
        ("Tajna2024", "1001 0051 8630"),
        ("IBAN",),
    ),
]


@pytest.mark.parametrize(("message", "secrets", "kept"), PASSWORDS + CARDS + IBANS + TWO_SECRETS)
def test_a_secret_is_redacted_and_what_support_needs_stays(
    message: str, secrets: tuple[str, ...], kept: tuple[str, ...]
) -> None:
    text, changed = redact(message)
    assert changed
    assert REDACTED in text
    for secret in secrets:
        assert secret not in text, text
    for words in kept:
        assert words in text, text


# What an outside review saw leak, and the other ways customers write a password. Each is
# (message, secret): only the secret may change, every other character stays as written.
PHRASINGS: dict[str, list[tuple[str, str]]] = {
    "en": [
        ("my pass is Sommer2024", "Sommer2024"),
        ("my password's Sommer2024", "Sommer2024"),
        ("I use Sommer2024 as my password", "Sommer2024"),
        ("Sommer2024 is my password for the webmail", "Sommer2024"),
        ("my pw is hunter22", "hunter22"),
        ("PIN: 4821", "4821"),
        ("my pin is 4821 but the card is blocked", "4821"),
        ("the login code is 482913", "482913"),
        ("my password was changed to Vinter2025 yesterday", "Vinter2025"),
        ("I reset my password, the new one is Vinter2025", "Vinter2025"),
        ("password = Xk9#mQ2z", "Xk9#mQ2z"),
        ("passcode 739201", "739201"),
        ("my email password is bluebird77", "bluebird77"),
        ("please set the password to Kaffe&Kake", "Kaffe&Kake"),
        ("my password is sunshine", "sunshine"),
        ("Password:\nSommer2024\nthanks", "Sommer2024"),
        ("access code: 5512", "5512"),
        ("the ftp password should be Ftp!2024 I think", "Ftp!2024"),
        ("my password is sunshine and I can't log in", "sunshine"),
        ("user info@kafebar.no pass Sommer2024", "Sommer2024"),
        ("mypassword is Sommer2024", "Sommer2024"),
        ("my passw: Sommer2024", "Sommer2024"),
        ("card 4111 1111 1111 1112 cvc 737", "737"),
    ],
    "nb": [
        ("Passordet har jeg endret til Fjell2024", "Fjell2024"),
        ("passordet mitt er Fjell2024", "Fjell2024"),
        ("nytt passord er Fjell2024", "Fjell2024"),
        ("passord: Fjell2024", "Fjell2024"),
        ("jeg har byttet passord til Fjell2024", "Fjell2024"),
        ("Fjell2024 er passordet mitt", "Fjell2024"),
        ("jeg bruker Fjell2024 som passord", "Fjell2024"),
        ("passordet er endret til Fjell2024", "Fjell2024"),
        ("pin-koden er 4821", "4821"),
        ("passordet til e-posten er fjellheim", "fjellheim"),
        ("passordet er nå Fjell2024", "Fjell2024"),
        ("passordet på webmail er Fjell2024", "Fjell2024"),
        ("pw er Fjell2024", "Fjell2024"),
        ("engangskoden er 839201", "839201"),
        ("passordet mitt er fjellheim og det virker ikke", "fjellheim"),
    ],
    "hr": [
        ("zaporka je Tajna2024", "Tajna2024"),
        ("lozinka mi je Tajna2024", "Tajna2024"),
        ("moja lozinka je tajnica", "tajnica"),
        ("sifra: Tajna2024", "Tajna2024"),
        ("nova lozinka je Tajna2024", "Tajna2024"),
        ("lozinka glasi Tajna2024", "Tajna2024"),
        ("Tajna2024 je moja lozinka", "Tajna2024"),
        ("koristim Tajna2024 kao lozinku", "Tajna2024"),
        ("promijenila sam lozinku u Tajna2024", "Tajna2024"),
        ("lozinka je promijenjena u Tajna2024", "Tajna2024"),
        ("pin je 4821", "4821"),
        ("PIN kod: 4821", "4821"),
        ("lozinka za webmail je sada Tajna2024", "Tajna2024"),
        ("zaporku sam promijenio na Tajna2024", "Tajna2024"),
        ("lozinka mi je tajnica i ne radi", "tajnica"),
    ],
    "fi": [
        ("tunnussana on Kesä2024", "Kesä2024"),
        ("salis on Kesä2024", "Kesä2024"),
        ("salasana on Kesä2024", "Kesä2024"),
        ("salasanani on kesäkuu", "kesäkuu"),
        ("uusi salasana on Kesä2024", "Kesä2024"),
        ("salasana: Kesä2024", "Kesä2024"),
        ("Kesä2024 on salasanani", "Kesä2024"),
        ("käytän salasanana Kesä2024", "Kesä2024"),
        ("salasana on nyt Kesä2024", "Kesä2024"),
        ("pin-koodi on 4821", "4821"),
        ("tunnusluku 4821", "4821"),
        ("passu on Kesä2024", "Kesä2024"),
        ("vaihdoin salasanan, uusi on Kesä2024", "Kesä2024"),
        ("sähköpostin salasana on nyt lumihiutale", "lumihiutale"),
        ("salasana on lumihiutale mutta posti ei toimi", "lumihiutale"),
    ],
    "ru": [
        ("parol: Qwerty2024", "Qwerty2024"),
        ("пасс: Qwerty2024", "Qwerty2024"),
        ("код доступа: 482913", "482913"),
        ("пароль Qwerty2024", "Qwerty2024"),
        ("мой пароль Qwerty2024", "Qwerty2024"),
        ("пароль от почты Qwerty2024", "Qwerty2024"),
        ("новый пароль: Qwerty2024", "Qwerty2024"),
        ("пароль теперь Qwerty2024", "Qwerty2024"),
        ("поменял пароль на Qwerty2024", "Qwerty2024"),
        ("пароль поменял на Qwerty2024", "Qwerty2024"),
        ("Qwerty2024 — мой пароль", "Qwerty2024"),
        ("Qwerty2024 это мой пароль", "Qwerty2024"),
        ("пин-код 4821", "4821"),
        ("пароль такой: Qwerty2024", "Qwerty2024"),
        ("пароль от почты — солнышко", "солнышко"),
        ("пароль: солнышко, но не пускает", "солнышко"),
    ],
    "hu": [
        ("a jelszó pedig Alma1234", "Alma1234"),
        ("belépési kód: 482913", "482913"),
        ("a jelszavam Alma1234", "Alma1234"),
        ("jelszó: Alma1234", "Alma1234"),
        ("az új jelszó Alma1234", "Alma1234"),
        ("a jelszavam most Alma1234", "Alma1234"),
        ("Alma1234 a jelszavam", "Alma1234"),
        ("Alma1234-et használom jelszóként", "Alma1234-et"),
        ("a jelszó: napsugár", "napsugár"),
        ("a pin kód 4821", "4821"),
        ("a jelszót Alma1234-re változtattam", "Alma1234-re"),
        ("a gmail jelszavam Alma1234", "Alma1234"),
        ("jelszavam = Alma1234", "Alma1234"),
        ("az email jelszava Alma1234 volt", "Alma1234"),
        ("a jelszó: napsugár, de nem enged be", "napsugár"),
    ],
    # The word for a password spelled with look-alikes, invisible or wide characters.
    "look-alikes": [
        ("pass\u00adword: Hunter22", "Hunter22"),
        ("pass\u200bword is Hunter22", "Hunter22"),
        ("ｐａｓｓｗｏｒｄ: Hunter22", "Hunter22"),
        ("раssword: Hunter22", "Hunter22"),
        ("p@ssword: Hunter22", "Hunter22"),
        ("passw0rd: Hunter22", "Hunter22"),
        ("pa$$word is Hunter22", "Hunter22"),
        ("пaроль: Qwerty2024", "Qwerty2024"),
        ("lozіnka je Tajna2024", "Tajna2024"),
        ("ＰＩＮ: ４８２１", "４８２１"),
        ("password: Ｈｕｎｔｅｒ２２ ok", "Ｈｕｎｔｅｒ２２"),
        ("password: Hun\u00adter22 ok", "Hun\u00adter22"),
        ("ja\u0301 jelszo\u0301: Alma1234", "Alma1234"),
    ],
    # Cards and IBANs the way they are pasted from a bank app or a PDF.
    "numbers": [
        ("kortet mitt 4111.1111.1111.1111 ble belastet", "4111.1111.1111.1111"),
        ("card 4111 1111\n1111 1111 thanks", "4111 1111\n1111 1111"),
        ("karta 5555 5555 5555\n4444", "5555 5555 5555\n4444"),
        ("order 1234 4111 1111 1111 1111 paid", "4111 1111 1111 1111"),
        ("konto NO93-8601-1117-947 takk", "NO93-8601-1117-947"),
        ("IBAN DE89-3704-0044-0532-0130-00 bitte", "DE89-3704-0044-0532-0130-00"),
    ],
}


@pytest.mark.parametrize(
    ("message", "secret"),
    [case for cases in PHRASINGS.values() for case in cases],
)
def test_a_password_the_way_customers_write_it_is_redacted_and_nothing_else(
    message: str, secret: str
) -> None:
    assert message.count(secret) == 1
    assert redact(message) == (message.replace(secret, REDACTED), True)


# Talking about a password, a code or a number is not sending one.
MUST_KEEP = [
    "I forgot my password",
    "how do I change my password?",
    "the password reset mail never arrives",
    "my password is not accepted",
    "the password is wrong",
    "my password's expired",
    "my password is too short",
    "my password is not working since yesterday",
    "my password was changed but outlook still asks",
    "my password is on a sticky note",
    "my PIN is blocked",
    "the login code never arrives",
    "Passordet fungerer ikke",
    "passordet er utløpt",
    "passordet mitt er for kort",
    "koden kommer ikke",
    "zaboravio sam lozinku",
    "lozinka mi je istekla",
    "šifra ne radi",
    "PIN kod je pogrešan",
    "salasana ei kelpaa",
    "salasanani on vanhentunut",
    "salasana on liian lyhyt",
    "pin-koodi ei toimi",
    "не могу сбросить пароль",
    "пароль не подходит",
    "мой пароль устарел",
    "код доступа не приходит",
    "elfelejtettem a jelszavam",
    "a jelszavam nem jó",
    "a jelszó lejárt",
    "belépési kód nem jön",
    "ticket HS-104233, domain kafebar.no, server 185.12.34.56",
    "550 5.7.1 relay access denied, see ticket HS-104233",
    "ring meg på 412 34 567",
    "order 1234 5678 9012 3456 was charged twice",
    "order 4111.1111.1111.1112",
    "konto NO93-8601-1117-948",
    "the password for kafebar.no is the same as before",
    # from the help centre and the intent examples, wrongly redacted before
    "forgot root password on my vps",
    "changed the password on my mailbox and now my phone keeps asking for it",
    "webmail login fails but the password is definitely right",
    "Access denied for user 'shop_user'@'localhost' (using password: YES)",
    "the mailbox was blocked after the password was stolen.",
    "the password is different from the panel password and I use a password manager",
    "passordet ble stjålet",
    "zaboravila sam lozinku za Instagram, kako je resetirati",
    "promijenio sam lozinku u Hubu, ali mobitel i dalje traži staru",
    "en pääse webmailiin vaikka salasana on oikein",
    "Uusi salasana on voimassa heti.",
    "пароль от панели и пароль от почтового ящика — разные пароли",
    "пароль был украден",
    "**Elfelejtette a jelszavát?**",
    "a jelszó pedig a postafiók jelszava",
]


@pytest.mark.parametrize("message", MUST_KEEP)
def test_talking_about_a_password_keeps_the_message_as_it_is(message: str) -> None:
    assert redact(message) == (message, False)


NOT_SECRETS = [
    # numbers support needs
    "ticket HS-104233 is still open",
    "ring meg på +47 412 34 567 etter klokka 16",
    "nazovite me na 091 234 5678",
    "server 185.12.34.56 does not answer, my ip is 192.168.1.10",
    "since 2024-03-15 no mail arrives",
    "od 15.03.2024. ne stižu mailovi",
    "550 5.7.1 relay access denied",
    "order 12345678 was paid twice",
    "customer number 1234567890",
    "kundenummer 123456 og ordre 9876543",
    "card 4111 1111 1111 1112 declined",
    "4111111111111112",
    "GB00 NWBK 6016 1331 9268 19",
    # talking about a password is not sending one
    "I forgot my password",
    "how do I change my password",
    "password reset doesn't work",
    "wrong password 535 5.7.8 authentication failed",
    "my password is wrong",
    "my password is not accepted on kafebar.no",
    "my password is too short according to the form",
    "password for info@kafebar.no doesn't work",
    "password for kafe24.no doesnt work",
    "the password manager is broken",
    "password reset is done",
    "password reset link is https://kafebar.no/reset?token=abc123",
    "the password to my account kafebar_ftp1 is not working",
    "jelszó csere volt tegnap",
    "lozinka ne radi",
    "lozinka je pogrešna",
    "zaboravio sam lozinku za ana@cvjecarna.hr",
    "šifra greške je 0x800CCC0E",
    "šifrirana veza je isključena",
    "salasana ei toimi",
    "salasana on väärä",
    "salasanan vaihto ei onnistu",
    "salasananvaihto on rikki",
    "не могу сменить пароль",
    "пароль неверный",
    "пароль для входа не подходит",
    "elfelejtettem a jelszavam",
    "a jelszó rossz",
    "jelszó csere nem működik",
    "passordet fungerer ikke",
    "passordet er feil",
    "glemt passordet til post@kafebar.no",
    "passordet til post@kafebar.no fungerer ikke",
    # addresses
    "kafebar.no",
    "info@kafebar.no",
    "https://kafebar.no/wp-admin/password-reset gives 404",
    "https://pekarnya.ru/login?lang=ru",
]


@pytest.mark.parametrize("message", NOT_SECRETS)
def test_what_only_looks_like_a_secret_is_kept(message: str) -> None:
    assert redact(message) == (message, False)


@pytest.mark.parametrize(
    "message",
    [
        "1234 " * 800,
        "4 1 1 1 " * 500,
        "9" * 4000,
        "password " * 500,
        "password: " * 400,
        "пароль от почты " * 250,
        "lozinka mi je za " * 235,
        "NO93 " * 800,
        "a" * 4000,
        "password " + "x@" * 2000,
        "password for " + "kafebar." * 500,
        "pass\u00ad" * 800,
        "ｐａｓｓｗｏｒｄ " * 400,
        "Sommer2024 er " * 300,
        "a jelszó " * 440,
        "salasanaksi " * 330,
        "4111\n" * 800,
        "1234." * 800,
        "NO93-" * 800,
        "password is " + "'x " * 1300,
    ],
)
def test_a_long_message_is_redacted_fast(message: str) -> None:
    started = time.perf_counter()
    redact(message)
    assert time.perf_counter() - started < 0.5


@given(st.text(max_size=300))
def test_redacting_twice_changes_nothing_more(text: str) -> None:
    once, _ = redact(text)
    assert redact(once) == (once, False)


ONE_PER_LANGUAGE = {
    "en": (
        "hi, my password for info@kafebar.no is Sommer2024 and webmail says 535",
        ("Sommer2024",),
    ),
    "nb": (
        "hei, passordet mitt er Fjell2024 og kortet er 4111 1111 1111 1111, e-posten virker ikke",
        ("Fjell2024", "4111 1111 1111 1111"),
    ),
    "hr": ("ne mogu se prijaviti u webmail, lozinka mi je Zagreb123", ("Zagreb123",)),
    "fi": ("en pääse sähköpostiin vaikka salasanani on Kesä2024", ("Kesä2024",)),
    "ru": ("не могу зайти в почту, мой пароль: Qwerty2024", ("Qwerty2024",)),
    "hu": (
        "nem tudok belépni a levelezésbe, a jelszavam Alma1234, számlaszám HU42 1177 3016 1111 1018 0000 0000",
        ("Alma1234", "1177 3016 1111 1018"),
    ),
}


@pytest.mark.parametrize("lang", list(ONE_PER_LANGUAGE))
async def test_a_customer_who_sends_a_password_is_warned_and_it_is_never_stored(
    chat_server: TestServer, engine: EngineContext, lang: str
) -> None:
    message, secrets = ONE_PER_LANGUAGE[lang]
    client = ChatClient(server_url(chat_server))
    await client.connect(locale=lang)
    replies = await client.say(message)
    warning = engine.phrases.say(lang, "redacted_warning")
    assert warning in [reply["text"] for reply in replies]
    history = (await client.call("history", {"after": 0}))["messages"]
    [sent] = [m for m in history if m["from"] == "customer"]
    assert REDACTED in sent["text"] and sent["redacted"] is True
    assert client.session is not None
    stored = await chat_server.app[keys.STORE].messages_after(
        client.session["conversation_id"], 0, 100
    )
    seen = [m.text for m in stored] + [m["text"] for m in history + client.received]
    for secret in secrets:
        assert all(secret not in text for text in seen)
