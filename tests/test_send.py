"""`flowengine send` against a real `flowengine serve` (uvicorn) with signature checks on."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.conftest import TOKEN, ServerProcess, free_port

BIN = Path(sys.executable).parent


def send(
    *args: str, token: str | None = TOKEN, public: str = ""
) -> subprocess.CompletedProcess[str]:
    env = {"PATH": str(BIN)}
    if token is not None:
        env["TWILIO_AUTH_TOKEN"] = token
    if public:
        env["FLOWENGINE_PUBLIC_URL"] = public
    return subprocess.run(
        [str(BIN / "flowengine"), "send", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_a_signed_call_walks_the_menu_on_a_real_server(
    start_server: Callable[..., ServerProcess], flows_dir: Path, tmp_path: Path
) -> None:
    server = start_server(flows_dir, f"sqlite:///{tmp_path}/s.db")
    done = send("main", "1", "1", "dial:busy", "--url", server.base)
    assert done.returncode == 0, done.stderr
    posts = [line for line in done.stdout.splitlines() if line.startswith("POST ")]
    assert posts[0] == f"POST {server.base}/voice/main"
    assert posts[1:] == [
        f"POST {server.base}/voice/main/welcome/gather  Digits=1",
        f"POST {server.base}/voice/main/menu/gather  Digits=1",
        f"POST {server.base}/voice/main/sales/dial  DialCallStatus=busy DialCallDuration=0",
    ]
    assert "  Say: Connecting you to sales." in done.stdout
    assert done.stdout.rstrip().endswith("the call waits for the next input")
    assert done.stderr == ""
    log = server.log.read_text()
    assert "bad-signature" not in log and "event=dial" in log


def test_the_signature_follows_the_public_url(
    start_server: Callable[..., ServerProcess], flows_dir: Path, tmp_path: Path
) -> None:
    public = "https://ivr.example.com/acme"
    server = start_server(flows_dir, f"sqlite:///{tmp_path}/s.db", extra=("--public-url", public))
    # The server sits behind a proxy that strips /acme: send posts to the server but signs
    # the URL Twilio would use.
    done = send("main", "1", "--url", server.base, public=public)
    assert done.returncode == 0, done.stderr
    assert f"POST {server.base}/voice/main/welcome/gather  Digits=1" in done.stdout


def test_a_wrong_token_is_one_clear_error(
    start_server: Callable[..., ServerProcess], flows_dir: Path, tmp_path: Path
) -> None:
    server = start_server(flows_dir, f"sqlite:///{tmp_path}/s.db")
    done = send("main", "--url", server.base, token="not-the-token")
    assert done.returncode == 1
    assert done.stderr == (
        f"flowengine send: {server.base}/voice/main answered 403: the signature was refused: "
        "give the server's TWILIO_AUTH_TOKEN, and --public-url (or FLOWENGINE_PUBLIC_URL) as "
        "the server has it\n"
    )
    unsigned = send("main", "--url", server.base, token=None)
    assert unsigned.returncode == 1
    assert unsigned.stderr.splitlines() == [
        "flowengine send: TWILIO_AUTH_TOKEN is not set, so the requests are unsigned: only a "
        "server run with --insecure-dev accepts them",
        f"flowengine send: {server.base}/voice/main answered 403: the request is unsigned: set "
        "TWILIO_AUTH_TOKEN to the server's token",
    ]


def test_an_input_that_does_not_fit_and_a_server_that_is_not_there(
    start_server: Callable[..., ServerProcess], flows_dir: Path, tmp_path: Path
) -> None:
    server = start_server(flows_dir, f"sqlite:///{tmp_path}/s.db")
    done = send("main", "dial:busy", "--url", server.base)
    assert done.returncode == 1
    assert done.stderr == (
        "flowengine send: 'dial:busy' answers a dial, but the call is waiting on a menu (gather)\n"
    )
    nobody = f"http://127.0.0.1:{free_port()}"
    gone = send("main", "--url", nobody)
    assert gone.returncode == 1
    assert gone.stderr.startswith(f"flowengine send: cannot reach {nobody}/voice/main: ")
    assert gone.stderr.rstrip().endswith("is the server running?")


@pytest.mark.parametrize("url", ["127.0.0.1:8000", "ftp://x"])
def test_a_bad_url_is_a_usage_error(url: str) -> None:
    done = send("main", "--url", url)
    assert done.returncode == 2
    assert "--url must start with http:// or https://" in done.stderr
