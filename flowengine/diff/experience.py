"""Caller-experience figures for one flow: how long and how many menus it takes to reach a
person, how deep the menus go, the longest prompt, and the menus that offer no way back and
no way to an operator.

Seconds are estimated from the words at a stated speaking rate (150 words a minute by
default), plus pauses, plus the gather's timeout when the way goes through silence (5 s
when the flow does not say). Audio files count for nothing: their length is not in the flow.
"""

from __future__ import annotations

import heapq
from dataclasses import dataclass, field
from typing import Any

from flowengine.diff import heard
from flowengine.diff.heard import WORDS_PER_MINUTE, Language
from flowengine.flow.graph import Graph, State, targets
from flowengine.flow.states import alternatives

PERSON_ACTIONS = frozenset({"dial", "enqueue"})  # a person answers, or the caller waits for one
DEFAULT_TIMEOUT = 5.0
SEARCH_BUDGET = 200_000  # paths looked at for the longest way and the menu depth


@dataclass(frozen=True)
class Way:
    seconds: float
    steps: int  # menus answered on the way
    path: tuple[str, ...]

    def as_json(self) -> dict[str, Any]:
        return {"seconds": round(self.seconds, 1), "steps": self.steps, "path": list(self.path)}


@dataclass
class Figures:
    flow: str
    rate: float
    shortest: Way | None = None  # to a person; None: no person can be reached in this flow
    longest: Way | None = None
    menu_depth: int = 0
    menus: int = 0
    longest_prompt: tuple[str, str, float, int] | None = None  # state, language, seconds, words
    no_way_out: list[str] = field(default_factory=list)  # menus with no way back or to a person
    complete: bool = True  # False when the flow has too many paths to look at every one

    def as_json(self) -> dict[str, Any]:
        prompt = self.longest_prompt
        return {
            "flow": self.flow,
            "words_per_minute": self.rate,
            "to_a_person": {
                "shortest": self.shortest.as_json() if self.shortest else None,
                "longest": self.longest.as_json() if self.longest else None,
            },
            "menus": self.menus,
            "menu_depth": self.menu_depth,
            "longest_prompt": None
            if prompt is None
            else {
                "state": prompt[0],
                "language": prompt[1],
                "seconds": round(prompt[2], 1),
                "words": prompt[3],
            },
            "menus_without_way_back_or_operator": self.no_way_out,
            "complete": self.complete,
        }


class _Walk:
    def __init__(self, graph: Graph, rate: float) -> None:
        self.graph = graph
        self.rate = rate
        default = Language(graph.languages[0], graph.languages[0])
        self.language = default
        self.prompt = {
            name: heard.seconds(heard.prompt(graph.data["states"][name], default), rate)
            for name in graph.states
        }
        self.budget = SEARCH_BUDGET

    def spec(self, name: str) -> dict[str, Any]:
        spec: dict[str, Any] = self.graph.data["states"][name]
        return spec

    def timeout(self, name: str) -> float:
        gather = self.spec(name).get("gather")
        value = gather.get("timeout") if isinstance(gather, dict) else None
        return float(value) if isinstance(value, int | float) else DEFAULT_TIMEOUT

    def ways_out(self, name: str) -> list[tuple[str, float]]:
        """(next state, seconds the way out itself costs) for every way out of a state."""
        state = self.graph.states[name]
        result = []
        for target in targets(state):
            cost = 0.0
            if "no-input" in alternatives(target.label):
                cost = self.timeout(name)
            elif target.label == "retry" and state.retry is not None:
                cost = self.through_retries(name, state.retry.max)
            result.append((target.state, cost))
        return result

    def through_retries(self, name: str, failures: int) -> float:
        """Silence `failures` times: after each but the last, the next no-input prompt (the
        last one repeats) and the question again; the question's first hearing is the state's."""
        texts = heard.retries(self.spec(name), self.language)
        said = [text for key, text in texts.items() if key.startswith("no-input")]
        cost = self.timeout(name)
        for failure in range(1, failures):
            sorry = said[min(failure, len(said)) - 1] if said else ""
            cost += heard.seconds(sorry, self.rate) + self.prompt[name] + self.timeout(name)
        return cost

    def person(self, name: str) -> bool:
        return self.graph.states[name].action in PERSON_ACTIONS

    def menu(self, state: State) -> bool:
        """A question with answers to choose from (not a gather that takes any answer)."""
        if state.action != "gather":
            return False
        keys = any(key not in ("no-input", "no-match") for key in state.on)
        return keys or bool(state.phrases or state.patterns)


