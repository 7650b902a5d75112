"""The flow registry: loading a folder, replacing versions, keeping old ones, the store's copies."""

from __future__ import annotations

import asyncio
import threading
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from flowengine.flow.graph import Graph
from flowengine.server import registry as registry_module
from flowengine.server.registry import Failure, Registry, compile_file
from flowengine.server.stores.sqlite import SqliteSessionStore

OLD, NEW = "Connecting you to sales.", "Sales, right away."


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def edited(registry: Registry, path: Path, old: str, new: str) -> Graph:
    path.write_text(path.read_text().replace(old, new))
    result = registry.compile(path)
    assert isinstance(result, Graph)
    registry.install(result)
    return result


def test_load_all_serves_good_flows_and_reports_bad_ones(flows_dir: Path) -> None:
    (flows_dir / "broken.yaml").write_text("start: nowhere\nstates:\n  a: {say: hi}\n")
    (flows_dir / "notes.txt").write_text("not a flow")
    registry = Registry(flows_dir)
    registry.load_all()
    assert sorted(registry.live) == ["agent", "autoreply", "balance", "hold", "main", "support"]
    failure = registry.failures["broken"]
    assert failure.path.endswith("broken.yaml")
    assert any("FE101" in line for line in failure.describe())
    assert registry.health()["failed"]["broken"]["diagnostics"] == failure.describe()


def test_install_keeps_the_old_version_for_calls_in_progress(flows_dir: Path) -> None:
    registry = Registry(flows_dir)
    registry.load_all()
    first = registry.live["main"]
    second = edited(registry, flows_dir / "main.yaml", OLD, NEW)
    assert registry.current("main") is second
    assert registry.known("main", first.version) is first
    assert registry.versions_in_memory("main") == sorted([first.version, second.version])


def test_health_says_since_when_each_version_is_live_and_the_one_before(
    flows_dir: Path,
) -> None:
    registry = Registry(flows_dir)
    registry.load_all()
    first = registry.health()["flows"]["main"]
    assert first["previous_version"] is None
    assert datetime.fromisoformat(first["live_since"]).tzinfo is not None
    old = registry.live["main"].version
    registry.install(registry.live["main"])  # the same version again: nothing went live
    assert registry.health()["flows"]["main"] == first
    edited(registry, flows_dir / "main.yaml", OLD, NEW)
    second = registry.health()["flows"]["main"]
    assert second["previous_version"] == old
    assert second["live_since"] >= first["live_since"]


def test_old_versions_unused_for_longer_than_keep_are_dropped(flows_dir: Path) -> None:
    clock = Clock()
    registry = Registry(flows_dir, keep_seconds=60, clock=clock)
    registry.load_all()
    first = registry.live["main"]
    edited(registry, flows_dir / "main.yaml", OLD, NEW)
    clock.now += 50
    assert registry.known("main", first.version) is first  # a call used it: kept longer
    clock.now += 50
    edited(registry, flows_dir / "main.yaml", NEW, "Sales!")
    assert registry.known("main", first.version) is first
    clock.now += 61
    third = edited(registry, flows_dir / "main.yaml", "Sales!", "Sales now.")
    assert registry.known("main", first.version) is None
    assert registry.current("main") is third


def test_failed_compile_leaves_the_live_version(flows_dir: Path) -> None:
    registry = Registry(flows_dir)
    registry.load_all()
    live = registry.live["main"]
    main = flows_dir / "main.yaml"
    main.write_text("states: [")
    result = registry.compile(main)
    assert isinstance(result, Failure)
    assert registry.apply(result) is None
    assert registry.current("main") is live
    assert "FE001" in result.describe()[0]


