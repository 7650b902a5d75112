"""The import report: how every Studio widget came over, in words for whoever owns the menu."""

from __future__ import annotations

from flowengine.importers.studio.context import CHECK, MISSING, SAME, ImportContext, Note

MARKS = {SAME: "✔ same", CHECK: "⚠ check", MISSING: "✖ needs you"}


def report(ctx: ImportContext, name: str, source: str, start: str) -> str:
    lines = [
        f"# Import report: {source or 'Studio flow'} → flows/{name}.yaml",
        "",
        f'The Studio flow "{ctx.flow.description or name}" is now the flowengine flow `{name}` '
        f"({'text messages' if ctx.channel == 'sms' else 'phone calls'}); it starts at `{start}`.",
        "",
        "- ✔ same: works as it did in Studio.",
        "- ⚠ check: works, with a difference you should know about.",
        "- ✖ needs you: not carried over; someone has to finish it before the flow goes live.",
        "",
        "| Studio widget | type | became | status | what to know |",
        "| --- | --- | --- | --- | --- |",
    ]
    for widget in sorted(ctx.widgets.values(), key=lambda w: w.index):
        notes = ctx.notes.get(widget.name, [])
        level = _worst(notes) if notes else (CHECK if widget.type != "trigger" else SAME)
        became = _became(widget.name, widget.type, ctx)
        words = "; ".join(n.text for n in notes if n.level != SAME) or "; ".join(
            n.text for n in notes
        )
        if widget.type == "trigger" and not words:
            words = "where the call starts"
        lines.append(
            f"| {widget.name} | {widget.type} | {became} | {MARKS[level]} | {_cell(words)} |"
        )
    flow_notes = ctx.notes.get("(flow)", [])
    if flow_notes:
        lines += ["", "## About the whole flow", ""]
        lines += [f"- {MARKS[n.level]}: {n.text}" for n in _unique(flow_notes)]
    if ctx.settings:
        lines += [
            "",
            "## Settings to set in each environment",
            "",
            "Phone numbers and addresses that belong to one Twilio account became settings. "
            "Each reads an environment variable and falls back to the value from Studio:",
            "",
            "| setting | environment variable and Studio's value |",
            "| --- | --- |",
        ]
        lines += [f"| `{k}` | `{v}` |" for k, v in ctx.settings.items()]
    if ctx.unmapped:
        lines += ["", "## Template text that could not be rewritten", ""]
        for owner, originals in ctx.unmapped.items():
            lines.append(f"- {owner}: " + ", ".join(f"`{o}`" for o in dict.fromkeys(originals)))
    lines += [
        "",
        "## Next steps",
        "",
        f"1. `flowengine lint flows/{name}.yaml`: fix every error; read every warning.",
        f"2. Try it: `flowengine simulate flows/{name}.yaml`, then write scenarios "
        "(`flowengine test`).",
        "3. Set the settings above, then point the number's webhook at flowengine "
        "(see docs/import.md).",
        "",
    ]
    return "\n".join(lines)


def _became(widget: str, kind: str, ctx: ImportContext) -> str:
    if kind == "trigger":
        return "the flow's start"
    if widget in ctx.folded:
        return f"options of `{ctx.names[ctx.folded[widget]]}`"
    if widget not in ctx.written:
        return "no state (placed by `flowengine call`)"
    return f"`{ctx.names[widget]}`"


def _worst(notes: list[Note]) -> str:
    levels = {n.level for n in notes}
    return MISSING if MISSING in levels else CHECK if CHECK in levels else SAME


def _unique(notes: list[Note]) -> list[Note]:
    seen: dict[str, Note] = {}
    for note in notes:
        seen.setdefault(note.text, note)
    return list(seen.values())


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")
