"""Secrets customers should never send: passwords, card numbers, IBANs.

Replaced by ``[redacted]`` before anything is stored. How each of the six languages writes
a password ("passordet mitt er ...", "a jelszó pedig ...", "x — мой пароль") is data, in
``data/redaction/<lang>.yml``, so support can add a phrasing that leaked without touching
Python. What support needs sits right next to the secret (the domain, the address, the
error, ticket, phone and order numbers), so every guess is checked: cards by Luhn, IBANs by
their mod-97 checksum, passwords by the words around them.

Customers write with look-alikes: a soft hyphen inside "pass\u00adword", fullwidth letters,
a Cyrillic "р" in "раssword", "p@ssw0rd". Matching runs on a copy without invisible
characters and folded by NFKC; the words for a password are found in a further copy where
every look-alike, leet digit and accent is one letter, by plain search. Only the secret's
own characters change in the original. No pattern nests unbounded repeats, and the costly
patterns run only where a word for a password was found, so every message stays fast.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import yaml

from chatbot.account_numbers import cards, ibans
from chatbot.settings import CONTENT_DIR, LANGUAGES

__all__ = ["REDACTED", "redact"]

REDACTED = "[redacted]"

Span = tuple[int, int]

# Characters a customer cannot see; they would hide "pass\u00adword" from the search.
_INVISIBLE = re.compile(
    "[\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180b-\u180f\u200b-\u200f"
    "\u202a-\u202e\u2060-\u206f\u3164\ufe00-\ufe0f\ufeff\uffa0]"
)
# Everything that passes for a letter in a word for a password, by the letter it passes
# for: Cyrillic and Greek look-alikes, leet digits and symbols. "l" and "1" read as "i".
_ALIKE = {
    "a": "а@4α", "b": "в", "c": "сϲ", "d": "ԁđ", "e": "е3εё", "g": "ɡ", "h": "һн",
    "i": "і1!ι|ӏlł", "j": "ј", "k": "кκ", "m": "м", "n": "η", "o": "о0οσø", "p": "рρ",
    "s": "ѕ$5", "t": "т", "u": "υ", "v": "ν", "w": "ԝω", "x": "хχ", "y": "уγ",
}  # fmt: skip
# Letters customers type without their mark that Unicode does not decompose.
_UNMARKED = {"ø": "o", "đ": "d", "ł": "l"}


def _fold_table() -> dict[int, str]:
    alike = {ch: letter for letter, chars in _ALIKE.items() for ch in chars}
    table = {ord(ch): letter for ch, letter in alike.items()}
    for code in [*range(0xC0, 0x250), *range(0x400, 0x460)]:
        base = unicodedata.normalize("NFD", chr(code))[0].lower()
        if base != chr(code).lower() and base.isalpha():
            table.setdefault(code, alike.get(base, base))
    return table


_FOLD = _fold_table()


def _skeleton(text: str) -> str:
    """``text`` lower-cased with look-alikes folded; as long as ``text``, index for index."""
    low = text.lower()
    if len(low) != len(text):
        low = "".join(ch.lower()[0] for ch in text)
    return low.translate(_FOLD)


# A quoted secret may hold spaces: "passordet er 'kaffe og kake'".
_QUOTED = r"""["'«„“”‘’][^"'«»„“”‘’\n]{1,100}["'»“”‘’](?!\w)"""
# Sentence punctuation right after a secret stays: "... er Sommer2024." keeps its full stop.
_TOKEN = r"(?=\S*?[^\W_])\S*[^\s.,;:)?]"
# What support needs is never a password: addresses, domains, tickets (HS-104233), codes.
_ADDRESS = r"""(?:
    \S*@[\w-]+\.\w | \w+:// | (?:[\w-]+\.)+[^\W\d_]{2,}(?!\w|\.\w)
  | [^\W\d_]{1,4}-\d+\b | 0x[0-9a-f]+\b
)"""
# A digit, or a symbol inside the word ("Kafe#Bar", "p@ss"); markdown "**bold**" is none.
_SIGN = r"(?=\S*\d|\S*\w[#$%&*+=~^@!?]+\w)"
# A capital after a small letter: "SunShine" is a password, "Sunshine" may be a word.
_MIXED = r"(?=\S*?(?-i:[^\W\d_A-ZÀ-ÞА-ЯЁ][A-ZÀ-ÞА-ЯЁ]))"
# The end of the message, a line or a sentence: "my password is sunshine."
_END = r"(?=\s*$|[^\S\n]*\n|[.!?]+(?:\s|$))"
# Without a linking word only what looks like a password is one: letters with a digit or a
# symbol ("qwerty123", "p@ss"), five characters or more.
_LOOKS_LIKE_ONE = rf"(?=\S*[^\W\d_]){_SIGN}(?!{_ADDRESS}|\S*\[redacted\])(?=\S{{5}})(?>{_TOKEN})"
# After a PIN, CVC or login code a bare number is one: "pin 4821", "cvc 123".
_DIGITS = r"\d{3,8}(?![\w-])(?!\.\d)"
# A word between "password" and "is": "password for the ftp is x"; never a sentence's end.
_GAP = r"\s+(?!\[redacted\])[^\s:=]*[^\s:=.,!?;]"


def _atoms(entry: str, fold: bool) -> list[str]:
    """One line of a data file as pattern pieces; the files' headers say how to write them.
    With ``fold`` the pattern is for the skeleton, else accents may be left out."""
    text = " ".join(entry.split())
    text = text[1:] if fold and text.startswith("*") else text
    out: list[str] = []
    for i, ch in enumerate(text):
        if ch == "*":
            out.append(r"\w*")
        elif ch == " ":
            out.append(r"\s+")
        elif (
            ch == "-" and 0 < i < len(text) - 1 and text[i - 1].isalpha() and text[i + 1].isalpha()
        ):
            out.append(r"[-\s]?")
        elif ch in "'’":
            out.append("['’]")
        elif fold:
            out.append(re.escape(_skeleton(ch)))
        else:
            low = ch.lower()
            plain = {low, unicodedata.normalize("NFD", low)[0], _UNMARKED.get(low, low)}
            out.append(re.escape(low) if len(plain) == 1 else f"[{''.join(sorted(plain))}]")
    return out


def _any_of(entries: list[str], fold: bool = False) -> str:
    """The entries as one trie-shaped alternation ("pass(?:word|wd)"): ``re`` tries the
    alternatives one by one, so shared beginnings are tried once. Never matches if empty."""
    trie: dict[str, Any] = {}
    for entry in entries:
        node = trie
        for atom in _atoms(entry, fold):
            node = node.setdefault(atom, {})
        node[""] = {}

    def pattern(node: dict[str, Any]) -> str:
        branches = [atom + pattern(child) for atom, child in sorted(node.items()) if atom]
        if not branches:
            return ""
        if len(branches) == 1 and "" not in node:
            return branches[0]
        return "(?:" + "|".join(branches) + ")" + ("?" if "" in node else "")

    return pattern(trie) if trie else "(?!)"


_KINDS = ("passwords", "codes", "everyday", "as_password")


@dataclass(frozen=True, slots=True)
class _Language:
    """One language's ways of writing a password, compiled."""

    words: re.Pattern[str]  # on the skeleton; the group that matched names the kind of word
    after: dict[str, re.Pattern[str]]  # by kind: the password right after the word
    before: re.Pattern[str]  # the password right before the word
    ends: frozenset[str]  # what that pattern's words end with ("is my" -> "my"), folded
    new_one: re.Pattern[str]  # "..., the new one is x" once a password was mentioned


