"""Knowledge base search: p50/p99 latency with 10,000 articles, Korean and English queries.

    python benchmarks/bench_kb.py [--articles N] [--rounds R] [--backend both|postgresql|sqlite]

Fills a fresh database (``contactops_bench_<random>`` on 127.0.0.1:5432, dropped after; and
a temporary SQLite file) at the latest migration with N articles (default 10,000; half
Korean, half English) written through :func:`app.kb.create_article` (row, history, scopes,
full-text index: PostgreSQL's GIN-indexed tsvector, SQLite's FTS5), then times
:func:`app.kb.search` (the ranked ids, the articles, the highlighted title and snippet:
everything ``GET /api/kb/search`` does but HTTP) for each of 12 Korean and 12 English
queries, R rounds (default 25) after a warm-up round, on one session. Prints p50/p99/max in
milliseconds per language and the time per suggestion list (:func:`app.kb.suggest`).

The articles are made from the demo's 36 (:mod:`app.seed.kb_articles`): each one takes a
subject's title and sentences from two or three subjects of its language, shuffled, with
product codes, branch names and amounts of its own, so common words ("카드", "card") match
thousands of articles, as they would in a real knowledge base. Target: p99 < 50 ms.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench_seed import postgres_database, sqlite_database

KOREAN_QUERIES = ("정기예금을", "카드 분실", "중도상환수수료", "비밀번호 재설정", "해외송금 한도",
                  "보이스피싱", "불만 접수", "예금자보호", "주택담보대출 서류", "연체", "카드",
                  "잔액증명서 발급")
ENGLISH_QUERIES = ("prepayment fee", "lost card", "password reset", "overseas remittance limit",
                   "voice phishing", "complaint", "time deposit rate", "mortgage documents",
                   "balance certificate", "fund risk", "card", "phish")
BRANCHES_KO = ("강남", "여의도", "해운대", "서면", "종로", "잠실", "분당", "일산")
BRANCHES_EN = ("Gangnam", "Yeouido", "Haeundae", "Seomyeon", "Jongno", "Jamsil", "Bundang")


def make_articles(n: int, seed: int = 0) -> list[tuple[str, object]]:
    """``n`` article field sets (alternating ko and en) built from the demo subjects."""
    from app.kb import ArticleFields
    from app.seed.kb_articles import SUBJECTS

    rng = random.Random(seed)
    out: list[tuple[str, object]] = []
    for i in range(n):
        language = "ko" if i % 2 == 0 else "en"
        picks = rng.sample(SUBJECTS, rng.randint(2, 3))
        main = picks[0]
        title, _, tags = main.ko if language == "ko" else main.en
        lines = [line for s in picks for line in (s.ko if language == "ko" else s.en)[1]
                 .split("\n")]
        rng.shuffle(lines)
        code = f"{rng.choice('ABCDKM')}-{rng.randint(1000, 9999)}"
        if language == "ko":
            extra = (f"상품코드 {code}. {rng.choice(BRANCHES_KO)}지점 문의 사례 {i}번. "
                     f"기준 금액 {rng.randint(1, 900) * 10_000:,}원.")
        else:
            extra = (f"Product code {code}. Case {i} from the {rng.choice(BRANCHES_EN)} "
                     f"branch. Reference amount KRW {rng.randint(1, 900) * 10_000:,}.")
        body = "\n".join(lines[: rng.randint(4, len(lines))]) + "\n" + extra
        out.append((language, ArticleFields(
            title=f"{title} ({code})", body=body, language=language, kind=main.kind,
            tags=list(tags), queues=list(main.queues), reasons=list(main.reasons))))
    return out


def load(url: str, n: int) -> float:
    from sqlmodel import Session

    from app.db import make_engine
    from app.dbmigrate import upgrade
    from app.kb import ArticleFields, create_article
    from app.models import User

    upgrade(url)
    engine = make_engine(url)
    actor = User(username="bench", password_hash="", role="admin")
    started = time.perf_counter()
    try:
        with Session(engine) as session:
            for i, (_, fields) in enumerate(make_articles(n)):
                assert isinstance(fields, ArticleFields)
                create_article(session, fields, actor, audit=False)
                if i % 500 == 499:
                    session.commit()
            session.commit()
        with engine.begin() as conn:
            if engine.dialect.name == "postgresql":
                conn.exec_driver_sql("ANALYZE kb_article, kb_article_scope")
            else:
                conn.exec_driver_sql("ANALYZE")
    finally:
        engine.dispose()
    return time.perf_counter() - started


def time_searches(url: str, rounds: int) -> dict[str, np.ndarray]:
    from sqlmodel import Session

    from app.db import make_engine
    from app.kb import search, suggest

    engine = make_engine(url)
    timings: dict[str, list[float]] = {"ko": [], "en": [], "suggest": []}
    hits: dict[str, int] = {}
    try:
        with Session(engine) as session:
            for round_ in range(rounds + 1):  # round 0 warms the caches
                for language, queries in (("ko", KOREAN_QUERIES), ("en", ENGLISH_QUERIES)):
                    for q in queries:
                        started = time.perf_counter()
                        result = search(session, q, limit=10)
                        elapsed = time.perf_counter() - started
                        if round_:
                            timings[language].append(elapsed * 1000)
                        hits[q] = len(result.hits)
                for queue, reason in (("cards", "card_lost"), ("deposits", "deposit_renewal"),
                                      ("loans", None), (None, "complaint")):
                    started = time.perf_counter()
                    suggest(session, queue=queue, reason=reason, language="ko", limit=5)
                    if round_:
                        timings["suggest"].append((time.perf_counter() - started) * 1000)
                session.rollback()  # a fresh snapshot each round, as requests have
    finally:
        engine.dispose()
    empty = [q for q, n in hits.items() if n == 0]
    if empty:
        print(f"  queries that found nothing: {empty}")
    return {k: np.array(v) for k, v in timings.items()}


def report(backend: str, n: int, load_seconds: float, timings: dict[str, np.ndarray]) -> None:
    print(f"{backend}: {n:,} articles loaded in {load_seconds:.1f} s")
    for key, label in (("ko", "search, Korean queries"), ("en", "search, English queries"),
                       ("suggest", "suggestions")):
        ms = timings[key]
        p50, p99 = np.percentile(ms, 50), np.percentile(ms, 99)
        verdict = "ok" if p99 < 50 else "OVER the 50 ms target"
        print(f"  {label:<26} n={len(ms):>4}  p50 {p50:6.2f} ms  p99 {p99:6.2f} ms  "
              f"max {ms.max():6.2f} ms  ({verdict})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=10_000)
    parser.add_argument("--rounds", type=int, default=25)
    parser.add_argument("--backend", choices=("both", "postgresql", "sqlite"), default="both")
    args = parser.parse_args()
    if not 1 <= args.articles <= 200_000:
        parser.error("--articles must be 1-200000")
    if not 1 <= args.rounds <= 1000:
        parser.error("--rounds must be 1-1000")
    backends = ("postgresql", "sqlite") if args.backend == "both" else (args.backend,)
    for backend in backends:
        database = postgres_database() if backend == "postgresql" else sqlite_database()
        with database as url:
            seconds = load(url, args.articles)
            report(backend, args.articles, seconds, time_searches(url, args.rounds))


if __name__ == "__main__":
    main()
