"""Korean personal names, drawn with realistic surname frequencies.

Surname shares follow the 2015 Korean census (Statistics Korea): 김 21.5 %, 이 14.7 %,
박 8.4 %, 최 4.7 %, 정 4.3 %, ... ; the rest of the mass is spread over the listed
surnames in proportion. Given names are common two-syllable names across generations.
"""

from __future__ import annotations

import numpy as np

SURNAMES: tuple[tuple[str, float], ...] = (
    ("김", 21.5), ("이", 14.7), ("박", 8.4), ("최", 4.7), ("정", 4.3), ("강", 2.3),
    ("조", 2.1), ("윤", 2.0), ("장", 2.0), ("임", 1.7), ("한", 1.5), ("오", 1.5),
    ("서", 1.5), ("신", 1.5), ("권", 1.4), ("황", 1.4), ("안", 1.4), ("송", 1.3),
    ("류", 1.2), ("전", 1.1), ("홍", 1.1), ("고", 0.9), ("문", 0.9), ("양", 0.9),
    ("손", 0.9), ("배", 0.8), ("백", 0.8), ("허", 0.7), ("유", 0.6), ("남", 0.6),
    ("심", 0.6), ("노", 0.6), ("하", 0.4), ("곽", 0.4), ("성", 0.4), ("차", 0.4),
    ("주", 0.4), ("우", 0.4), ("구", 0.4), ("민", 0.3),
)

GIVEN_NAMES: tuple[str, ...] = (
    "민준", "서준", "도윤", "예준", "시우", "하준", "주원", "지호", "지후", "준우",
    "서연", "서윤", "지우", "서현", "하은", "하윤", "민서", "지유", "윤서", "채원",
    "영수", "영호", "영철", "정호", "성호", "상철", "성민", "동현", "현우", "지훈",
    "영희", "순자", "정숙", "미경", "미영", "경숙", "은지", "수빈", "지현", "민지",
    "재훈", "승현", "태희", "유진", "혜진", "소연", "준호", "상훈", "은영", "진우",
)


def korean_names(rng: np.random.Generator, n: int) -> np.ndarray:
    """``n`` full names (surname + given name, no space, as written in Korea)."""
    weights = np.array([w for _, w in SURNAMES])
    surnames = np.array([s for s, _ in SURNAMES])[
        rng.choice(len(SURNAMES), size=n, p=weights / weights.sum())
    ]
    given = np.array(GIVEN_NAMES)[rng.integers(0, len(GIVEN_NAMES), size=n)]
    return np.char.add(surnames, given)
