"""The studio's JSON twins, writes and guards, through the real Starlette app (no browser).

The browser walks the same endpoints in test_studio_browser.py; here each rule is checked
on its own: what the linter says, what a save writes, what the guard refuses.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import jwt
import pytest
from starlette.testclient import TestClient

from flowengine.lint.runner import lint_paths
from flowengine.studio.app import Studio, create_app, studio_from
from flowengine.studio.voice import TTL_S, VoiceConfig
from flowengine.studio.workspace import Workspace
from tests.conftest import EXAMPLE_FLOWS, ROOT
from tests.studio_server import StudioProcess

BASE = "http://127.0.0.1:8700"
MENU_EN = '["states", "menu", "gather", "say", "en"]'
WEEKDAYS = '["hours", "office", "weekly", "mon-fri"]'


@pytest.fixture
def flows(tmp_path: Path) -> Path:
    target = tmp_path / "flows"
    shutil.copytree(EXAMPLE_FLOWS, target)
    return target


def client_for(studio: Studio, **kwargs: object) -> Iterator[TestClient]:
    with TestClient(create_app(studio, **kwargs), base_url=BASE) as client:  # type: ignore[arg-type]
        yield client


@pytest.fixture
def studio(flows: Path) -> Studio:
    return studio_from(str(flows))


@pytest.fixture
def client(studio: Studio) -> Iterator[TestClient]:
    yield from client_for(studio)


def post(client: TestClient, studio: Studio, url: str, body: dict[str, object]) -> httpx.Response:
    return client.post(url, json=body, headers={"X-CSRF-Token": studio.csrf})


# -- pages and their JSON twins --------------------------------------------------------------


def test_flows_json_lists_every_flow_with_lint_status_and_entry_url(client: TestClient) -> None:
    data = client.get("/flows.json").json()
    by_name = {flow["name"]: flow for flow in data["flows"]}
    assert sorted(by_name) == ["agent", "autoreply", "balance", "hold", "main", "support"]
    main = by_name["main"]
    assert main["errors"] == 0 and main["warnings"] == 0
    assert main["description"].startswith("Acme main line")
    assert main["entry_url"] == "https://YOUR-SERVER/voice/main"
    assert by_name["autoreply"]["entry_url"] == "https://YOUR-SERVER/sms/autoreply"
    page = client.get("/").text
    assert "https://YOUR-SERVER/voice/main" in page and 'href="/flows/main"' in page


def test_entry_url_uses_the_public_address(flows: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FLOWENGINE_PUBLIC_URL", "https://ivr.example.com/")
    for client in client_for(studio_from(str(flows))):
        main = client.get("/flows/main.json").json()
        assert main["entry_url"] == "https://ivr.example.com/voice/main"


def test_flow_json_gives_states_with_prompts_ways_out_and_file_lines(client: TestClient) -> None:
    data = client.get("/flows/main.json").json()
    menu = data["states"]["menu"]
    assert menu["prompts"]["en"].startswith("For sales, press 1")
    assert {"when": "1, sales, buy", "to": "sales"} in menu["ways_out"]
    source = (EXAMPLE_FLOWS / "main.yaml").read_text().splitlines()
    assert source[menu["first_line"] - 1] == "  menu:"
    assert menu["lines"] == source[menu["first_line"] - 1 : menu["last_line"]]
    assert menu["lines"][-1].strip() == "then: goodbye"
    assert data["timezone"] == "America/New_York" and data["languages"] == ["en", "fr"]
    assert client.get("/flows/nothing.json").status_code == 404


def test_problems_read_exactly_as_flowengine_lint_prints_them(flows: Path) -> None:
    text = (flows / "main.yaml").read_text().replace('"09:00-17:30"', '"9am-5pm"')
    (flows / "main.yaml").write_text(text.replace("next: voicemail", "next: voicemial", 1))
    lint = subprocess.run(
        [sys.executable, "-m", "flowengine.cli", "lint", str(flows)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
    )
    assert lint.returncode == 1
    for client in client_for(studio_from(str(flows))):
        data = client.get("/flows/main.json").json()
        shown = "".join(p["text"] + "\n" for p in data["problems"])
        assert shown and lint.stdout.startswith(shown)
        assert data["errors"] >= 1
        page = client.get("/flows/main").text
        assert "9am-5pm" in page and "hint:" in page


def test_flow_text_is_escaped_in_the_page(flows: Path) -> None:
    path = flows / "main.yaml"
    hostile = "</script><script>alert(1)</script><img src=x onerror=alert(2)>"
    text = path.read_text().replace(
        "description: Acme main line - language choice, opening hours, sales and support",
        f"description: {json.dumps(hostile)}",
    )
    path.write_text(text.replace("Goodbye.", hostile))
    for client in client_for(studio_from(str(flows))):
        for url in ("/", "/flows/main"):
            page = client.get(url).text
            assert "<script>alert(1)" not in page and "<img src=x" not in page
        page = client.get("/flows/main").text
        assert "&lt;/script&gt;&lt;script&gt;alert(1)" in page  # shown as text
        blob = page.split('id="flow-data">', 1)[1].split("</script>", 1)[0]
        assert json.loads(blob)["description"] == hostile  # whole, and inert inside the tag


# -- the guard -------------------------------------------------------------------------------


def test_writes_need_the_csrf_token(client: TestClient, studio: Studio, flows: Path) -> None:
    before = (flows / "main.yaml").read_text()
    body = {"version": "x", "changes": {MENU_EN: "Press 1."}}
    assert client.post("/flows/main/save", json=body).status_code == 403
    wrong = client.post("/flows/main/save", json=body, headers={"X-CSRF-Token": "guess"})
    assert wrong.status_code == 403 and "CSRF" in wrong.json()["error"]
    assert client.post("/flows/main/calls", json={}).status_code == 403
    # Even with the token, a write sent by another site's page (its Origin) is refused.
    foreign = {"X-CSRF-Token": studio.csrf, "Origin": "http://evil.example"}
    assert client.post("/flows/main/calls", json={}, headers=foreign).status_code == 403
    same = {"X-CSRF-Token": studio.csrf, "Origin": BASE}
    assert client.post("/flows/main/calls", json={}, headers=same).status_code == 200
    assert (flows / "main.yaml").read_text() == before
    assert f'<meta name="csrf-token" content="{studio.csrf}">' in client.get("/flows/main").text


def test_other_host_names_are_refused(studio: Studio) -> None:
    with TestClient(create_app(studio), base_url="http://evil.example:8700") as client:
        assert client.get("/flows.json").status_code == 421
    for client in client_for(studio):
        assert client.get("/flows.json", headers={"Host": "localhost:8700"}).status_code == 200


def test_access_token_when_bound_beyond_loopback(studio: Studio) -> None:
    token = "s3cret-token-of-some-length"
    app = create_app(studio, access_token=token, hosts=("*",))
    with TestClient(app, base_url="http://studio.lan:8700", follow_redirects=False) as client:
        assert client.get("/flows.json").status_code == 401
        assert client.get("/flows.json?token=wrong").status_code == 401
        entered = client.get("/flows/main?token=" + token)
        assert entered.status_code == 303 and entered.headers["location"] == "/flows/main"
        assert "HttpOnly" in entered.headers["set-cookie"]
        assert client.get("/flows.json").status_code == 200  # the cookie now
    with TestClient(app, base_url="http://studio.lan:8700") as stranger:
        assert stranger.get("/flows/main").status_code == 401


def test_binding_beyond_loopback_without_a_token_is_refused(flows: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "flowengine.cli", "studio", str(flows), "--host", "0.0.0.0"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
        env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT)},
    )
    assert result.returncode == 1
    assert "FLOWENGINE_STUDIO_TOKEN" in result.stderr


def test_the_printed_address_is_the_one_listened_on() -> None:
    from flowengine.commands.studio import address

    assert address("127.0.0.1", 8700) == "http://127.0.0.1:8700"
    assert address("::1", 8700) == "http://[::1]:8700"  # was http://127.0.0.1:8700: nobody there
    assert address("localhost", 8700) == "http://localhost:8700"


def test_names_outside_the_folder_are_not_flows(
    flows: Path, client: TestClient, studio: Studio
) -> None:
    (flows.parent / "outside.yaml").write_text((flows / "main.yaml").read_text())
    for name in ("..%2Foutside", "%2E%2E%2Foutside", ".hidden", "main.yaml"):
        assert client.get(f"/flows/{name}.json").status_code == 404
        answer = post(client, studio, f"/flows/{name}/save", {"version": "", "changes": {}})
        assert answer.status_code == 404
    with pytest.raises(Exception, match="outside"):
        Workspace(str(flows)).path_of("../outside")


def test_a_header_or_token_that_is_not_ascii_is_refused_not_a_crash(studio: Studio) -> None:
    # Header values arrive as latin-1 text; a guess with an accent must get 401/403, not 500.
    for client in client_for(studio):
        answer = client.post(
            "/flows/main/preview", json={}, headers={"X-CSRF-Token": "\u00e9t\u00e9".encode()}
        )
        assert answer.status_code == 403
    app = create_app(studio, access_token="s3cret-token-of-some-length", hosts=("*",))
    with TestClient(app, base_url="http://studio.lan:8700", follow_redirects=False) as client:
        assert client.get("/flows.json?token=%C3%A9t%C3%A9").status_code == 401
        assert (
            client.get(
                "/flows.json", headers={"Cookie": "flowengine_studio=\u00e9".encode()}
            ).status_code
            == 401
        )


def test_a_file_that_is_not_utf8_is_listed_with_its_problem_and_never_written(
    flows: Path, client: TestClient, studio: Studio
) -> None:
    latin = flows / "latin.yaml"
    latin.write_bytes(b"description: caf\xe9\nstart: a\nstates:\n  a:\n    hangup: true\n")
    listed = {f["name"]: f for f in client.get("/flows.json").json()["flows"]}
    assert listed["latin"]["errors"] == 1 and listed["main"]["errors"] == 0
    assert client.get("/").status_code == 200
    page = client.get("/flows/latin.json").json()
    assert "not UTF-8" in page["problems"][0]["text"] and page["fields"] == []
    assert client.get("/flows/latin").status_code == 200
    body = {"version": page["version"], "text": "start: a\nstates:\n  a:\n    hangup: true\n"}
    answer = post(client, studio, "/flows/latin/save", body)
    assert answer.status_code == 409 and "UTF-8" in answer.json()["error"]
    assert latin.read_bytes().startswith(b"description: caf\xe9")


def test_a_link_out_of_the_folder_is_not_listed_and_the_rest_still_is(
    flows: Path, client: TestClient
) -> None:
    outside = flows.parent / "elsewhere.yaml"
    outside.write_text((flows / "main.yaml").read_text())
    (flows / "linked.yaml").symlink_to(outside)
    answer = client.get("/flows.json")
    assert answer.status_code == 200
    assert "linked" not in {f["name"] for f in answer.json()["flows"]}
    assert "main" in {f["name"] for f in answer.json()["flows"]}
    assert client.get("/").status_code == 200
    assert client.get("/flows/linked.json").status_code == 404


# -- edits -----------------------------------------------------------------------------------


def test_a_prompt_edit_shows_the_diff_then_saves_with_comments_kept(
    client: TestClient, studio: Studio, flows: Path
) -> None:
    path = flows / "main.yaml"
    before = path.read_text()
    version = client.get("/flows/main.json").json()["version"]
    change = {"version": version, "changes": {MENU_EN: "For sales, press 1. For support, press 2."}}
    preview = post(client, studio, "/flows/main/preview", change).json()
    assert preview["can_save"] and preview["errors"] == 0
    assert '+        en: "For sales, press 1. For support, press 2."' in preview["diff"]
    assert path.read_text() == before  # a preview writes nothing
    saved = post(client, studio, "/flows/main/save", change)
    assert saved.status_code == 200 and saved.json()["saved"]
    after = path.read_text()
    changed = [
        (a, b) for a, b in zip(before.splitlines(), after.splitlines(), strict=True) if a != b
    ]
    assert changed == [
        (
            '        en: "For sales, press 1 or say sales. For support, press 2 or say support. '
            'To speak to the front desk, press 0."',
            '        en: "For sales, press 1. For support, press 2."',
        )
    ]
    assert after.startswith("# yaml-language-server")
    assert lint_paths([str(flows)]).diagnostics == []
    assert not list(flows.glob(".*"))  # no temporary file left behind


def test_a_save_keeps_the_files_line_ends_and_permissions(
    client: TestClient, studio: Studio, flows: Path
) -> None:
    path = flows / "main.yaml"
    path.write_bytes(path.read_bytes().replace(b"\n", b"\r\n"))
    path.chmod(0o600)  # a flow with private numbers stays private
    before = path.read_bytes().split(b"\r\n")
    version = client.get("/flows/main.json").json()["version"]
    change = {"version": version, "changes": {MENU_EN: "For sales, press 1."}}
    preview = post(client, studio, "/flows/main/preview", change).json()
    added = [row for row in preview["diff"].splitlines() if row[:1] == "+" and row[:3] != "+++"]
    assert len(added) == 1  # the diff shown is the one line written
    assert post(client, studio, "/flows/main/save", change).json()["saved"]
    after = path.read_bytes()
    assert b"\n" not in after.replace(b"\r\n", b"")  # every line still ends in CRLF
    changed = [a for a, b in zip(before, after.split(b"\r\n"), strict=True) if a != b]
    assert len(changed) == 1 and b"For sales, press 1 or say sales" in changed[0]
    assert path.stat().st_mode & 0o777 == 0o600


def test_hours_closed_dates_options_and_settings_edit_in_place(
    client: TestClient, studio: Studio, flows: Path
) -> None:
    version = client.get("/flows/main.json").json()["version"]
    changes = {
        WEEKDAYS: "08:30-18:00",
        '["hours", "office", "closed"]': "2026-12-24, 2026-12-25, 2027-01-01",
        '["states", "menu", "on", "2, support, help"]': "voicemail",
        '["settings", "sales_line"]': "${SALES_NUMBER:-+15551239999}",
    }
    answer = post(client, studio, "/flows/main/save", {"version": version, "changes": changes})
    assert answer.status_code == 200, answer.text
    text = (flows / "main.yaml").read_text()
    assert 'mon-fri: "08:30-18:00"' in text
    assert 'closed: ["2026-12-24", "2026-12-25", "2027-01-01"]' in text
    assert '"2, support, help": voicemail' in text
    assert "sales_line: ${SALES_NUMBER:-+15551239999}" in text
    # Warnings do not block a save: nothing goes to 'support' any more, and lint says so.
    found = lint_paths([str(flows)]).diagnostics
    assert [(d.severity.value, d.line) for d in found] == [("warning", 80)]
    assert "support" in found[0].message


def test_a_broken_edit_is_refused_with_the_linters_message(
    client: TestClient, studio: Studio, flows: Path
) -> None:
    before = (flows / "main.yaml").read_text()
    version = client.get("/flows/main.json").json()["version"]
    # (9am-5pm is a good range now: hours are read as people write them)
    change = {"version": version, "changes": {WEEKDAYS: "9am till late"}}
    preview = post(client, studio, "/flows/main/preview", change).json()
    assert not preview["can_save"] and preview["errors"] == 1
    saved = post(client, studio, "/flows/main/save", change)
    assert saved.status_code == 422
    problem = saved.json()["problems"][0]
    assert problem["text"] == (
        f"{flows}/main.yaml:19:16: FE108 '9am till late' is not an opening time range; write "
        "it like 09:00-17:30, 9am-5:30pm or closed (invalid-hours)"
    )
    assert (flows / "main.yaml").read_text() == before


def test_a_file_changed_on_disk_since_it_was_opened_is_not_overwritten(
    client: TestClient, studio: Studio, flows: Path
) -> None:
    version = client.get("/flows/main.json").json()["version"]
    path = flows / "main.yaml"
    edited_elsewhere = path.read_text().replace("Goodbye.", "Bye now.")
    path.write_text(edited_elsewhere)
    change = {"version": version, "changes": {MENU_EN: "Press 1."}}
    answer = post(client, studio, "/flows/main/save", change)
    assert answer.status_code == 409 and "changed on disk" in answer.json()["error"]
    assert path.read_text() == edited_elsewhere


def test_unknown_fields_are_refused(client: TestClient, studio: Studio) -> None:
    version = client.get("/flows/main.json").json()["version"]
    change = {"version": version, "changes": {'["states", "menu", "gather", "digits"]': "2"}}
    answer = post(client, studio, "/flows/main/save", change)
    assert answer.status_code == 400 and "no field" in answer.json()["error"]


# -- try a call ------------------------------------------------------------------------------

MONDAY_MORNING = "2026-03-02T10:00 America/New_York"
MONDAY_NIGHT = "2026-03-02T22:00 America/New_York"


def call(
    client: TestClient, studio: Studio, at: str = MONDAY_MORNING, **body: str
) -> dict[str, object]:
    answer = post(client, studio, "/flows/main/calls", {"caller": "+15551112222", "at": at, **body})
    assert answer.status_code == 200, answer.text
    data: dict[str, object] = answer.json()
    return data


def act(
    client: TestClient, studio: Studio, call_id: object, kind: str, value: str = ""
) -> dict[str, object]:
    answer = post(client, studio, f"/calls/{call_id}", {"kind": kind, "value": value})
    assert answer.status_code == 200, answer.text
    data: dict[str, object] = answer.json()
    return data


def said(turn: dict[str, object]) -> list[str]:
    return [item["text"] for item in turn["heard"] if item["kind"] == "say"]  # type: ignore[index,union-attr]


def test_a_call_walks_the_menu_on_the_real_runtime(client: TestClient, studio: Studio) -> None:
    first = call(client, studio)
    assert first["state"] == "welcome" and first["visited"] == ["screen", "welcome"]
    assert {
        "kind": "play",
        "text": "https://assets.example.com/acme-chime.mp3",
        "language": "",
    } in first["heard"]  # type: ignore[operator]
    assert first["waiting"] == {
        "event": "gather",
        "listens_for": ["keys", "speech"],
        "outcomes": [],
    }
    menu = act(client, studio, first["id"], "keys", "9")
    assert menu["state"] == "menu"
    assert said(menu)[0].startswith("Pour les ventes")
    assert menu["heard"][0]["language"] == "fr-FR"  # type: ignore[index]
    sales = act(client, studio, first["id"], "keys", "1")
    assert sales["dialled"] == ["+15551230001", "+15551230002"]
    assert sales["waiting"]["event"] == "dial" and "busy" in sales["waiting"]["outcomes"]  # type: ignore[index,operator]
    refused = post(client, studio, f"/calls/{first['id']}", {"kind": "keys", "value": "1"})
    assert refused.status_code == 409 and "dial outcome" in refused.json()["error"]
    voicemail = act(client, studio, first["id"], "outcome", "busy")
    assert voicemail["state"] == "voicemail"
    thanks = act(client, studio, first["id"], "outcome", "recorded")
    assert thanks["texts"] == [
        {
            "to": "+15551112222",
            "body": "Thanks for calling Acme. We got your message and will call you back on "
            "+15551112222.",
        }
    ]
    assert thanks["ended"] == "hangup" and said(thanks)[-1] == "Au revoir."


def test_after_hours_the_caller_hears_the_office_is_closed(
    client: TestClient, studio: Studio
) -> None:
    first = call(client, studio, MONDAY_NIGHT)
    closed = act(client, studio, first["id"], "silence")
    assert closed["state"] == "voicemail"
    assert "after_hours" in closed["visited"]  # type: ignore[operator]
    assert said(closed)[0].startswith("Our office is closed")
    holiday = call(client, studio, "2026-12-25T10:00 America/New_York")
    assert "after_hours" in act(client, studio, holiday["id"], "keys", "1")["visited"]  # type: ignore[operator]


def test_the_language_and_time_are_checked(client: TestClient, studio: Studio) -> None:
    french = call(client, studio, language="fr")
    menu = act(client, studio, french["id"], "silence")
    assert said(menu)[0].startswith("Pour les ventes")
    # A scenario cannot preset the language, so such a call is not saved as one.
    refused = post(client, studio, f"/calls/{french['id']}/scenario", {"name": "French"})
    assert refused.status_code == 409 and "first language" in refused.json()["error"]
    bad = post(client, studio, "/flows/main/calls", {"at": "monday"})
    assert bad.status_code == 400 and "not a date and time" in bad.json()["error"]
    gone = post(client, studio, "/calls/nope", {"kind": "silence"})
    assert gone.status_code == 409 and "start a new one" in gone.json()["error"]


def test_a_clicked_call_saved_as_a_scenario_passes_flowengine_test(
    client: TestClient, studio: Studio, flows: Path
) -> None:
    first = call(client, studio)
    for kind, value in (("keys", "1"), ("speech", "support please"), ("hangup", "")):
        act(client, studio, first["id"], kind, value)
    body = {"name": "English caller asks for support"}
    saved = post(client, studio, f"/calls/{first['id']}/scenario", body)
    assert saved.status_code == 200, saved.text
    path = flows.parent / "scenarios" / "main.yaml"
    assert saved.json()["path"] == str(path)
    text = path.read_text()
    assert text.startswith("flow: ../flows/main.yaml\n")
    assert (
        "press: '1'" in text
        and "say: support please" in text
        and "at: 2026-03-02T10:00 America/New_York" in text
    )
    # A second call is appended to the same file, the first kept as it was.
    second = call(client, studio, MONDAY_NIGHT)
    act(client, studio, second["id"], "keys", "1")
    act(client, studio, second["id"], "outcome", "no-recording")
    post(client, studio, f"/calls/{second['id']}/scenario", {"name": "After hours, no message"})
    assert path.read_text().startswith(text)
    run = subprocess.run(
        [sys.executable, "-m", "flowengine.cli", "test", str(path)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
    )
    assert run.returncode == 0, run.stdout + run.stderr
    assert "2 passed" in run.stdout or "2 scenarios" in run.stdout, run.stdout


def test_a_saved_scenario_fails_when_the_flow_changes(
    client: TestClient, studio: Studio, flows: Path
) -> None:
    first = call(client, studio)
    act(client, studio, first["id"], "keys", "1")
    post(client, studio, f"/calls/{first['id']}/scenario", {"name": "English menu"})
    main = flows / "main.yaml"
    main.write_text(main.read_text().replace("For sales, press 1 or say sales.", "Sales: press 1."))
    run = subprocess.run(
        [
            sys.executable,
            "-m",
            "flowengine.cli",
            "test",
            str(flows.parent / "scenarios" / "main.yaml"),
        ],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
    )
    assert run.returncode == 1 and "For sales, press 1 or say sales" in run.stdout


# -- a real call from the browser: the access token --------------------------------------------

VOICE = VoiceConfig(
    "AC" + "1" * 32, "SK" + "2" * 32, "api-secret-" + "3" * 21, "AP" + "4" * 32, "front-desk"
)


def test_voice_tokens_carry_the_voice_grant_and_expire_soon(flows: Path) -> None:
    studio = studio_from(str(flows))
    for client in client_for(studio):
        assert post(client, studio, "/voice/token", {}).status_code == 404  # not configured
        assert "twilio-voice.min.js" not in client.get("/flows/main").text
    studio.voice = VOICE
    for client in client_for(studio):
        answer = post(client, studio, "/voice/token", {})
        assert answer.status_code == 200
        data = answer.json()
        claims = jwt.decode(data["token"], VOICE.api_secret, algorithms=["HS256"])
        assert claims["iss"] == VOICE.api_key and claims["sub"] == VOICE.account_sid
        assert claims["exp"] - claims["nbf"] == TTL_S == 600
        assert 590 < claims["exp"] - time.time() <= 600
        assert jwt.get_unverified_header(data["token"])["cty"] == "twilio-fpa;v=1"
        assert claims["grants"]["identity"] == "front-desk" == data["identity"]
        voice = claims["grants"]["voice"]
        assert voice["outgoing"]["application_sid"] == VOICE.twiml_app_sid
        assert voice["incoming"]["allow"] is True
        with pytest.raises(jwt.InvalidSignatureError):
            jwt.decode(data["token"], "another secret " * 3, algorithms=["HS256"])
        assert client.post("/voice/token").status_code == 403  # CSRF here too
        page = client.get("/flows/main").text
        assert '<script src="/static/vendor/twilio-voice.min.js" defer></script>' in page
        sdk = client.get("/static/vendor/twilio-voice.min.js")
        assert sdk.status_code == 200 and "Twilio.Device" in sdk.text


def test_the_vendored_sdk_is_the_pinned_npm_build() -> None:
    vendor = ROOT / "flowengine" / "studio" / "static" / "vendor"
    record = (vendor / "VENDORED").read_text().split()
    script = (ROOT / "flowengine" / "studio" / "rebuild-vendor.sh").read_text()
    version = script.split("VERSION=", 1)[1].split()[0]
    assert record[0] == f"@twilio/voice-sdk@{version}"
    import hashlib

    digest = hashlib.sha256((vendor / "twilio-voice.min.js").read_bytes()).hexdigest()
    assert record[2] == f"sha256:{digest}"
    assert version in (vendor / "twilio-voice.min.js").read_text()


# -- live updates ----------------------------------------------------------------------------


def test_a_change_on_disk_is_pushed_to_open_pages(flows: Path, tmp_path: Path) -> None:
    server = StudioProcess(flows, tmp_path / "studio.log")
    try:
        with httpx.stream("GET", server.base + "/events", timeout=20) as events:
            lines = events.iter_lines()
            assert next(lines).startswith("retry:")
            assert next(lines) == "event: ready"
            main = flows / "main.yaml"
            main.write_text(main.read_text().replace("Goodbye.", "Bye."))
            for line in lines:
                if line.startswith("event: change"):
                    assert json.loads(next(lines).removeprefix("data: ")) == {"flows": ["main"]}
                    break
    finally:
        server.stop()
    assert server.process.returncode is not None


def test_a_flow_that_does_not_compile_can_be_mended_in_the_form(flows: Path) -> None:
    path = flows / "main.yaml"
    path.write_text(path.read_text().replace("start: screen", "start: nowhere"))
    studio = studio_from(str(flows))
    for client in client_for(studio):
        data = client.get("/flows/main.json").json()
        assert data["errors"] >= 1 and data["states"] == {}
        assert "no diagram" in client.get("/flows/main").text
        started = post(client, studio, "/flows/main/calls", {})
        assert started.status_code == 409 and started.json()["problems"]
        raw = path.read_text().replace("start: nowhere", "start: screen")
        saved = post(client, studio, "/flows/main/save", {"version": data["version"], "text": raw})
        assert saved.status_code == 200 and saved.json()["saved"]
        assert client.get("/flows/main.json").json()["errors"] == 0
        assert MENU_EN in {f["id"] for f in data["fields"]}


@pytest.mark.parametrize("name", ["main", "support", "agent", "hold", "autoreply"])
def test_the_diagram_draws_every_state_once_and_runs_no_edge_through_a_box(name: str) -> None:
    from flowengine.flow.compiler import load_flow
    from flowengine.studio.drawing import svg
    from flowengine.studio.layout import BOX_H, BOX_W, layout

    graph = load_flow(str(EXAMPLE_FLOWS / f"{name}.yaml"))
    drawn = layout(graph)
    assert set(graph.states) <= set(drawn.placed)
    boxes = [(p.x, p.y) for p in drawn.placed.values()]
    assert len(set(boxes)) == len(boxes)  # no two boxes on the same spot
    for route in drawn.routes:
        for x, y in route.points[1:-1] if not route.back else ():
            assert not any(bx <= x <= bx + BOX_W and by <= y <= by + BOX_H for bx, by in boxes)
    page = svg(graph)
    for state in graph.states:
        assert page.count(f'data-state="{state}"') == 1
    for edge in graph.edges:  # each way out is drawn, parallel ones once
        assert f'data-source="{edge.source}" data-target="{edge.target}"' in page


def test_a_states_file_lines_stop_at_the_next_top_level_key(
    flows: Path, client: TestClient
) -> None:
    path = flows / "main.yaml"
    head, states = path.read_text().split("\nstates:\n")
    hours = head[head.index("hours:") :]
    path.write_text(head[: head.index("hours:")] + "states:\n" + states + "\n" + hours)
    goodbye = client.get("/flows/main.json").json()["states"]["goodbye"]
    assert goodbye["lines"] == [
        "  goodbye:",
        '    say: {en: "Goodbye.", fr: "Au revoir."}',
        "    hangup: true",
    ]