def _compile(data: dict[str, Any]) -> _Language:
    def words_of(key: str) -> list[str]:
        values = data.get(key) or []
        if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
            lang = data.get("lang")
            raise ValueError(f"data/redaction/{lang}.yml: {key} must be a list of words")
        return values

    def words(key: str) -> str:
        return _any_of(words_of(key))

    names = (f"s{n}" for n in range(100))  # the secret is the last group a match closes

    def linked(plain_words: bool = True) -> str:
        """After "is" or ":" anything but a description; plain words only at a clause end.
        Never plain after "changed to": Croatian "u" and Norwegian "til" also mean "in"."""
        stop = rf"(?:{words('not_a_secret')}|{words('fillers')})(?!\w)"
        then = rf"(?=,?\s+{words('conjunctions')}(?!\w))"  # "sunshine and I can't log in"
        plain = rf"|(?>{_TOKEN})(?:{_END}|{then})" if plain_words else ""
        token = rf"(?:{_SIGN}|{_MIXED})(?>{_TOKEN}){plain}"
        return rf"(?P<{next(names)}>{_QUOTED}|(?!{stop}|\S*\[redacted\]|{_ADDRESS})(?:{token}))"

    def likely(extra: str = "", quoted: bool = True) -> str:
        verb = rf"(?!\s+{words('links')}(?!\w))"
        quote = f"{_QUOTED}|" if quoted else ""
        return rf"(?P<{next(names)}>{quote}{_LOOKS_LIKE_ONE}{verb}{extra})"

    spoken = [e for e in words_of("links") if not e.startswith("'")]
    glued = [e for e in words_of("links") if e.startswith("'")]
    link = rf"""(?:\s*[:=] | \s*[–—] | \s+-(?=\s) | {_any_of(glued)}(?!\w)
                 | \s+{_any_of(spoken)}(?!\w)(?:\s*[:=])?)"""
    changed = rf"\s+{words('changed_to')}(?!\w)"
    filler = rf"(?:\s+{words('fillers')}(?!\w))?"
    owner = rf"(?:\s+{words('owners')}(?!\w))?"
    # "for info@kafebar.no", "til webmail": one word before a weak secret, three before a
    # likely one ("password for the ftp account x7Gq2z").
    whose = rf"(?:\s+{words('whose')}(?!\w)(?:{_GAP})?)?"
    whose_long = rf"(?:\s+{words('whose')}(?!\w)(?:{_GAP}){{0,3}}?)?"

    def tail(extra: str = "") -> str:
        return rf"""(?:
            {owner}{whose}{owner}{link}{filler}\s*{linked()}
          | {owner}{whose}{owner}{changed}{filler}\s*{linked(plain_words=False)}
          | {owner}{whose}{owner}{filler}\s+{likely(extra)}
          | {owner}{whose_long}{owner} (?:
                {filler}\s+{likely(extra, quoted=False)}
              | (?:{_GAP}){{1,3}}? (?:
                    {link}{filler}\s*{likely(extra, quoted=False)}
                  | {changed}{filler}\s*{linked(plain_words=False)})
            )
        )"""

    flags = re.IGNORECASE | re.VERBOSE
    after = {
        "passwords": tail(),
        "codes": tail(f"|{_DIGITS}"),
        "everyday": rf"{owner}(?:{link}{filler}\s*{linked()} | \s+{likely()})",
        "as_password": rf"{filler}\s+{linked()}",
    }
    secret = rf"(?P<secret>{_QUOTED}|{_LOOKS_LIKE_ONE})"
    before = rf"(?<!\S){secret}\s+(?P<link>{words('before')}(?:\s+{words('new')})?\s+)?\Z"
    # A word that ends a compound ("*passordet") may start inside one: "e-postpassordet".
    # Where the others start is checked after the search: a lookbehind in every
    # alternative would make the search ten times slower.
    groups = {  # compounds first: "mypassword" is one even though "password" is listed too
        f"{kind}{inside}": [e for e in words_of(kind) if e.startswith("*") == bool(inside)]
        for inside in ("_inside", "")
        for kind in _KINDS
    }
    # No group for an empty list: one "never" alternative would slow the search too.
    kinds = "|".join(rf"(?P<{name}>{_any_of(es, True)})" for name, es in groups.items() if es)
    return _Language(
        words=re.compile(rf"(?:{kinds})(?!\w)"),
        after={kind: re.compile(pattern, flags) for kind, pattern in after.items()},
        before=re.compile(before, flags),
        ends=frozenset(_skeleton(e.split()[-1]) for e in words_of("before") + words_of("new")),
        new_one=re.compile(rf"(?<!\w){words('new_one')}(?!\w){link}{filler}\s*{linked()}", flags),
    )


