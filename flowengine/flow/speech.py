"""Normalising what a caller said (or texted) so that "Sales!" matches the option sales."""

from __future__ import annotations

import re
import unicodedata

_NOT_WORD = re.compile(r"[^\w']+|'(?!\w)|(?<!\w)'")


def words(text: str) -> tuple[str, ...]:
    """Lower case, accents kept, punctuation dropped: 'Yes, please.' -> ('yes', 'please')."""
    folded = unicodedata.normalize("NFKC", text).casefold()
    return tuple(w for w in _NOT_WORD.sub(" ", folded).split() if w)


def contains(heard: tuple[str, ...], phrase: tuple[str, ...]) -> bool:
    """True when the phrase's words appear together, in order, in what was heard."""
    if not phrase or len(phrase) > len(heard):
        return False
    width = len(phrase)
    return any(heard[i : i + width] == phrase for i in range(len(heard) - width + 1))
