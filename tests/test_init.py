"""`flowengine init`: a working project, written only where nothing would be overwritten."""

from __future__ import annotations

import json
import tomllib
from pathlib import Path

import pytest
import yaml

from flowengine import __version__
from flowengine.cli import main
from flowengine.lint.config import load
from flowengine.starter import FILES, SCHEMAS

ROOT = Path(__file__).resolve().parent.parent


def test_init_writes_the_project(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["init", str(tmp_path / "ivr")]) == 0
    root = tmp_path / "ivr"
    written = sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file())
    assert written == sorted([*FILES.values(), *SCHEMAS.values()])
    flow = (root / "flows" / "main.yaml").read_text(encoding="utf-8")
    assert flow.startswith("# yaml-language-server: $schema=../schemas/flow.schema.json\n")
    shipped = json.loads((ROOT / "schemas" / "flow.schema.json").read_text(encoding="utf-8"))
    assert json.loads((root / "schemas" / "flow.schema.json").read_text()) == shipped
    hook = yaml.safe_load((root / ".pre-commit-config.yaml").read_text())["repos"][0]["hooks"][0]
    assert hook["additional_dependencies"] == [f"flowengine-ivr=={__version__}"]
    assert hook["entry"] == "flowengine lint"
    workflow = yaml.safe_load((root / ".github" / "workflows" / "flows.yml").read_text())
    runs = [step.get("run") for step in workflow["jobs"]["flows"]["steps"]]
    assert runs[-3:] == [
        f'pip install "flowengine-ivr=={__version__}"',
        "flowengine lint flows",
        "flowengine test --min-coverage 100",
    ]
    pyproject = tomllib.loads((root / "pyproject.toml").read_text())
    assert pyproject["tool"]["flowengine"]["lint"] == {"strict": True}
    assert load(root / "flows").strict
    assert "flowengine.db" in (root / ".gitignore").read_text()
    assert "cd " + str(root) in capsys.readouterr().out


def test_init_refuses_to_overwrite_and_writes_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "flows").mkdir()
    (tmp_path / "flows" / "main.yaml").write_text("mine\n")
    assert main(["init", str(tmp_path)]) == 1
    err = capsys.readouterr().err
    assert "these files already exist, so nothing was written" in err
    assert str(tmp_path / "flows" / "main.yaml") in err
    assert (tmp_path / "flows" / "main.yaml").read_text() == "mine\n"
    assert sorted(p.name for p in tmp_path.rglob("*")) == ["flows", "main.yaml"]


def test_init_schemas_refreshes_only_the_schemas(tmp_path: Path) -> None:
    assert main(["init", str(tmp_path)]) == 0
    (tmp_path / "flows" / "main.yaml").write_text("mine\n")
    (tmp_path / "schemas" / "flow.schema.json").write_text("{}")
    assert main(["init", "--schemas", str(tmp_path)]) == 0
    assert (tmp_path / "flows" / "main.yaml").read_text() == "mine\n"
    assert json.loads((tmp_path / "schemas" / "flow.schema.json").read_text()) != {}
