"""Cases an outside attack found in article dates, kept so they cannot come back."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from tests.conftest import CliResult, mutate

Run = Callable[..., CliResult]
ARTICLE = "content/articles/analysis/kabul-outreach.md"


@pytest.mark.parametrize("updated", ["2025", "2025-05"])
def test_an_updated_coarser_than_the_date_is_refused(
    good_site: Path, run_cli: Run, updated: str
) -> None:
    """A feed reads ``updated: 2025`` as 1 January, before the article was published."""
    mutate(good_site, ARTICLE, "updated: 2025-05-04", f"updated: {updated}")
    for command in ("check", "build"):
        result = run_cli(command)
        assert result.code == 1
        assert "Traceback" not in result.err
        assert result.error_lines == [
            f"{ARTICLE}:4:10: error: updated {updated} may fall before date 2025-05-03"
            " [date-order]"
        ]


@pytest.mark.parametrize("updated", ["2025-05-03", "2025-06", "2026"])
def test_an_updated_that_cannot_precede_the_date_is_accepted(
    good_site: Path, run_cli: Run, updated: str
) -> None:
    mutate(good_site, ARTICLE, "updated: 2025-05-04", f"updated: {updated}")
    assert run_cli("check").code == 0
