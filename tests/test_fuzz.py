"""Whatever an editor's file holds, the result is success or content errors.

Arbitrary bytes and arbitrary YAML documents go into content files of every kind;
loading must never raise anything but ContentErrors (no traceback for a content
problem), and must finish: the deadline is a hang guard, not a speed target.
"""

from __future__ import annotations

import shutil
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kabul_brief.content.schemas import ARTICLE, SITE, YAML_KINDS
from kabul_brief.errors import ContentErrors
from tests.conftest import GOOD_SITE, checked_site

FUZZ_SETTINGS = settings(
    max_examples=150,
    deadline=timedelta(seconds=5),
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
TARGETS = [
    "site.yaml",
    "events/fuzz.yaml",
    "actors/fuzz.yaml",
    "places/fuzz.yaml",
    "disputes/fuzz.yaml",
    "relationships/fuzz.yaml",
    "sources/fuzz.yaml",
    "articles/fuzz.md",
]
FIELD_NAMES = sorted(
    {field.name for _, struct in YAML_KINDS.values() for field in struct.fields}
    | {field.name for field in ARTICLE.fields}
    | {field.name for field in SITE.fields}
    | {"article", "anchor", "source", "url", "by", "text", "position", "direction", "of"}
)
GOOD_IDS = ["india", "taliban", "kabul", "kabul-meeting", "agency-report", "kabul-outreach",
            "ttp-sanctuary", "india-taliban", "p2", "assurance"]

scalars = st.one_of(
    st.none(), st.booleans(), st.integers(), st.floats(allow_nan=True),
    st.text(max_size=30), st.sampled_from(GOOD_IDS),
    st.sampled_from(["2025", "2025-04", "2025-04-22", "no", "012", "javascript:x",
                     "[x](actor:india)", "[y](actr:nope)", "<script>x</script>"]),
)
documents = st.recursive(
    scalars,
    lambda children: st.one_of(
        st.lists(children, max_size=5),
        st.dictionaries(
            st.one_of(st.sampled_from(FIELD_NAMES), st.text(max_size=10)), children, max_size=8
        ),
    ),
    max_leaves=40,
)


@pytest.fixture
def site(tmp_path: Path) -> Path:
    copy = tmp_path / "site"
    shutil.copytree(GOOD_SITE, copy)
    return copy / "content"


def load_expecting_no_crash(content: Path) -> None:
    try:
        checked_site(content)
    except ContentErrors as errors:
        assert errors.errors
        for error in errors.errors:
            assert error.format().startswith(str(content))


def write(content: Path, target: str, data: bytes) -> None:
    for other in TARGETS[1:]:
        (content / other).unlink(missing_ok=True)
    (content / target).write_bytes(data)


@FUZZ_SETTINGS
@given(target=st.sampled_from(TARGETS), data=st.binary(max_size=400))
def test_arbitrary_bytes_give_success_or_content_errors(
    site: Path, target: str, data: bytes
) -> None:
    write(site, target, data)
    load_expecting_no_crash(site)


@FUZZ_SETTINGS
@given(target=st.sampled_from(TARGETS), document=documents, body=st.text(max_size=200))
def test_arbitrary_yaml_documents_give_success_or_content_errors(
    site: Path, target: str, document: Any, body: str
) -> None:
    text = yaml.safe_dump(document, allow_unicode=True)
    if target.endswith(".md"):
        text = f"---\n{text}---\n{body}"
    write(site, target, text.encode("utf-8"))
    load_expecting_no_crash(site)


@FUZZ_SETTINGS
@given(
    target=st.sampled_from(TARGETS[1:]),
    record=st.dictionaries(st.sampled_from(FIELD_NAMES), documents, max_size=10),
)
def test_record_shaped_documents_give_success_or_content_errors(
    site: Path, target: str, record: dict[str, Any]
) -> None:
    record.setdefault("id", "fuzz")
    text = yaml.safe_dump([record], allow_unicode=True)
    if target.endswith(".md"):
        text = f"---\n{yaml.safe_dump(record, allow_unicode=True)}---\nIndia and Muttaqi.\n"
    write(site, target, text.encode("utf-8"))
    load_expecting_no_crash(site)
