"""Each lint rule: a passing and a failing fixture, exact codes, lines and columns."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from flowengine.lint import RULES, Options, lint_paths
from flowengine.lint.rules import BY_CODE, BY_NAME
from tests.conftest import EXAMPLE_FLOWS

FIXTURES = Path(__file__).parent / "flows" / "lint"
ROOT = Path(__file__).parent.parent
EXPECT = re.compile(r"^# expect: (?:clean|(FE\d{3}) (\d+):(\d+))$")


def fixture(rule_code: str, kind: str) -> Path:
    rule = BY_CODE[rule_code]
    return FIXTURES / f"{rule.code.lower()}-{rule.name}.{kind}.yaml"


def lint(path: Path, code: str) -> list[tuple[str, int, int]]:
    # FE112 is only reported when checking against the real environment.
    result = lint_paths([str(path)], Options(use_environ=code == "FE112"))
    return [(d.code, d.line, d.column) for d in result.diagnostics]


CODES = [rule.code for rule in RULES if rule.failing]  # FE000: no text can be unreadable
IDS = [f"{r.code}-{r.name}" for r in RULES if r.failing]


@pytest.mark.parametrize("code", CODES, ids=IDS)
def test_failing_fixture_reports_exactly_this_rule_at_the_expected_place(
    code: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("SALES_NUMBER", raising=False)
    path = fixture(code, "fail")
    match = EXPECT.match(path.read_text(encoding="utf-8").splitlines()[0])
    assert match and match.group(1) == code, f"{path.name}: first line must be '# expect: ...'"
    expected = (code, int(match.group(2)), int(match.group(3)))
    found = lint(path, code)
    assert expected in found
    assert {c for c, _, _ in found} == {code}, found


@pytest.mark.parametrize("code", CODES, ids=IDS)
def test_passing_fixture_is_clean(code: str) -> None:
    path = fixture(code, "pass")
    assert path.read_text(encoding="utf-8").startswith("# expect: clean\n")
    assert lint(path, code) == []


@pytest.mark.parametrize("code", CODES, ids=IDS)
def test_the_documented_examples_are_the_fixtures(code: str) -> None:
    rule = BY_CODE[code]
    for kind, example in (("pass", rule.passing), ("fail", rule.failing)):
        text = fixture(code, kind).read_text(encoding="utf-8")
        assert text.split("\n", 1)[1] == example


def test_codes_and_names_are_unique_and_well_formed() -> None:
    assert len(BY_CODE) == len(BY_NAME) == len(RULES)
    for rule in RULES:
        assert re.fullmatch(r"FE[0-2]\d\d", rule.code)
        assert re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", rule.name)
        assert rule.summary and rule.passing and (rule.failing or rule.code == "FE000")
        assert (rule.check is None) == (rule.stage != "lint")
    assert [r.code for r in RULES] == sorted(r.code for r in RULES)


def test_one_module_per_rule() -> None:
    modules = sorted(
        p.stem
        for p in (ROOT / "flowengine" / "lint" / "rules").glob("*.py")
        if p.stem != "__init__"
    )
    assert modules == sorted(rule.name.replace("-", "_") for rule in RULES)


def test_every_code_the_core_reports_is_in_the_rule_table_under_the_same_name() -> None:
    from flowengine.flow.codes import CORE_CODES

    assert len(CORE_CODES) == len(set(CORE_CODES))
    for code in CORE_CODES:
        assert code.code in BY_CODE, f"{code} is reported by the core but not in the rule table"
        assert BY_CODE[code.code].name == code.name
    # and the other way round: a rule reported by the core is defined by the core
    core = {(r.code, r.name) for r in RULES if r.stage not in ("lint", "filter")}
    assert core == {tuple(code) for code in CORE_CODES}


def test_the_rules_doc_is_generated_from_the_rule_modules() -> None:
    from flowengine.lint.docs import reference

    committed = (ROOT / "docs" / "rules.md").read_text(encoding="utf-8")
    assert committed == reference(), "run: flowengine lint --explain all > docs/rules.md"


def test_the_shipped_example_flows_have_no_errors() -> None:
    result = lint_paths([str(EXAMPLE_FLOWS)])
    assert len(result.files) >= 5
    assert [d for d in result.diagnostics if d.severity == "error"] == []


def test_a_file_that_cannot_be_read_is_reported_not_raised(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "locked.yaml"
    path.write_text(BY_CODE["FE000"].passing, encoding="utf-8")

    def refuse(_path: str) -> None:
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr("flowengine.lint.runner.load_file", refuse)
    result = lint_paths([str(path)])
    assert [(d.code, d.line, d.column, d.message) for d in result.diagnostics] == [
        ("FE000", 1, 1, "cannot read the file: Permission denied")
    ]


INVALID = sorted((Path(__file__).parent / "flows" / "invalid").glob("*.yaml"))
EXPECT_INVALID = re.compile(r"^# expect: (FE\d{3}) (\d+):(\d+)$")


@pytest.mark.parametrize("path", INVALID, ids=[p.stem for p in INVALID])
def test_the_linter_reports_what_the_compiler_reports(path: Path) -> None:
    match = EXPECT_INVALID.match(path.read_text(encoding="utf-8").splitlines()[0])
    assert match
    expected = (match.group(1), int(match.group(2)), int(match.group(3)))
    # --environ: check settings against this (test) environment, as the server would
    result = lint_paths([str(path)], Options(use_environ=True))
    assert expected in [(d.code, d.line, d.column) for d in result.diagnostics]
