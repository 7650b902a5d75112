"""The studio in a real browser: Debian's Chromium driven by Playwright.

Each test starts `flowengine studio` on a private copy of the example flows and works the
page the way a person would: clicks, typing, and for one test the keyboard alone.
Screenshots of the main pages are taken on the way; with FLOWENGINE_STUDIO_SCREENSHOTS set
to a folder (docs/studio) they are written there, which is how docs/studio.md's are made.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect, sync_playwright

from flowengine.lint.runner import lint_paths
from tests.conftest import ROOT
from tests.studio_server import CHROMIUM, CHROMIUM_ARGS, StudioProcess
from tests.studio_server import studio as studio
from tests.studio_server import studio_flows as studio_flows

LAPTOP = {"width": 1366, "height": 860}
# The machine is shared: give a page up to 15 s to show what it must before failing.
expect.set_options(timeout=15_000)
TABLET = {"width": 820, "height": 1180}


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    if not os.path.exists(CHROMIUM):
        pytest.fail(f"{CHROMIUM} is missing: apt-get install -y chromium (.ci/run does)")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(viewport=LAPTOP)  # type: ignore[arg-type]
    tab = context.new_page()
    errors: list[str] = []
    tab.on("pageerror", lambda error: errors.append(str(error)))
    yield tab
    # Errors of the test itself: closing the context aborts requests still in flight, and
    # a page's fetch rejected by that is not the page's fault (seen once under load).
    seen = list(errors)
    context.close()
    assert seen == [], seen  # no script error on any page


def shoot(page: Page, name: str, tmp_path: Path, *, top: bool = True) -> None:
    if top:  # clicking scrolled the page to the control; the picture shows it from the top
        page.evaluate("window.scrollTo(0, 0)")
    folder = Path(os.environ.get("FLOWENGINE_STUDIO_SCREENSHOTS") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}.png"
    page.screenshot(path=str(path))
    assert path.stat().st_size > 10_000  # a real picture, not a blank page


def start_call(page: Page, at: str = "2026-03-02T10:00") -> None:
    page.get_by_role("tab", name="Try a call").click()
    page.get_by_label("Date and time of the call").fill(at)
    page.get_by_label("Time zone").fill("America/New_York")
    page.get_by_role("button", name="Start the call").click()
    expect(page.locator("#transcript")).to_contain_text("Thank you for calling Acme")


def current_state(page: Page, name: str) -> None:
    expect(page.locator(".node.current")).to_have_attribute("data-state", name)


def test_walk_a_call_through_the_main_menu_with_the_keypad(
    page: Page, studio: StudioProcess, tmp_path: Path
) -> None:
    page.goto(studio.base + "/")
    row = page.get_by_role("row", name="main")
    expect(row).to_contain_text("passes")
    expect(row).to_contain_text("https://YOUR-SERVER/voice/main")
    shoot(page, "flows", tmp_path)
    row.get_by_role("link", name="main").click()
    expect(page.get_by_role("heading", name="main", level=1)).to_be_visible()
    start_call(page)
    current_state(page, "welcome")
    expect(page.locator("#transcript")).to_contain_text("https://assets.example.com/acme-chime.mp3")
    page.get_by_role("button", name="Press 1").click()
    expect(page.locator("#transcript")).to_contain_text("For sales, press 1 or say sales")
    current_state(page, "menu")
    page.get_by_role("button", name="Press 1").click()
    expect(page.locator("#transcript")).to_contain_text("Connecting you to sales.")
    expect(page.locator("#call-status")).to_have_text("In sales: how does the dial turn out?")
    expect(page.get_by_role("button", name="Press 1")).to_be_disabled()
    shoot(page, "call", tmp_path)
    page.get_by_role("button", name="dial outcome: busy").click()
    expect(page.locator("#transcript")).to_contain_text("Please leave a message after the beep.")
    page.get_by_role("button", name="record outcome: recorded").click()
    expect(page.locator("#texts-list")).to_contain_text("To +15551112222: Thanks for calling Acme")
    expect(page.locator("#call-status")).to_contain_text("The call ended (hangup) in state goodbye")
    walked = page.locator(".edge.walked")
    expect(walked.first).to_be_visible()
    assert page.locator('.edge.walked[data-source="menu"][data-target="sales"]').count() == 1
    for name in ("screen", "welcome", "open_check", "menu", "sales", "voicemail", "thanks"):
        expect(page.locator(f'.node[data-state="{name}"]')).to_have_class(
            re.compile(r"\bvisited\b")
        )
    expect(page.locator('.node[data-state="after_hours"]')).not_to_have_class(re.compile("visited"))
    current_state(page, "goodbye")


def test_after_hours_the_call_goes_to_the_closed_message(page: Page, studio: StudioProcess) -> None:
    page.goto(studio.base + "/flows/main")
    start_call(page, at="2026-03-02T22:00")
    page.get_by_role("button", name="Press 1").click()
    expect(page.locator("#transcript")).to_contain_text("Our office is closed.")
    current_state(page, "voicemail")
    expect(page.locator('.node[data-state="after_hours"]')).to_have_class(
        re.compile(r"\bvisited\b")
    )
    expect(page.locator('.node[data-state="menu"]')).not_to_have_class(re.compile("visited"))


def test_a_state_shows_its_prompts_options_and_file_lines(
    page: Page, studio: StudioProcess
) -> None:
    page.goto(studio.base + "/flows/main")
    page.locator('.node[data-state="menu"]').click()
    details = page.locator("#state-details")
    expect(details).to_contain_text("For sales, press 1 or say sales.")
    expect(details).to_contain_text("1, sales, buy → sales")
    expect(details).to_contain_text("flows/main.yaml, lines 51\N{EN DASH}68")
    expect(details.locator("pre.source")).to_contain_text("51  menu:")
    details.get_by_role("button", name="sales").click()
    expect(details.locator("h3")).to_contain_text("sales")


def test_edit_a_prompt_review_the_diff_and_save(
    page: Page, studio: StudioProcess, studio_flows: Path, tmp_path: Path
) -> None:
    path = studio_flows / "main.yaml"
    before = path.read_text()
    page.goto(studio.base + "/flows/main")
    page.get_by_role("tab", name="Edit").click()
    prompt = page.get_by_label("menu: gather say (en)")
    prompt.fill("For sales, press 1. For support, press 2. For the front desk, press 0.")
    page.get_by_role("button", name="Review changes").click()
    diff = page.locator("#edit-diff")
    expect(diff).to_contain_text(
        '+        en: "For sales, press 1. For support, press 2. For the front desk, press 0."'
    )
    expect(page.locator("#edit-message")).to_contain_text("no errors")
    assert path.read_text() == before  # reviewing writes nothing
    shoot(page, "edit", tmp_path)
    page.get_by_role("button", name="Save to file").click()
    expect(page.locator("#edit-message")).to_contain_text("Saved to the file")
    after = path.read_text()
    assert 'en: "For sales, press 1. For support, press 2. For the front desk, press 0."' in after
    assert after.count("\n") == before.count("\n")
    assert after.startswith("# yaml-language-server: $schema=")  # comments kept
    assert [line for line in after.splitlines() if line not in before.splitlines()] == [
        '        en: "For sales, press 1. For support, press 2. For the front desk, press 0."'
    ]
    assert lint_paths([str(studio_flows)]).diagnostics == []
    # The page follows the file: the state panel and the JSON twin say the new words.
    page.locator('.node[data-state="menu"]').click()
    expect(page.locator("#state-details")).to_contain_text("For the front desk, press 0.")


def test_a_broken_edit_is_refused_with_the_linters_message(
    page: Page, studio: StudioProcess, studio_flows: Path
) -> None:
    path = studio_flows / "main.yaml"
    before = path.read_text()
    page.goto(studio.base + "/flows/main")
    page.get_by_role("tab", name="Edit").click()
    page.get_by_label("office: mon-fri").fill("9am till late")
    page.get_by_role("button", name="Review changes").click()
    problems = page.locator("#edit-problems")
    expect(problems).to_contain_text(
        "flows/main.yaml:19:16: FE108 '9am till late' is not an opening time range; write it "
        "like 09:00-17:30, 9am-5:30pm or closed (invalid-hours)"
    )
    expect(page.locator("#edit-message")).to_contain_text("The linter found 1 error")
    expect(page.get_by_role("button", name="Save to file")).to_be_disabled()
    # Even a save sent by hand is refused by the server.
    status = page.evaluate(
        """async () => {
          const csrf = document.querySelector('meta[name="csrf-token"]').content;
          const version = document.getElementById("edit-fields").dataset.version;
          const field = '["hours", "office", "weekly", "mon-fri"]';
          const r = await fetch("/flows/main/save", {method: "POST",
            headers: {"X-CSRF-Token": csrf, "Content-Type": "application/json"},
            body: JSON.stringify({version, changes: {[field]: "9am till late"}})});
          return r.status;
        }"""
    )
    assert status == 422
    assert path.read_text() == before


def test_save_a_clicked_call_as_a_scenario_and_run_it(
    page: Page, studio: StudioProcess, studio_flows: Path
) -> None:
    page.goto(studio.base + "/flows/main")
    start_call(page)
    page.get_by_role("button", name="Press 9").click()
    expect(page.locator("#transcript")).to_contain_text("Pour les ventes")
    page.get_by_label("Say something").fill("support")
    page.get_by_role("button", name="Say", exact=True).click()
    expect(page.locator("#transcript")).to_contain_text("Un instant, s'il vous plaît.")
    page.get_by_label("Scenario name").fill("French caller asks for support")
    page.get_by_role("button", name="Save scenario").click()
    scenario = studio_flows.parent / "scenarios" / "main.yaml"
    expect(page.locator("#scenario-result")).to_contain_text(f"Saved to {scenario}")
    text = scenario.read_text()
    assert "name: French caller asks for support" in text and "say: support" in text
    run = subprocess.run(
        [sys.executable, "-m", "flowengine.cli", "test", str(scenario)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
    )
    assert run.returncode == 0, run.stdout + run.stderr


def test_the_page_follows_the_file_on_disk(
    page: Page, studio: StudioProcess, studio_flows: Path
) -> None:
    page.goto(studio.base + "/flows/main")
    expect(page.locator("#live-status")).to_have_text("Watching for changes")
    expect(page.locator("#problems")).to_contain_text("lint passes")
    path = studio_flows / "main.yaml"
    path.write_text(path.read_text().replace("next: voicemail", "next: voicemial", 1))
    expect(page.locator("#problems .sev-error")).to_contain_text("voicemial")
    expect(page.locator("#live-status")).to_contain_text("Updated from disk")


def test_an_edit_made_on_disk_while_the_form_is_open_is_never_overwritten(
    page: Page, studio: StudioProcess, studio_flows: Path
) -> None:
    page.goto(studio.base + "/flows/main")
    expect(page.locator("#live-status")).to_have_text("Watching for changes")
    page.get_by_role("tab", name="Edit").click()
    page.get_by_label("goodbye: say (en)").fill("Bye now.")
    path = studio_flows / "main.yaml"  # a colleague changes the same words meanwhile
    path.write_text(path.read_text().replace('en: "Goodbye."', 'en: "Farewell."', 1))
    expect(page.locator("#edit-notice")).to_contain_text("changed on disk")
    page.get_by_role("button", name="Review changes").click()
    expect(page.locator("#edit-message")).to_contain_text("changed on disk")
    expect(page.get_by_role("button", name="Save to file")).to_be_disabled()
    page.get_by_role("button", name="Save to file").click(force=True)  # even if forced
    assert 'en: "Farewell."' in path.read_text() and "Bye now." not in path.read_text()
    assert page.get_by_label("goodbye: say (en)").input_value() == "Bye now."  # still there


def test_an_options_target_is_changed_by_keyboard_and_saved(
    page: Page, studio: StudioProcess, studio_flows: Path
) -> None:
    page.goto(studio.base + "/flows/main")
    page.get_by_role("tab", name="Edit").click()
    target = page.get_by_label("menu: on 2, support, help")
    expect(target).to_have_value("support")
    target.focus()  # the list of states is there once the select is reached
    expect(target.locator("option")).to_have_count(12)
    target.select_option("voicemail")
    page.get_by_role("button", name="Review changes").click()
    expect(page.locator("#edit-diff")).to_contain_text('+      "2, support, help": voicemail')
    page.get_by_role("button", name="Save to file").click()
    expect(page.locator("#edit-message")).to_contain_text("Saved to the file")
    assert '"2, support, help": voicemail' in (studio_flows / "main.yaml").read_text()


def test_a_flow_of_500_states_stays_light(page: Page, tmp_path: Path) -> None:
    flows = tmp_path / "big"
    flows.mkdir()
    lines = ["description: five hundred states", "start: s0", "states:"]
    for i in range(499):
        lines += [f"  s{i}:", "    gather:", f'      say: "State {i}"', "    on:"]
        lines += [f'      "1": s{i + 1}', '      "2": s499', "      no-input: s499"]
    lines += ["  s499:", "    say: the end", "    hangup: true"]
    (flows / "big.yaml").write_text("\n".join(lines) + "\n")
    server = StudioProcess(flows, tmp_path / "studio.log")
    try:
        page.goto(server.base + "/flows/big")
        # Each of the 1,497 selects held all 500 states: 750,000 options, a page of 38 MB.
        assert page.locator("option").count() < 2_000
        page.get_by_role("tab", name="Edit").click()
        target = page.get_by_label("s0: on 1")
        target.focus()
        expect(target.locator("option")).to_have_count(500)
        expect(target).to_have_value("s1")
    finally:
        server.stop()


def test_keyboard_only(page: Page, studio: StudioProcess) -> None:
    page.goto(studio.base + "/flows/main")

    def tab_to(selector: str, limit: int = 60) -> None:
        for _ in range(limit):
            page.keyboard.press("Tab")
            if page.evaluate(f"document.activeElement.matches({selector!r})"):
                return
        raise AssertionError(f"Tab never reached {selector}")

    page.keyboard.press("Tab")
    expect(page.locator(".skip")).to_be_focused()
    tab_to('.node[data-state="menu"]')
    outline = page.evaluate(
        "getComputedStyle(document.activeElement.querySelector('rect')).strokeWidth"
    )
    assert outline == "3px"  # a focused state is drawn heavier
    page.keyboard.press("Enter")
    expect(page.locator("#state-details h3")).to_contain_text("menu")
    tab_to('[role="tab"][aria-selected="true"]')
    page.keyboard.press("ArrowRight")
    expect(page.get_by_role("tab", name="Try a call")).to_be_focused()
    expect(page.locator("#pane-try")).to_be_visible()
    tab_to("#call-start")
    page.keyboard.press("Enter")
    expect(page.locator("#transcript")).to_contain_text("Thank you for calling Acme")
    tab_to('[data-key="1"]')
    assert page.evaluate("getComputedStyle(document.activeElement).outlineStyle") != "none"
    page.keyboard.press("Enter")
    expect(page.locator("#transcript")).to_contain_text("For sales, press 1")
    # Back to the tabs, across to Edit, into a field, and review the change.
    for _ in range(80):
        page.keyboard.press("Shift+Tab")
        if page.evaluate("document.activeElement.getAttribute('role') === 'tab'"):
            break
    page.keyboard.press("ArrowRight")
    expect(page.get_by_role("tab", name="Edit")).to_be_focused()
    tab_to('[data-field="[\\"description\\"]"]')
    page.keyboard.press("End")
    page.keyboard.type(" (keyboard)")
    tab_to("#edit-review")
    page.keyboard.press("Enter")
    expect(page.locator("#edit-diff")).to_contain_text("+description: Acme main line")
    expect(page.locator("#edit-diff")).to_contain_text("support (keyboard)")
    tab_to("#edit-save", limit=5)
    expect(page.locator("#edit-save")).to_be_enabled()


def test_readable_on_a_tablet_without_layout_shifts(
    browser: Browser, studio: StudioProcess, tmp_path: Path
) -> None:
    context = browser.new_context(viewport=TABLET)  # type: ignore[arg-type]
    page = context.new_page()
    page.add_init_script(
        "window.__shift = 0; new PerformanceObserver((list) => {"
        " for (const e of list.getEntries()) if (!e.hadRecentInput) window.__shift += e.value;"
        " }).observe({type: 'layout-shift', buffered: true});"
    )
    for url in ("/", "/flows/main"):
        page.goto(studio.base + url)
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0, f"{url} scrolls sideways by {overflow}px on a tablet"
    start_call(page)
    page.get_by_role("button", name="Press 1").click()
    expect(page.locator("#transcript")).to_contain_text("For sales, press 1")
    shoot(page, "tablet", tmp_path, top=False)
    assert page.evaluate("window.__shift") < 0.05
    context.close()


def test_edit_the_yaml_itself(page: Page, studio: StudioProcess, studio_flows: Path) -> None:
    path = studio_flows / "main.yaml"
    text = path.read_text().replace(
        "  goodbye:\n", "  # the last words of every call\n  goodbye:\n"
    )
    page.goto(studio.base + "/flows/main")
    page.get_by_role("tab", name="Edit").click()
    page.get_by_text("Edit the YAML itself").click()
    page.get_by_label("The file flows/main.yaml").fill(text)
    page.get_by_role("button", name="Review YAML").click()
    expect(page.locator("#edit-diff")).to_contain_text("+  # the last words of every call")
    page.get_by_role("button", name="Save YAML").click()
    expect(page.locator("#edit-message")).to_contain_text("Saved to the file")
    assert path.read_text() == text
    broken = text.replace("start: screen", "start: nowhere")
    page.get_by_label("The file flows/main.yaml").fill(broken)
    page.get_by_role("button", name="Review YAML").click()
    expect(page.locator("#edit-problems")).to_contain_text("nowhere")
    expect(page.get_by_role("button", name="Save YAML")).to_be_disabled()
    assert path.read_text() == text


def test_the_page_loads_the_twilio_voice_sdk_when_real_calls_are_configured(
    page: Page, studio_flows: Path, tmp_path: Path
) -> None:
    env = {
        "TWILIO_ACCOUNT_SID": "AC" + "1" * 32,
        "TWILIO_API_KEY": "SK" + "2" * 32,
        "TWILIO_API_SECRET": "s" * 32,
        "TWILIO_TWIML_APP_SID": "AP" + "4" * 32,
    }
    server = StudioProcess(studio_flows, tmp_path / "voice.log", env)
    try:
        page.goto(server.base + "/flows/main")
        page.get_by_role("tab", name="Try a call").click()
        expect(page.locator("#real-call")).to_have_attribute("data-sdk", "loaded")
        assert page.evaluate("typeof window.Twilio.Device") == "function"
        expect(page.get_by_role("button", name="Call for real")).to_be_visible()
    finally:
        server.stop()
