"""A word diff of two texts, as a caller would notice it: which words went, which came."""

from __future__ import annotations

from difflib import SequenceMatcher

Piece = tuple[str, str]  # ("=", "same words"), ("-", "removed words"), ("+", "added words")


def word_diff(old: str, new: str) -> list[Piece]:
    a, b = old.split(), new.split()
    pieces: list[Piece] = []
    matcher = SequenceMatcher(None, a, b, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            pieces.append(("=", " ".join(a[i1:i2])))
            continue
        if i2 > i1:
            pieces.append(("-", " ".join(a[i1:i2])))
        if j2 > j1:
            pieces.append(("+", " ".join(b[j1:j2])))
    return pieces


def as_text(pieces: list[Piece], context: int = 6) -> str:
    """`[-old-]{+new+}` as `git diff --word-diff` writes it; long equal runs shortened."""
    out = []
    for index, (tag, text) in enumerate(pieces):
        if tag == "-":
            out.append(f"[-{text}-]")
        elif tag == "+":
            out.append(f"{{+{text}+}}")
        else:
            out.append(_shorten(text, context, first=index == 0, last=index == len(pieces) - 1))
    return " ".join(out)


def as_markdown(pieces: list[Piece], context: int = 6) -> str:
    """Removed words struck through, added words in bold."""
    out = []
    for index, (tag, text) in enumerate(pieces):
        safe = escape_markdown(text)
        if tag == "-":
            out.append(f"~~{safe}~~")
        elif tag == "+":
            out.append(f"**{safe}**")
        else:
            out.append(_shorten(safe, context, first=index == 0, last=index == len(pieces) - 1))
    return " ".join(out)


def escape_markdown(text: str) -> str:
    for char in "\\`*_~[]<|":
        text = text.replace(char, "\\" + char)
    return text


def code_span(text: str) -> str:
    """`text` as Markdown code: backslashes are not escapes there, so only backticks matter."""
    return f"`` {text} ``" if "`" in text else f"`{text}`"


def _shorten(text: str, context: int, *, first: bool, last: bool) -> str:
    words = text.split()
    if len(words) <= 2 * context:
        return text
    if first:
        return "… " + " ".join(words[-context:])
    if last:
        return " ".join(words[:context]) + " …"
    return " ".join(words[:context]) + " … " + " ".join(words[-context:])
