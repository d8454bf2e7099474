"""Fuzzing the inputs a user controls: mutated real encodings and query parameters end in success or
one clean InputError, never a traceback, a hang or a blow-up. Fixed seed and a bounded number of
examples here; `benchmarks/fuzz.py` runs the same properties for longer."""

from __future__ import annotations

import pytest

hypothesis = pytest.importorskip("hypothesis")
from hypothesis import HealthCheck, given, settings  # noqa: E402

import fuzzing  # noqa: E402

from policykg.errors import InputError  # noqa: E402
from policykg.query.bounds import LimitError  # noqa: E402

CI = settings(derandomize=True, max_examples=40, deadline=None, database=None,
              suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])


@pytest.fixture(scope="module")
def onto():
    from policykg.model import ontology
    return ontology.load()


def test_the_fuzzer_mutates_real_files():
    assert len(fuzzing.ENCODINGS) >= 7
    text = fuzzing.ENCODINGS[0].read_text(encoding="utf-8")
    assert fuzzing.mutate(text, [("insert", 0.0, "\x00", 1)]) == "\x00" + text


@CI
@given(case=fuzzing.encodings())
def test_mutated_encodings_end_in_success_or_one_clean_error(onto, case):
    name, text = case
    try:
        outcome = fuzzing.bounded(fuzzing.read_mutated, onto, name, text)
    except LimitError as e:
        pytest.fail(f"reading a mutated {name} hit a limit: {e.message}")
    if outcome != "ok":
        fuzzing.check_error(InputError(outcome))


@CI
@given(call=fuzzing.query_calls(["measures-by-sector", "quantities-in-period", "document-issuers",
                                 "document-dates", "measures-by-instrument"]))
def test_query_parameters_end_in_rows_or_one_clean_error(store, call):
    name, params = call
    outcome = fuzzing.run_query(store, name, params)
    if outcome != "ok":
        assert not outcome.startswith("the query was stopped"), outcome
        fuzzing.check_error(InputError(outcome))