class _WordsLoader(yaml.SafeLoader):
    """YAML that keeps "no", "on" and "yes" words: Croatian "no" (but), Finnish "on" (is)."""


_WordsLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if not tag.endswith(":bool")]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def _load() -> tuple[tuple[_Language, ...], re.Pattern[str]]:
    """Each language's patterns, and every language's words at once for a quick search."""
    files = [CONTENT_DIR / "redaction" / f"{lang}.yml" for lang in LANGUAGES]
    data = [yaml.load(path.read_text(encoding="utf-8"), _WordsLoader) or {} for path in files]
    languages = tuple(_compile(one) for one in data)
    words = [str(entry) for one in data for kind in _KINDS for entry in one.get(kind) or []]
    return languages, re.compile(_any_of(words, fold=True))


_LANGUAGES, _ANY_WORD = _load()


# A run of non-ASCII characters and the letter before it, which a combining mark may join.
_NON_ASCII = re.compile(r"[\x00-\x7f]?[^\x00-\x7f]+")


def _for_matching(text: str) -> tuple[str, list[int], list[int]] | None:
    """The text to search: invisible characters gone, NFKC; and where each character came
    from (start and end in ``text``). None when it is ``text`` itself, as almost always."""
    if text.isascii() or (unicodedata.is_normalized("NFKC", text) and not _INVISIBLE.search(text)):
        return None
    parts: list[str] = []
    starts: list[int] = []
    ends: list[int] = []

    def keep(piece: str, start: int) -> None:
        parts.append(piece)
        starts.extend(range(start, start + len(piece)))
        ends.extend(range(start + 1, start + len(piece) + 1))

    done = 0
    for run in _NON_ASCII.finditer(text):
        keep(text[done : run.start()], done)
        done = run.end()
        folded = unicodedata.normalize("NFKC", run.group())
        if len(folded) == len(run.group()) and not _INVISIBLE.search(folded):
            keep(folded, run.start())  # wide letters: one for one
            continue
        i = run.start()
        while i < run.end():
            # A letter with its combining marks folds as one ("o" + acute -> "ó").
            j = i + 1
            while j < run.end() and unicodedata.combining(text[j]):
                j += 1
            folded = unicodedata.normalize("NFKC", _INVISIBLE.sub("", text[i:j]))
            parts.append(folded)
            starts.extend([i] * len(folded))
            ends.extend([j] * len(folded))
            i = j
    keep(text[done:], done)
    return "".join(parts), starts, ends


