"""`flowengine serve` refuses to start when it cannot serve safely."""

from __future__ import annotations

from pathlib import Path

import pytest

from flowengine.commands import serve


def test_refuses_to_start_without_an_auth_token(
    flows_dir: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("TWILIO_AUTH_TOKEN", raising=False)
    assert serve.main([str(flows_dir)]) == 1
    err = capsys.readouterr().err
    assert "TWILIO_AUTH_TOKEN is not set" in err and "--insecure-dev" in err


def test_zero_good_flows_exits_1_with_diagnostics(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("TWILIO_AUTH_TOKEN", "secret-token-value")
    (tmp_path / "only.yaml").write_text("start: missing\nstates:\n  a: {say: hi}\n")
    assert serve.main([str(tmp_path)]) == 1
    err = capsys.readouterr().err
    assert "flow only not loaded" in err and "FE101" in err and "nothing to serve" in err
    assert "secret-token-value" not in err


def test_missing_folder_and_memory_store_with_workers(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("TWILIO_AUTH_TOKEN", "t")
    assert serve.main([str(tmp_path / "nope")]) == 1
    assert "no flows folder" in capsys.readouterr().err
    assert serve.main([str(tmp_path), "--workers", "2", "--store", "memory://"]) == 1
    assert "memory://" in capsys.readouterr().err


def test_options_override_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FLOWENGINE_STORE", "redis://127.0.0.1:6379/0")
    monkeypatch.setenv("FLOWENGINE_PUBLIC_URL", "https://env.example.com")
    monkeypatch.setenv("TWILIO_AUTH_TOKEN", "t")
    import argparse

    parser = argparse.ArgumentParser()
    serve.configure(parser)
    config = serve.build_config(parser.parse_args(["--public-url", "https://cli.example.com/x"]))
    assert config.store_url == "redis://127.0.0.1:6379/0"
    assert config.public_url == "https://cli.example.com/x" and config.url_prefix == "/x"
    assert config.flows_dir == "flows" and config.auth_token == "t"
    defaults = serve.build_config(parser.parse_args([]))
    assert defaults.public_url == "https://env.example.com" and defaults.url_prefix == ""
