"""A quick, deterministic slice of the fuzzer (tests/fuzz.py) in every test run; long runs are by hand."""

from __future__ import annotations

import pytest

from tests import fuzz


@pytest.mark.parametrize("seed", [11, 22, 33])
def test_fuzz_slice_finds_nothing(seed: int) -> None:
    done, failures = fuzz.run(seed=seed, count=300)
    assert done == 300
    assert failures == [], failures[0][1] if failures else ""


def test_the_fuzzer_reports_a_broken_contract() -> None:
    # The harness must be able to fail: a check that raises a bare exception is reported.
    def broken(data: bytes, rng: object) -> None:
        raise KeyError("boom")

    original = fuzz.check
    try:
        fuzz.check = broken
        done, failures = fuzz.run(seed=1, count=3)
    finally:
        fuzz.check = original
    assert done == 3 and len(failures) == 3 and "KeyError: 'boom'" in failures[0][1]