def _word_before(text: str, start: int) -> str:
    """The word right before ``start``, looked for by hand: a search would scan far back."""
    end = start
    while end > 0 and text[end - 1].isspace():
        end -= 1
    begin = end
    while begin > 0 and end - begin < 40 and not text[begin - 1].isspace():
        begin -= 1
    return text[begin:end]


_WORD_CHAR = re.compile(r"\w")


def _words(skeleton: str, starts: list[int], language: _Language) -> Iterator[re.Match[str]]:
    """The language's words for a password among those found, by kind (the last group)."""
    for start in starts:
        word = language.words.match(skeleton, start)
        if word is None:
            continue
        inside = start > 0 and _WORD_CHAR.match(skeleton, start - 1) is not None
        if not inside or (word.lastgroup or "").endswith("_inside"):
            yield word


def _passwords(text: str) -> Iterator[Span]:
    skeleton = _skeleton(text)
    starts = [found.start() for found in _ANY_WORD.finditer(skeleton)]
    for language in _LANGUAGES if starts else ():
        first = None
        for word in _words(skeleton, starts, language):
            first = first or word
            kind = (word.lastgroup or "").removesuffix("_inside")
            after = language.after[kind].match(text, word.end())
            if after is not None:
                yield after.span(after.lastgroup or 0)
            if kind == "as_password" or _word_before(skeleton, word.start()) in language.ends:
                before = language.before.search(text, max(0, word.start() - 160), word.start())
                if before is not None and (before.group("link") or kind == "as_password"):
                    yield before.span("secret")
        if first is not None:
            for match in language.new_one.finditer(text, first.end()):
                yield match.span(match.lastgroup or 0)


def _merged(spans: list[Span]) -> list[Span]:
    merged: list[Span] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


def redact(text: str) -> tuple[str, bool]:
    """``text`` with secrets replaced, and whether anything was replaced."""
    folded = _for_matching(text)
    search = text if folded is None else folded[0]
    spans = _merged([*ibans(search), *cards(search), *_passwords(search)])
    if folded is not None:
        _, starts, ends = folded
        spans = [(starts[start], ends[end - 1]) for start, end in spans]
    out: list[str] = []
    last = 0
    for start, end in spans:
        out.append(text[last:start] + REDACTED)
        last = end
    out.append(text[last:])
    return "".join(out), bool(spans)
