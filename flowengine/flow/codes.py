"""The codes of the problems the loader, the schema and the compiler report themselves.

Each is defined here once; the lint rule table documents them (lint/rules/) and lets a
project select or ignore them like any other rule."""

from __future__ import annotations

from flowengine.diagnostics import Code

UNREADABLE = Code("FE000", "unreadable")
YAML_SYNTAX = Code("FE001", "yaml-syntax")
DUPLICATE_KEY = Code("FE002", "duplicate-key")
SCHEMA = Code("FE003", "schema")
ONE_ACTION = Code("FE004", "one-action")
WRONG_CHANNEL = Code("FE005", "wrong-channel")
MISPLACED_KEY = Code("FE006", "misplaced-key")
UNKNOWN_OUTCOME = Code("FE007", "unknown-outcome")
UNKNOWN_STATE = Code("FE101", "unknown-state")
UNKNOWN_SETTING = Code("FE102", "unknown-setting")
TEMPLATE_SYNTAX = Code("FE103", "template-syntax")
UNKNOWN_VARIABLE = Code("FE104", "unknown-variable")
LOOP_WITHOUT_WAIT = Code("FE105", "loop-without-wait")
INVALID_SSML = Code("FE106", "invalid-ssml")
BAD_PATTERN = Code("FE107", "bad-pattern")
INVALID_HOURS = Code("FE108", "invalid-hours")
BAD_CONDITION = Code("FE109", "bad-condition")
UNKNOWN_LANGUAGE = Code("FE110", "unknown-language")
UNMATCHABLE_PHRASE = Code("FE111", "unmatchable-phrase")
UNSET_ENVIRONMENT_VARIABLE = Code("FE112", "unset-environment-variable")
FETCH_TOO_SLOW = Code("FE140", "fetch-too-slow")
SPLIT_WEIGHTS = Code("FE141", "split-weights")

CORE_CODES: tuple[Code, ...] = (
    UNREADABLE,
    YAML_SYNTAX,
    DUPLICATE_KEY,
    SCHEMA,
    ONE_ACTION,
    WRONG_CHANNEL,
    MISPLACED_KEY,
    UNKNOWN_OUTCOME,
    UNKNOWN_STATE,
    UNKNOWN_SETTING,
    TEMPLATE_SYNTAX,
    UNKNOWN_VARIABLE,
    LOOP_WITHOUT_WAIT,
    INVALID_SSML,
    BAD_PATTERN,
    INVALID_HOURS,
    BAD_CONDITION,
    UNKNOWN_LANGUAGE,
    UNMATCHABLE_PHRASE,
    UNSET_ENVIRONMENT_VARIABLE,
    FETCH_TOO_SLOW,
    SPLIT_WEIGHTS,
)