def test_a_version_never_loaded_here_is_rebuilt_from_the_store(
    flows_dir: Path, tmp_path: Path
) -> None:
    async def scenario() -> None:
        store = SqliteSessionStore(tmp_path / "shared.db")
        try:
            here = Registry(flows_dir)
            here.load_all()
            await here.publish(store)
            version = here.live["main"].version
            elsewhere_dir = tmp_path / "elsewhere"
            elsewhere_dir.mkdir()
            (elsewhere_dir / "main.yaml").write_text(
                (flows_dir / "main.yaml").read_text().replace(OLD, NEW)
            )
            elsewhere = Registry(elsewhere_dir)
            elsewhere.load_all()
            assert elsewhere.known("main", version) is None
            graph = await elsewhere.version("main", version, store)
            assert graph is not None and graph.version == version
            assert OLD in graph.source
            assert await elsewhere.version("main", "0" * 12, store) is None
            assert elsewhere.current("main") is not graph
        finally:
            await store.close()

    asyncio.run(scenario())


def test_remove_stops_new_calls_but_keeps_the_version(flows_dir: Path) -> None:
    registry = Registry(flows_dir)
    registry.load_all()
    graph = registry.live["hold"]
    registry.remove("hold")
    assert registry.current("hold") is None
    assert registry.known("hold", graph.version) is graph


@pytest.mark.parametrize("name", ["gone.yaml", "binary.yaml"])
def test_unreadable_files_are_failures_not_crashes(tmp_path: Path, name: str) -> None:
    path = tmp_path / name
    if name == "binary.yaml":
        path.write_bytes(b"\xff\xfe\x00bad")
    result = compile_file(path, {}, "")
    assert isinstance(result, Failure) and result.name == Path(name).stem


@pytest.mark.parametrize(
    ("source", "code"),
    [
        pytest.param(
            "start: a\nstates:\n  a:\n    dial: {number: '+15551230001', timeout: 700}\n",
            "FE212",
            id="lint-error-dial-timeout",
        ),
        pytest.param(
            "start: a\nstates:\n  a:\n    say: {text: Hi, voice: Polly.Nobody}\n    hangup: true\n",
            "FE208",
            id="lint-error-unknown-voice",
        ),
        pytest.param(
            "start: a\nhours:\n  h: {timezone: America, weekly: {mon: '09:00-10:00'}}\n"
            "states:\n  a:\n    switch:\n      - when: {open: h}\n        next: b\n"
            "      - next: b\n  b: {hangup: true}\n",
            "FE108",
            id="time-zone-that-is-a-folder",
        ),
        pytest.param(
            "start: a\nstates:\n  a:\n    gather: {say: Extension?}\n    on: {'_[5-1]X': a}\n",
            "FE107",
            id="backwards-key-range",
        ),
    ],
)
def test_flows_twilio_would_reject_are_not_served(tmp_path: Path, source: str, code: str) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(source)
    result = compile_file(path, {}, "")
    assert isinstance(result, Failure), result
    assert code in [d.code for d in result.diagnostics]


def test_a_file_name_that_cannot_be_a_url_is_not_served(tmp_path: Path) -> None:
    path = tmp_path / "sales line?.yaml"
    path.write_text("start: a\nstates:\n  a: {say: Hi., hangup: true}\n")
    result = compile_file(path, {}, "")
    assert isinstance(result, Failure)
    assert "cannot be a flow's name" in result.diagnostics[0].message


def test_concurrent_requests_for_a_stored_version_compile_it_once_off_the_loop(
    flows_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    compiled_in: list[threading.Thread] = []
    real = registry_module.compile_source

    def counting(*args: Any, **kwargs: Any) -> Graph:
        compiled_in.append(threading.current_thread())
        return real(*args, **kwargs)

    async def scenario() -> None:
        store = SqliteSessionStore(tmp_path / "shared.db")
        try:
            here = Registry(flows_dir)
            here.load_all()
            await here.publish(store)
            version = here.live["main"].version
            elsewhere = Registry(tmp_path)  # another process: never loaded main itself
            monkeypatch.setattr(registry_module, "compile_source", counting)
            graphs = await asyncio.gather(
                *(elsewhere.version("main", version, store) for _ in range(8))
            )
            assert all(g is graphs[0] for g in graphs) and graphs[0] is not None
            assert await elsewhere.version("main", version, store) is graphs[0]
        finally:
            await store.close()
        assert len(compiled_in) == 1
        assert compiled_in[0] is not threading.main_thread()

    asyncio.run(scenario())
