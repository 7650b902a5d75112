"""`flowengine graph`: golden diagrams of the example flows, escaping, ids, the command."""

from __future__ import annotations

import argparse
import subprocess
from pathlib import Path

import pytest

from flowengine.commands import graph as graph_command
from flowengine.flow.compiler import compile_source, load_flow
from flowengine.flow.diagram import dot, mermaid, model
from tests.conftest import EXAMPLE_FLOWS, UPDATE_GOLDEN, need_tool

ROOT = Path(__file__).resolve().parent.parent
GOLDEN = Path(__file__).parent / "golden" / "graph"
FLOWS = ("main", "support", "hold", "agent", "autoreply")
SUFFIX = {"mermaid": "mmd", "dot": "dot"}
RENDER = {"mermaid": mermaid, "dot": dot}


def run_graph(*argv: str) -> int:
    parser = argparse.ArgumentParser()
    graph_command.configure(parser)
    return graph_command.run(parser.parse_args(list(argv)))


@pytest.mark.parametrize("fmt", ["mermaid", "dot"])
@pytest.mark.parametrize("flow", FLOWS)
def test_golden_diagram(flow: str, fmt: str) -> None:
    text = RENDER[fmt](load_flow(str(EXAMPLE_FLOWS / f"{flow}.yaml")))
    golden = GOLDEN / f"{flow}.{SUFFIX[fmt]}"
    if UPDATE_GOLDEN:
        golden.parent.mkdir(parents=True, exist_ok=True)
        golden.write_text(text, encoding="utf-8")
    assert text == golden.read_text(encoding="utf-8")


@pytest.mark.parametrize("flow", FLOWS)
def test_every_state_and_edge_is_drawn(flow: str) -> None:
    graph = load_flow(str(EXAMPLE_FLOWS / f"{flow}.yaml"))
    nodes, links = model(graph)
    assert {n.key for n in nodes if n.kind not in ("start", "external")} == set(graph.states)
    drawn = {(link.source, link.target, link.label) for link in links}
    assert {(e.source, e.target, e.label) for e in graph.edges} <= drawn
    assert ("(start)", graph.start, "") in drawn


def test_endings_and_handovers_are_marked() -> None:
    main = {n.key: n.kind for n in model(load_flow(str(EXAMPLE_FLOWS / "main.yaml")))[0]}
    assert main["goodbye"] == "ending"
    assert main["blocked"] == "ending"
    assert main["support"] == "ending"
    assert main["flow:support"] == "external"
    assert main["screen"] == "switch"
    assert main["menu"] == "wait"
    assert main["after_hours"] == "pass"
    hold = {n.key: n.kind for n in model(load_flow(str(EXAMPLE_FLOWS / "hold.yaml")))[0]}
    assert hold["music"] == "ending"  # says its piece and ends: a dead end


ESCAPES = """
start: check
states:
  check:
    switch:
      - when: {var: call.from, matches: '^"#1<2>|&'}
        next: a-b
      - next: a_b
  a-b:
    say: Hi
    hangup: true
  a_b:
    redirect: {flow: other, state: x}
"""


def test_labels_are_escaped_and_ids_unique() -> None:
    graph = compile_source(ESCAPES, "escapes.yaml")
    text = mermaid(graph)
    assert '    s_check -->|"call.from matches ^#34;#35;1#60;2#62;#124;#38;"| s_a_b\n' in text
    assert '    s_a_b(["a-b<br/>hangup"])\n' in text  # "-" sorts first: it keeps the plain id
    assert '    s_a_b_2(["a_b<br/>redirect"])\n' in text
    assert '    s_a_b_2 -.->|"hand-over"| x_flow_other_x\n' in text
    assert '    "check" -> "a-b" [label="call.from matches ^\\"#1<2>|&"];\n' in dot(graph)


@pytest.mark.parametrize("flow", FLOWS)
def test_graphviz_reads_the_dot_output(flow: str) -> None:
    program = need_tool("dot")
    text = dot(load_flow(str(EXAMPLE_FLOWS / f"{flow}.yaml")))
    done = subprocess.run([program, "-Tsvg"], input=text, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert "<svg" in done.stdout


def test_command_writes_the_file(tmp_path: Path) -> None:
    out = tmp_path / "agent.dot"
    assert run_graph(str(EXAMPLE_FLOWS / "agent.yaml"), "--format", "dot", "-o", str(out)) == 0
    assert out.read_text(encoding="utf-8") == (GOLDEN / "agent.dot").read_text(encoding="utf-8")


def test_command_prints_mermaid_by_default(capsys: pytest.CaptureFixture[str]) -> None:
    assert run_graph(str(EXAMPLE_FLOWS / "hold.yaml")) == 0
    assert capsys.readouterr().out == (GOLDEN / "hold.mmd").read_text(encoding="utf-8")


def test_command_reports_a_broken_flow(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    broken = tmp_path / "broken.yaml"
    broken.write_text("start: a\nstates:\n  a:\n    say: Hi\n    next: nowhere\n")
    assert run_graph(str(broken)) == 1
    err = capsys.readouterr().err
    assert err.startswith(f"{broken}:5:11: ")
    assert "nowhere" in err


def test_command_missing_file(capsys: pytest.CaptureFixture[str]) -> None:
    assert run_graph("no/such/flow.yaml") == 2
    assert "no such flow file: no/such/flow.yaml" in capsys.readouterr().err


RELAY = """
start: a
states:
  a:
    say: Hold on.
    redirect: {state: b}
  b:
    say: Bye.
    hangup: true
"""


def test_a_redirect_to_a_state_of_the_flow_is_an_edge_not_an_exit() -> None:
    nodes, links = model(compile_source(RELAY, "relay.yaml", {}))
    kinds = {n.key: n.kind for n in nodes}
    assert kinds == {"(start)": "start", "a": "pass", "b": "ending"}
    assert [(link.source, link.target, link.label) for link in links][-1] == ("a", "b", "redirect")


def test_a_missing_tool_skips_with_its_reason_and_fails_in_ci(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("CI", raising=False)
    with pytest.raises(pytest.skip.Exception, match="'no-such-tool-x' is not installed"):
        need_tool("no-such-tool-x")
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="CI must install it"):
        need_tool("no-such-tool-x")
    assert need_tool("sh").endswith("/sh")
