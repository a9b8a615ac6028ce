"""The tag rules and grouping v1 agree with the JavaScript side on every shared test vector."""

import json
import os

import pytest

import proliferate
from proliferate.fingerprint import fingerprint_of, grouping_source
from proliferate.tags import check_tag, js_number_to_string

VECTORS = os.path.join(os.path.dirname(__file__), "..", "..", "..", "packages", "protocol", "vectors")


def load(name):
    with open(os.path.join(VECTORS, name), encoding="utf-8") as handle:
        return json.load(handle)


TAG_CASES = load("tags.json")["cases"]
FINGERPRINT_VECTORS = load("fingerprint.json")["vectors"]


@pytest.mark.parametrize("case", TAG_CASES, ids=[case["name"] for case in TAG_CASES])
def test_tag_rule_vector(case):
    text, reason = check_tag(case["key"], case["value"])
    if "expected" in case:
        assert reason is None and text == case["expected"]
    else:
        assert text is None and reason == case["dropped"]


@pytest.mark.parametrize("case", TAG_CASES, ids=[case["name"] for case in TAG_CASES])
def test_tag_vector_through_set_tag_reaches_the_event_or_is_dropped(memory, case):
    proliferate.set_tag(case["key"], case["value"])
    proliferate.capture_message("tag vector")
    tags = memory.events[-1].get("tags", {})
    if "expected" in case:
        assert tags[case["key"]] == case["expected"]
    else:
        assert case["key"] not in tags


@pytest.mark.parametrize("vector", FINGERPRINT_VECTORS, ids=[v["name"] for v in FINGERPRINT_VECTORS])
def test_fingerprint_vector(vector):
    assert grouping_source(vector["event"]) == vector["source"]
    assert fingerprint_of(vector["event"]) == vector["fingerprint"]


@pytest.mark.parametrize(
    "value, expected",
    [(0.1, "0.1"), (1e-7, "1e-7"), (0.000001, "0.000001"), (1.5e21, "1.5e+21"), (1e21, "1e+21"),
     (123.456, "123.456"), (-2.5, "-2.5"), (5e-324, "5e-324"), (1.7976931348623157e308, "1.7976931348623157e+308")],
)
def test_floats_are_written_the_way_javascript_writes_them(value, expected):
    assert js_number_to_string(value) == expected


def checkout(order):
    return charge(order)


def charge(order):
    return authorize(order)


def authorize(order):
    raise ValueError(f"card declined for {order}")


def test_fingerprint_of_a_python_exception_uses_the_three_frames_nearest_the_raise(memory):
    try:
        checkout("o-1")
    except ValueError:
        proliferate.capture_exception()
    event = memory.events[-1]
    assert grouping_source(event) == "ValueError|authorize@test_parity_vectors.py|charge@test_parity_vectors.py|checkout@test_parity_vectors.py"
    # same code, different order id and different line: same issue
    try:
        checkout("o-2")
    except ValueError:
        proliferate.capture_exception()
    assert fingerprint_of(memory.events[-1]) == fingerprint_of(event)


def test_sensitive_key_pattern_and_cases_match_the_shared_vectors():
    from proliferate.scrub import SENSITIVE_KEY_PATTERN, is_sensitive_key
    from proliferate.tags import looks_sensitive_tag_key

    vectors = load("sensitive-keys.json")
    assert SENSITIVE_KEY_PATTERN == vectors["pattern"]
    for case in vectors["cases"]:
        assert is_sensitive_key(case["key"]) is case["sensitive"], case["key"]
        assert looks_sensitive_tag_key(case["key"]) is case["sensitive"], case["key"]
