"""Which state of the new flow is which state of the old one: same name, or a rename.

A state that disappeared and a state that appeared are the same state renamed when they
are alike: what they say, the answers they take, their settings, and who leads to them
(the state and answer that sent callers there). The most alike pairs are matched first.
"""

from __future__ import annotations

from dataclasses import dataclass

from flowengine.diff.facts import FlowFacts, StateFacts

THRESHOLD = 0.5  # Jaccard similarity of the two states' tokens


@dataclass(frozen=True)
class Match:
    renamed: dict[str, str]  # old name -> new name
    similarity: dict[str, float]  # old name -> similarity, for renamed states
    removed: tuple[str, ...]
    added: tuple[str, ...]

    def new_name(self, old: str) -> str:
        return self.renamed.get(old, old)


def match_states(old: FlowFacts, new: FlowFacts) -> Match:
    gone = [name for name in old.states if name not in new.states]
    came = [name for name in new.states if name not in old.states]
    old_in, new_in = _incoming(old), _incoming(new)
    pairs = []
    for a in gone:
        for b in came:
            score = _similarity(
                old.states[a], new.states[b], old_in.get(a, set()), new_in.get(b, set())
            )
            if score >= THRESHOLD:
                pairs.append((-score, a, b))
    renamed: dict[str, str] = {}
    similarity: dict[str, float] = {}
    for negative, a, b in sorted(pairs):
        if a not in renamed and b not in renamed.values():
            renamed[a], similarity[a] = b, round(-negative, 2)
    return Match(
        renamed,
        similarity,
        tuple(name for name in gone if name not in renamed),
        tuple(name for name in came if name not in renamed.values()),
    )


def _incoming(flow: FlowFacts) -> dict[str, set[str]]:
    """Per state, 'SOURCE/ANSWER' for every way into it."""
    result: dict[str, set[str]] = {}
    for name, state in flow.states.items():
        for answer, where in state.targets.items():
            target = where.split(" (", 1)[0]
            result.setdefault(target, set()).add(f"from:{name}/{answer}")
    if flow.start in flow.states:
        result.setdefault(flow.start, set()).add("from:(start)")
    return result


def _similarity(a: StateFacts, b: StateFacts, into_a: set[str], into_b: set[str]) -> float:
    left, right = a.signature() | into_a, b.signature() | into_b
    if not left or not right:
        return 0.0
    return len(left & right) / len(left | right)
