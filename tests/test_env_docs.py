"""Every environment variable the code reads is documented."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NAME = re.compile(r"\b(?:FLOWENGINE|TWILIO)_[A-Z0-9_]+\b")


def test_every_environment_variable_in_the_code_is_in_the_docs() -> None:
    used = {
        name
        for path in (ROOT / "flowengine").rglob("*.py")
        for name in NAME.findall(path.read_text(encoding="utf-8"))
    }
    used |= set(NAME.findall((ROOT / "tests" / "conftest.py").read_text(encoding="utf-8")))
    docs = "\n".join(
        path.read_text(encoding="utf-8") for path in [ROOT / "README.md", *ROOT.glob("docs/*.md")]
    )
    assert "FLOWENGINE_LOG_LEVEL" in used and "FLOWENGINE_RELOAD" in used  # the scan works
    missing = sorted(name for name in used if not re.search(rf"\b{name}\b", docs))
    assert missing == []
