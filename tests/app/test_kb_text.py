"""The knowledge base's text analysis (app/kb_text.py): Korean bigrams, particles stripped
from query words only, English words whole, snippets with hits marked; and the query texts
app/kb.py gives PostgreSQL and FTS5."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from app.kb import fts5_query, pg_tsquery
from app.kb_text import (
    MAX_QUERY_WORDS,
    analyze,
    bigrams,
    highlight,
    index_terms,
    query_words,
    snippet,
    strip_particle,
    words,
)


def test_words_split_hangul_from_latin_and_fold_case() -> None:
    assert words("KB카드를 ＡＢＣ 3개월, Fees!") == ["kb", "카드를", "abc", "3", "개월", "fees"]


def test_documents_are_indexed_by_hangul_bigrams_and_whole_words() -> None:
    assert bigrams("정기예금을") == ["정기", "기예", "예금", "금을"]
    assert bigrams("돈") == ["돈"] and bigrams("") == []
    assert index_terms("정기예금을 Prepayment fees") == [
        "정기", "기예", "예금", "금을", "prepayment", "fees"]
    assert analyze("카드 분실") == "카드 분실"


def test_particles_are_stripped_when_two_syllables_remain() -> None:
    assert strip_particle("정기예금을") == "정기예금"
    assert strip_particle("정기예금으로") == "정기예금"
    assert strip_particle("카드를") == "카드"
    assert strip_particle("지점에서는") == "지점"
    assert strip_particle("주가") == "주가"  # one syllable would remain: kept whole
    assert strip_particle("한도") == "한도"
    assert strip_particle("예금") == "예금"


def test_query_words_require_the_stems_bigrams_and_the_last_word_as_prefix() -> None:
    q = query_words("정기예금을 중도해지 fee prepay")
    assert [w.stem for w in q] == ["정기예금", "중도해지", "fee", "prepay"]
    assert q[0].terms == ("정기", "기예", "예금") and not q[0].prefix
    assert [w.prefix for w in q] == [False, False, False, True]
    assert query_words("돈")[0].prefix  # one syllable: matches the bigrams it starts
    assert query_words(" ,.;  ") == []
    assert len(query_words("word " * 100)) == MAX_QUERY_WORDS


@given(st.text(alphabet="가나다라마바사아자차카타파하을를이가은는에서로", min_size=1, max_size=12),
       st.sampled_from(["", "을", "를", "이", "은", "에서", "으로", "에게", "까지"]))
def test_a_query_word_matches_the_document_word_with_any_particle(stem: str, particle: str) -> None:
    """Every term a query word requires is among the terms of the word in a document, with
    or without a particle: stripping on the query side never loses a match."""
    document = set(index_terms(stem + particle))
    for word in query_words(stem + particle):
        if word.prefix:
            assert any(term.startswith(word.terms[0]) for term in document)
        else:
            assert set(word.terms) <= document


def test_snippet_cuts_around_the_first_hit_and_marks_every_hit() -> None:
    body = ("가입 대상은 개인입니다. " * 12 + "만기 전에 해지하면 중도해지 이율이 적용됩니다. "
            "중도해지 이율은 기간에 따라 다릅니다. " + "끝. " * 40)
    pieces = snippet(body, query_words("중도해지를"), width=80)
    assert pieces[0] == ("…", False) and pieces[-1] == ("…", False)
    assert [t for t, hit in pieces if hit] == ["중도해지", "중도해지"]
    assert len("".join(t for t, _ in pieces)) <= 80 + 2
    english = snippet("Loan prepayment fees are waived after three years. Prepaid amounts...",
                      query_words("prepayments fee"))
    assert [t for t, hit in english if hit] == ["prepayment", "fees"]
    assert snippet("no match here", query_words("zzz")) == [("no match here", False)]


def test_highlight_marks_the_title_and_keeps_the_text() -> None:
    title = "대출 중도상환수수료 안내"
    pieces = highlight(title, query_words("중도상환수수료는"))
    assert "".join(t for t, _ in pieces) == title
    assert [t for t, hit in pieces if hit] == ["중도상환수수료"]
    assert highlight("", query_words("x")) == []


def test_query_texts_for_both_backends() -> None:
    q = query_words("카드를 lost")
    assert pg_tsquery(q, "and") == "('카드') & ('lost':*)"
    assert fts5_query(q, "and") == '("카드") AND ("lost"*)'
    assert pg_tsquery(query_words("정기예금 fee x"), "or") == (
        "('정기' & '기예' & '예금') | ('fee') | ('x')")
    assert fts5_query(query_words("돈"), "or") == '("돈"*)'
