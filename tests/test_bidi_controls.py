"""A bidi override, embedding or isolate left open in a text turns around whatever
follows it wherever the text is set beside other text (a feed reader's list, a
calendar, a spreadsheet cell, the page's <title>): ``check`` refuses it at its field,
and accepts the same controls closed. Through the real command line."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kabul_brief.content.fieldtypes import unclosed_bidi

REPO = Path(__file__).resolve().parents[1]
BASIC = REPO / "tests" / "fixtures" / "site" / "basic" / "content"
TITLE = "  title: Talks in Kabul\n"


def run(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    done = subprocess.run([sys.executable, "-m", "kabul_brief", *args], cwd=cwd,
                          capture_output=True, text=True, check=False)
    assert "Traceback" not in done.stderr
    return done


def site_with_title(folder: Path, title: str) -> Path:
    content = folder / "content"
    shutil.copytree(BASIC, content)
    events = content / "events" / "events.yaml"
    text = events.read_text(encoding="utf-8")
    assert text.count(TITLE) == 1
    events.write_text(text.replace(TITLE, f"  title: {json.dumps(title)}\n"), encoding="utf-8")
    return content


def title_line(content: Path) -> int:
    lines = (content / "events" / "events.yaml").read_text(encoding="utf-8").splitlines()
    return next(n for n, line in enumerate(lines, 1) if "Kabul" in line and "title:" in line
                and "Taliban take" not in line)


@pytest.mark.parametrize(("title", "char", "at"), [
    ("Talks in \u202eKabul", "202E", 10),
    ("Talks \u2067in Kabul", "2067", 7),
    ("\u202bTalks \u202din Kabul\u202c", "202B", 1),  # the outer one stays open
    ("Talks \u2066in \u202aKabul\u2069 and \u202d more", "202D", 23),
])
def test_an_unclosed_control_is_an_error_at_its_field(tmp_path: Path, title: str, char: str,
                                                      at: int) -> None:
    content = site_with_title(tmp_path, title)
    done = run(tmp_path, "check")
    assert done.returncode == 1
    line = title_line(content)
    assert (f"content/events/events.yaml:{line}:10: error: title opens U+{char}"
            in done.stderr), done.stderr
    assert f"at character {at} and never closes it [unclosed-bidi]" in done.stderr
    assert run(tmp_path, "build", "-q", "--out", "out").returncode == 1
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("title", [
    "Talks in \u202eKabul\u202c", "Talks \u2067\u0643\u0627\u0628\u0644\u2069 in Kabul",
    "\u202b\u0643\u0627\u0628\u0644 \u202aKabul\u202c\u202c", "Talks \u2066in \u202aKabul\u2069",
    "Talks in Kabul\u202c\u2069", "\u200fTalks in \u0643\u0627\u0628\u0644\u200e",
])
def test_closed_controls_and_marks_are_accepted_and_built(tmp_path: Path, title: str) -> None:
    site_with_title(tmp_path, title)
    assert run(tmp_path, "check").returncode == 0
    assert run(tmp_path, "build", "-q", "--out", "out").returncode == 0
    page = (tmp_path / "out" / "events" / "talks" / "index.html").read_text(encoding="utf-8")
    assert title in page


CONTROLS = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(alphabet=st.sampled_from(CONTROLS + "ab\u0643"), max_size=12))
def test_what_is_accepted_leaves_nothing_open_after_it(text: str) -> None:
    """Appended to an accepted text, a neutral and a strong character are never inside
    an open embedding or isolate: no control the text holds reaches past its end."""
    if unclosed_bidi(text) is None:
        depth = 0
        isolates: list[int] = []
        for char in text:  # an independent count, UAX #9's own pairing simplified
            if char in "\u202a\u202b\u202d\u202e":
                depth += 1
            elif char == "\u202c" and depth > (isolates[-1] if isolates else 0):
                depth -= 1
            elif char in "\u2066\u2067\u2068":
                isolates.append(depth)
            elif char == "\u2069" and isolates:
                depth = isolates.pop()
        assert depth == 0 and not isolates, text
    else:
        index, char = unclosed_bidi(text) or (0, "")
        assert text[index] == char and char in CONTROLS and char not in "\u202c\u2069"
