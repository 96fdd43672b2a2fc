"""Text analysis of the knowledge base: what gets indexed, what a query looks for, and the
highlighted snippet of a hit. Pure functions (no database); :mod:`app.kb` feeds their output
to PostgreSQL's text search or SQLite's FTS5.

Why an analyser of our own: PostgreSQL ships no Korean parser and SQLite's ``unicode61``
tokenizer keeps a Korean word with its particle ("정기예금을" is one token), so a search for
"정기예금" would miss it. The analyser therefore follows the CJK bigram scheme of Lucene's
``CJKAnalyzer`` (and Elasticsearch's ``cjk_bigram`` filter):

- **documents**: each run of Hangul syllables becomes its overlapping character bigrams
  ("정기예금을" → 정기 기예 예금 금을; a one-syllable run stays as it is); every other run of
  letters and digits stays one lower-cased word, which the database then stems (PostgreSQL's
  ``english`` configuration, FTS5's ``porter`` tokenizer: "fees" and "fee" meet);
- **queries**: a Korean word first loses a trailing particle (조사: 을/를/이/가/은/는/에서/
  으로/...) when at least two syllables remain, then becomes its bigrams, all required. The
  stem's bigrams are a subset of the bigrams of the word with any particle, so
  "정기예금을" finds "정기예금", "정기예금은" and "정기예금으로". Stripping only on the query
  side never loses a match a document could give (a noun that merely ends like a particle,
  "고객불만", is indexed whole). A one-syllable query word matches as a prefix.

A query is a conjunction of its words; :func:`app.kb.search` falls back to any word when
all of them find nothing.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

#: Korean particles stripped from the end of a query word, longest first
PARTICLES: tuple[str, ...] = tuple(sorted((
    "에서는", "으로는", "에게서", "한테서", "께서는", "이라고", "에서도", "으로도", "까지는",
    "부터는", "에서", "으로", "에게", "한테", "께서", "까지", "부터", "처럼", "보다", "이나",
    "이란", "라는", "이라", "하고", "에는", "에도", "와는", "과는", "은", "는", "이", "가",
    "을", "를", "의", "에", "로", "와", "과", "도", "만", "나",
), key=len, reverse=True))
#: a stem keeps at least this many syllables after its particle is stripped
MIN_STEM_SYLLABLES = 2
#: at most this many words of a query are used (a query is bounded at the API as well)
MAX_QUERY_WORDS = 16

_HANGUL = "\uac00-\ud7a3"
_WORD = re.compile(rf"[{_HANGUL}]+|[^\W_{_HANGUL}]+")
_IS_HANGUL = re.compile(rf"[{_HANGUL}]")
#: English suffixes dropped from a query word before it is highlighted (as a prefix)
_SUFFIXES = ("ments", "ment", "ings", "ing", "ies", "ied", "es", "ed", "s")


def normalize(text: str) -> str:
    """NFKC (full-width forms, compatibility jamo) then case-folded."""
    return unicodedata.normalize("NFKC", text).casefold()


def words(text: str) -> list[str]:
    """Runs of Hangul syllables and runs of other letters or digits, normalised."""
    return _WORD.findall(normalize(text))


def is_hangul(word: str) -> bool:
    return bool(_IS_HANGUL.match(word))


def bigrams(word: str) -> list[str]:
    """Overlapping two-syllable pieces of ``word``; a one-syllable word is its own piece."""
    if len(word) < 2:
        return [word] if word else []
    return [word[i:i + 2] for i in range(len(word) - 1)]


def strip_particle(word: str) -> str:
    """``word`` without a trailing Korean particle, if at least two syllables remain."""
    for particle in PARTICLES:
        if word.endswith(particle) and len(word) - len(particle) >= MIN_STEM_SYLLABLES:
            return word[: -len(particle)]
    return word


def index_terms(text: str) -> list[str]:
    """The terms a document is indexed by: Hangul bigrams, other words whole."""
    terms: list[str] = []
    for word in words(text):
        terms.extend(bigrams(word) if is_hangul(word) else [word])
    return terms


def analyze(text: str) -> str:
    """:func:`index_terms` as one space-separated string (what the database tokenises)."""
    return " ".join(index_terms(text))


@dataclass(frozen=True, slots=True)
class QueryWord:
    """One word of a query: the ``stem`` to highlight, the ``terms`` all required in a
    document, and whether the (single) term matches as a ``prefix``."""

    stem: str
    terms: tuple[str, ...]
    prefix: bool


def query_words(query: str) -> list[QueryWord]:
    """The words of ``query`` (at most :data:`MAX_QUERY_WORDS`), analysed for searching.

    The last non-Korean word of three letters or more matches as a prefix too (search as the
    agent types: "prepay" finds "prepayment").
    """
    found = words(query)[:MAX_QUERY_WORDS]
    out: list[QueryWord] = []
    for i, word in enumerate(found):
        if is_hangul(word):
            stem = strip_particle(word)
            out.append(QueryWord(stem, tuple(bigrams(stem)), prefix=len(stem) == 1))
        else:
            last = i == len(found) - 1
            out.append(QueryWord(word, (word,), prefix=last and len(word) >= 3))
    return out


def _highlight_pattern(query: list[QueryWord]) -> re.Pattern[str] | None:
    needles: list[str] = []
    for word in query:
        if is_hangul(word.stem):
            needles.append(re.escape(word.stem))
            continue
        stem = word.stem
        for suffix in _SUFFIXES:
            if stem.endswith(suffix) and len(stem) - len(suffix) >= 3:
                stem = stem[: -len(suffix)]
                break
        needles.append(rf"\b{re.escape(stem)}\w*" if stem.isalnum() else re.escape(stem))
    if not needles:
        return None
    return re.compile("|".join(sorted(needles, key=len, reverse=True)), re.IGNORECASE)


Segment = tuple[str, bool]  # (text, is it a hit)


def highlight(text: str, query: list[QueryWord]) -> list[Segment]:
    """``text`` cut into segments, the hits of ``query`` marked (for titles)."""
    pattern = _highlight_pattern(query)
    return _segments(text, pattern) if pattern is not None else [(text, False)] if text else []


def snippet(text: str, query: list[QueryWord], width: int = 160) -> list[Segment]:
    """About ``width`` characters of ``text`` around its first hit, hits marked; the start of
    the text when nothing matches. "…" marks a cut at either end."""
    flat = " ".join(text.split())
    pattern = _highlight_pattern(query)
    first = pattern.search(flat) if pattern is not None else None
    start = 0
    if first is not None and first.start() > width // 4:
        start = first.start() - width // 4
        space = flat.rfind(" ", 0, start + 1)
        start = space + 1 if space >= 0 and start - space < 20 else start
    end = min(len(flat), start + width)
    if end < len(flat):
        space = flat.rfind(" ", start + width // 2, end)
        end = space if space > 0 else end
    piece = flat[start:end]
    segments = _segments(piece, pattern) if pattern is not None else [(piece, False)]
    if start > 0:
        segments.insert(0, ("…", False))
    if end < len(flat):
        segments.append(("…", False))
    return segments


def _segments(text: str, pattern: re.Pattern[str] | None) -> list[Segment]:
    if pattern is None:
        return [(text, False)]
    out: list[Segment] = []
    at = 0
    for hit in pattern.finditer(text):
        if hit.start() == hit.end():
            continue
        if hit.start() > at:
            out.append((text[at:hit.start()], False))
        out.append((hit.group(0), True))
        at = hit.end()
    if at < len(text):
        out.append((text[at:], False))
    return out
