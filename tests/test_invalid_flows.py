"""Every invalid fixture names, in its first line, the diagnostic it must produce."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from flowengine.diagnostics import FlowError
from flowengine.flow.compiler import load_flow

INVALID = Path(__file__).parent / "flows" / "invalid"
FIXTURES = sorted(INVALID.glob("*.yaml"))
EXPECT = re.compile(r"^# expect: (FE\d{3}) (\d+):(\d+)$")


def expectation(path: Path) -> tuple[str, int, int]:
    match = EXPECT.match(path.read_text(encoding="utf-8").splitlines()[0])
    assert match, f"{path.name} must start with '# expect: CODE LINE:COLUMN'"
    return match.group(1), int(match.group(2)), int(match.group(3))


@pytest.mark.parametrize("fixture", FIXTURES, ids=[f.stem for f in FIXTURES])
def test_invalid_fixture_reports_exact_code_and_position(fixture: Path) -> None:
    code, line, column = expectation(fixture)
    with pytest.raises(FlowError) as caught:
        load_flow(str(fixture), environ={})
    found = [(d.code, d.line, d.column) for d in caught.value.diagnostics]
    assert (code, line, column) in found, "\n".join(map(str, caught.value.diagnostics))
    first = caught.value.diagnostics[0]
    assert first.path == str(fixture)
    assert str(first).startswith(f"{fixture}:{first.line}:{first.column}: {first.code} ")


def test_there_is_a_fixture_for_every_compile_error_code() -> None:
    codes = {expectation(f)[0] for f in FIXTURES}
    assert codes >= {
        "FE001", "FE002", "FE003", "FE004", "FE005", "FE006", "FE101", "FE102",
        "FE103", "FE104", "FE105", "FE106", "FE107", "FE108", "FE109", "FE110", "FE111",
    }  # fmt: skip
