"""Say, Play and Pause: what the caller hears, compiled into TwiML fragments per language."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from typing import Any

from flowengine.flow import codes, twiml
from flowengine.flow.context import CompileContext
from flowengine.flow.loader import KeyPath
from flowengine.flow.templates import LIQUID_MARKUP
from flowengine.flow.twiml import Fragment, Part

SSML_TAGS = frozenset(
    {"break", "emphasis", "lang", "p", "phoneme", "prosody", "s", "say-as", "sub", "w"}
)
DEFAULT_VOICE = "default"


def is_ssml(text: str) -> bool:
    return "<" in LIQUID_MARKUP.sub("", text)


def ssml_problem(text: str) -> str:
    """Why a say text with tags is not valid SSML for Twilio, or '' when it is."""
    try:
        root = ET.fromstring(f"<speak>{LIQUID_MARKUP.sub('x', text)}</speak>")
    except ET.ParseError as exc:
        return f"the SSML tags are not well formed ({exc}); write & as &amp; and close every tag"
    for node in root.iter():
        if node is not root and node.tag not in SSML_TAGS:
            return f"<{node.tag}> is not an SSML tag Twilio knows ({', '.join(sorted(SSML_TAGS))})"
    return ""


def text_parts(compiler: CompileContext, text: str, path: KeyPath) -> Fragment:
    """Escaped TwiML for one text; SSML tags written by the author are kept as markup."""
    markup = is_ssml(text)
    if markup and (problem := ssml_problem(text)):
        compiler.error(path, *codes.INVALID_SSML, problem)
        markup = False
    template = compiler.template(text, path, markup=markup)
    if template.constant is not None:
        return (template.constant if markup else twiml.text(template.constant),)
    return (twiml.checked(template.render) if markup else twiml.escaped(template.render),)


def pick(compiler: CompileContext, value: Any, language: str) -> tuple[Any, KeyPath]:
    """The text for a language from a plain text or a table of texts by language."""
    if isinstance(value, dict):
        if language in value:
            return value[language], (language,)
        fallback = compiler.languages[0] if compiler.languages[0] in value else next(iter(value))
        return value[fallback], (fallback,)
    return value, ()


def say(compiler: CompileContext, value: Any, path: KeyPath) -> dict[str, Fragment]:
    options: dict[str, Any] = {}
    if isinstance(value, dict) and "text" in value:
        options, value, path = value, value["text"], (*path, "text")
    if isinstance(value, dict):
        compiler.check_languages(value, path)
    result = {}
    for language in compiler.languages:
        text, sub = pick(compiler, value, language)
        voice, code = compiler.voice(language)
        chosen = options.get("voice", voice)
        attributes = {
            # `default` asks for Twilio's own voice even when the flow sets one.
            "voice": None if chosen == DEFAULT_VOICE else chosen,
            "language": options.get("language", code),
            "loop": options.get("loop"),
        }
        result[language] = twiml.element(
            "Say", attributes, text_parts(compiler, text, (*path, *sub))
        )
    return result


def play(compiler: CompileContext, value: Any, path: KeyPath) -> Fragment:
    if isinstance(value, str):
        value, url_path = {"url": value}, path
    else:
        url_path = (*path, "url")
    body: tuple[Part, ...] = ()
    if "url" in value:
        body = text_parts(compiler, value["url"], url_path)
    return twiml.element("Play", {"loop": value.get("loop"), "digits": value.get("digits")}, body)


def pause(seconds: int) -> Fragment:
    return twiml.element("Pause", {"length": seconds})


def prompts(compiler: CompileContext, spec: dict[str, Any], path: KeyPath) -> dict[str, Fragment]:
    """The prompts of a state or gather (say, play, pause or a prompts list), by language."""
    items: list[tuple[str, Any, KeyPath]] = []
    if "prompts" in spec:
        for index, item in enumerate(spec["prompts"]):
            key = next(iter(item))
            items.append((key, item[key], (*path, "prompts", index, key)))
    for key in ("say", "play", "pause"):
        if key in spec:
            items.append((key, spec[key], (*path, key)))
    result: dict[str, list[Part]] = {language: [] for language in compiler.languages}
    for key, value, where in items:
        if key == "say":
            for language, fragment in say(compiler, value, where).items():
                result[language].extend(fragment)
        else:
            fragment = play(compiler, value, where) if key == "play" else pause(value)
            for parts in result.values():
                parts.extend(fragment)
    return {language: twiml.merge(parts) for language, parts in result.items()}
