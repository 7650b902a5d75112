"""Twilio's voices, language codes and ring tones (data/twiml-enums.json), loaded once."""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path

_ENUMS = Path(__file__).parent.parent / "data" / "twiml-enums.json"

# The language each Amazon Polly voice speaks (primary subtag), from the Polly voice list.
# Twilio's enum names voices but not their languages; Google names carry the language.
_POLLY: dict[str, str] = {
    "en": "Amy Aria Arthur Ayanda Brian Danielle Emma Geraint Gregory Ivy Joanna Joey "
    "Justin Kendra Kevin Kimberly Matthew Niamh Nicole Olivia Raveena Russell Ruth "
    "Salli Stephen Aditi Kajal",
    "hi": "Aditi Kajal",
    "fr": "Celine Chantal Gabrielle Isabelle Lea Liam Mathieu Remi Rémi",
    "de": "Daniel Hannah Hans Marlene Vicki",
    "es": "Andres Conchita Enrique Lucia Lupe Mia Mía Miguel Penelope Pedro Sergio",
    "it": "Adriano Bianca Carla Giorgio",
    "pt": "Camila Cristiano Ines Ricardo Thiago Vitoria",
    "nl": "Laura Lisa Lotte Ruben",
    "da": "Mads Naja Sofie",
    "sv": "Astrid Elin",
    "nb": "Ida Liv",
    "pl": "Ewa Jacek Jan Maja Ola",
    "ru": "Maxim Tatyana",
    "ja": "Kazuha Mizuki Takumi Tomoko",
    "ko": "Seoyeon",
    "zh": "Hiujin Zhiyu",
    "ar": "Hala Zayd Zeina",
    "tr": "Burcu Filiz",
    "is": "Dora Karl",
    "cy": "Gwyneth",
    "ro": "Carmen",
    "ca": "Arlet",
    "fi": "Suvi",
}
# Language subtags that name the same spoken language.
_SAME = {"cmn": "zh", "yue": "zh", "arb": "ar", "no": "nb"}


@dataclass(frozen=True)
class Enums:
    voices: frozenset[str]
    say_languages: frozenset[str]
    gather_languages: frozenset[str]
    ring_tones: frozenset[str]
    polly: dict[str, frozenset[str]]


@cache
def enums() -> Enums:
    data = json.loads(_ENUMS.read_text(encoding="utf-8"))
    polly: dict[str, set[str]] = {}
    for language, names in _POLLY.items():
        for name in names.split():
            polly.setdefault(name, set()).add(language)
    return Enums(
        frozenset(data["SayVoice"]),
        frozenset(data["SayLanguage"]),
        frozenset(data["GatherLanguage"]),
        frozenset(data["DialRingTone"]),
        {name: frozenset(languages) for name, languages in polly.items()},
    )


def primary(code: str) -> str:
    """'fr-CA' -> 'fr'; 'cmn-CN' -> 'zh'."""
    first = code.split("-")[0].lower()
    return _SAME.get(first, first)


def voice_languages(voice: str) -> frozenset[str] | None:
    """The languages a voice speaks (primary subtags), or None when we do not know."""
    if voice.startswith("Google."):
        return frozenset({primary(voice[len("Google.") :])})
    if voice.startswith("Polly."):
        base = voice[len("Polly.") :].split("-")[0]
        return enums().polly.get(base)
    return None
