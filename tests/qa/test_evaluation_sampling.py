"""Sampling contacts to evaluate: per agent at random (seeded), and by rule."""

from __future__ import annotations

import numpy as np
import pytest

from qa.evaluation_sampling import Candidate, random_sample_per_agent, sample_by_rule


def candidates() -> list[Candidate]:
    out = [Candidate(f"a1-{i}", 1, float(i), handle_seconds=100.0 * i) for i in range(10)]
    out += [Candidate("a2-0", 2, 5.0, handle_seconds=None, transferred=True),
            Candidate("a2-1", 2, 1.0, handle_seconds=900.0, complaint=True)]
    return out


def test_random_sample_per_agent_is_seeded_and_bounded() -> None:
    first = random_sample_per_agent(candidates(), 3, np.random.default_rng(7))
    again = random_sample_per_agent(reversed(candidates()), 3, np.random.default_rng(7))
    assert first == again  # same seed, same sample, whatever the input order
    ones = [c for c in first if c.agent_id == 1]
    assert len(ones) == 3 and len(set(ones)) == 3
    assert [c.contact_id for c in first if c.agent_id == 2] == ["a2-1", "a2-0"]  # all of them
    draws = {tuple(c.contact_id for c in random_sample_per_agent(
        candidates(), 3, np.random.default_rng(seed)) if c.agent_id == 1) for seed in range(20)}
    assert len(draws) > 5  # the draw really varies with the seed
    with pytest.raises(ValueError, match="per_agent must be 1-50"):
        random_sample_per_agent(candidates(), 0, np.random.default_rng(1))


def test_rules_long_calls_transfers_complaints() -> None:
    long_calls = sample_by_rule(candidates(), "long_calls", min_handle_seconds=600)
    assert [c.contact_id for c in long_calls] == ["a2-1", "a1-7", "a1-8", "a1-9"]
    assert [c.contact_id for c in sample_by_rule(candidates(), "transfers")] == ["a2-0"]
    assert [c.contact_id for c in sample_by_rule(candidates(), "complaints")] == ["a2-1"]
    with pytest.raises(ValueError, match="rule must be one of"):
        sample_by_rule(candidates(), "angry")  # type: ignore[arg-type]
