"""Every lint rule, in one explicit table: no discovery, no plugins.

The codes are stable: FE000 is a file that cannot be read at all, FE0xx are found while
reading it (YAML, schema, structure), FE1xx by the compiler, FE2xx by the linter's checks
of the compiled graph and document (FE290, unused-ignore, by the filter that applies the
`# flowengine: ignore[...]` comments).
"""

from __future__ import annotations

from flowengine.lint.rule import Rule
from flowengine.lint.rules import (
    attribute_out_of_range,
    bad_condition,
    bad_pattern,
    call_back_outside_queue,
    callback_cannot_connect,
    dead_end,
    duplicate_key,
    env_without_default,
    fetch_result_before_fetch,
    fetch_too_slow,
    fetch_without_error_path,
    imported_placeholder,
    impossible_digits,
    invalid_hours,
    invalid_ssml,
    loop_bound_from_caller,
    loop_without_wait,
    misplaced_key,
    missing_handler,
    missing_translation,
    non_e164,
    one_action,
    reject_not_first,
    say_too_long,
    schema,
    shadowed_option,
    split_weights,
    template_syntax,
    too_long_to_hear,
    unknown_flow,
    unknown_language,
    unknown_outcome,
    unknown_setting,
    unknown_state,
    unknown_variable,
    unknown_voice,
    unmatchable_phrase,
    unreachable_state,
    unreadable,
    unset_environment_variable,
    unsupported_language,
    unused_ignore,
    unused_setting,
    voice_language_mismatch,
    wait_flow_verb,
    whisper_cannot_end,
    wrong_channel,
    yaml_syntax,
)

RULES: tuple[Rule, ...] = (
    unreadable.RULE,
    yaml_syntax.RULE,
    duplicate_key.RULE,
    schema.RULE,
    one_action.RULE,
    wrong_channel.RULE,
    misplaced_key.RULE,
    unknown_outcome.RULE,
    unknown_state.RULE,
    unknown_setting.RULE,
    template_syntax.RULE,
    unknown_variable.RULE,
    loop_without_wait.RULE,
    invalid_ssml.RULE,
    bad_pattern.RULE,
    invalid_hours.RULE,
    bad_condition.RULE,
    unknown_language.RULE,
    unmatchable_phrase.RULE,
    unset_environment_variable.RULE,
    fetch_too_slow.RULE,
    split_weights.RULE,
    unreachable_state.RULE,
    dead_end.RULE,
    missing_handler.RULE,
    impossible_digits.RULE,
    shadowed_option.RULE,
    env_without_default.RULE,
    non_e164.RULE,
    unknown_voice.RULE,
    unsupported_language.RULE,
    voice_language_mismatch.RULE,
    say_too_long.RULE,
    attribute_out_of_range.RULE,
    unused_setting.RULE,
    missing_translation.RULE,
    reject_not_first.RULE,
    unknown_flow.RULE,
    wait_flow_verb.RULE,
    loop_bound_from_caller.RULE,
    too_long_to_hear.RULE,
    imported_placeholder.RULE,
    fetch_without_error_path.RULE,
    fetch_result_before_fetch.RULE,
    whisper_cannot_end.RULE,
    call_back_outside_queue.RULE,
    callback_cannot_connect.RULE,
    unused_ignore.RULE,
)

BY_CODE: dict[str, Rule] = {rule.code: rule for rule in RULES}
BY_NAME: dict[str, Rule] = {rule.name: rule for rule in RULES}


def find(code_or_name: str) -> Rule | None:
    return BY_CODE.get(code_or_name.upper()) or BY_NAME.get(code_or_name.lower())