def figures(graph: Graph, rate: float = WORDS_PER_MINUTE) -> Figures:
    walk = _Walk(graph, rate)
    result = Figures(graph.name, rate)
    if graph.channel != "voice":
        return result
    result.shortest = _shortest(walk)
    result.longest, result.menu_depth, result.complete = _longest(walk)
    menus = [s for s in graph.states.values() if walk.menu(s)]
    result.menus = len(menus)
    result.no_way_out = sorted(s.name for s in menus if not _way_out(walk, s))
    result.longest_prompt = _longest_prompt(graph, rate)
    return result


def _shortest(walk: _Walk) -> Way | None:
    start = walk.graph.start
    queue: list[tuple[float, int, tuple[str, ...]]] = [(walk.prompt[start], 0, (start,))]
    done: set[str] = set()
    while queue:
        seconds, steps, path = heapq.heappop(queue)
        name = path[-1]
        if name in done:
            continue
        done.add(name)
        if walk.person(name):
            return Way(seconds, steps, path)
        menus = steps + (walk.graph.states[name].action == "gather")
        for target, cost in walk.ways_out(name):
            if target not in done:
                heapq.heappush(
                    queue, (seconds + cost + walk.prompt[target], menus, (*path, target))
                )
    return None


def _longest(walk: _Walk) -> tuple[Way | None, int, bool]:
    """The slowest way to a person that never goes round in a circle, and the menu depth."""
    best: Way | None = None
    depth = 0
    start = walk.graph.start
    stack: list[tuple[str, float, int, tuple[str, ...]]] = [
        (start, walk.prompt[start], 0, (start,))
    ]
    while stack:
        if walk.budget <= 0:
            return best, depth, False
        walk.budget -= 1
        name, seconds, steps, path = stack.pop()
        menus = steps + (walk.graph.states[name].action == "gather")
        depth = max(depth, menus)
        if walk.person(name):
            if best is None or (seconds, steps) > (best.seconds, best.steps):
                best = Way(seconds, steps, path)
            continue
        for target, cost in walk.ways_out(name):
            if target not in path:
                stack.append((target, seconds + cost + walk.prompt[target], menus, (*path, target)))
    return best, depth, True


def _reaches(walk: _Walk, source: str, goal: str) -> bool:
    seen, todo = {source}, [source]
    while todo:
        name = todo.pop()
        if name == goal:
            return True
        for target, _ in walk.ways_out(name):
            if target not in seen:
                seen.add(target)
                todo.append(target)
    return False


def _person_without_menu(walk: _Walk, source: str) -> bool:
    """A person is reached from `source` without another question to the caller."""
    seen, todo = {source}, [source]
    while todo:
        name = todo.pop()
        if walk.person(name):
            return True
        if walk.graph.states[name].waits:
            continue
        for target, _ in walk.ways_out(name):
            if target not in seen:
                seen.add(target)
                todo.append(target)
    return False


def _way_out(walk: _Walk, menu: State) -> bool:
    chosen = [*menu.on.items(), *((t.label, t) for _, t in menu.patterns)]
    chosen += [(t.label, t) for _, t in menu.phrases]
    for key, target in chosen:
        if key in ("no-input", "no-match") or target.state == menu.name:
            continue
        if _person_without_menu(walk, target.state) or _reaches(walk, target.state, menu.name):
            return True
    return False


def _longest_prompt(graph: Graph, rate: float) -> tuple[str, str, float, int] | None:
    best: tuple[str, str, float, int] | None = None
    default = graph.languages[0]
    for name in graph.states:
        spec = graph.data["states"][name]
        for language in graph.languages:
            text = heard.prompt(spec, Language(language, default))
            seconds = heard.seconds(text, rate)
            if best is None or seconds > best[2]:
                best = (name, language, seconds, heard.word_count(text))
    return best
