"""What real callers did in one flow, added up from the history's steps in one pass.

Fed the steps of each call in order (as a store's `scan` yields them), it counts calls
and outcomes, the states entered and the transitions taken (matched against the flow's
own edges, as scenario coverage does), where callers hung up, how often each gather had
to ask again, how long callers took to reach a person, and the paths most taken.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from statistics import median, quantiles

from flowengine.flow.graph import Edge, Graph
from flowengine.history.stores.base import ScanRow

FAILURES = ("no-input", "no-match")
HUNG_UP = ("caller-hung-up", "abandoned")
REACHED = frozenset({"dial:completed", "dial:answered", "queue:bridged"})
Trail = tuple[str, tuple[Edge, ...], tuple[str, ...]]
TRAILS_KEPT = 100_000  # bounded: a flow has few distinct trails


@dataclass
class GatherStats:
    answers: int = 0
    no_input: int = 0
    no_match: int = 0

    @property
    def retry_rate(self) -> float:
        return (self.no_input + self.no_match) / self.answers if self.answers else 0.0


@dataclass
class Traffic:
    graph: Graph
    calls: int = 0
    outcomes: Counter[str] = field(default_factory=Counter)
    hangups: Counter[str] = field(default_factory=Counter)  # last state of callers who hung up
    gathers: dict[str, GatherStats] = field(default_factory=dict)
    to_person: list[float] = field(default_factory=list)  # seconds from start
    paths: Counter[tuple[str, ...]] = field(default_factory=Counter)
    first: float | None = None
    last: float | None = None
    trails_kept: int = TRAILS_KEPT

    # -- one call at a time ---------------------------------------------------------------

    def __post_init__(self) -> None:
        self._edges = {(e.source, e.target, e.label): e for e in self.graph.edges}
        # Most calls take the same few transitions: each trail text is read once, into
        # (first label, the flow's edges it took, the known states it entered), and only
        # counted per step; the edges are added up from those counts when asked for.
        self._trails: dict[str, Trail] = {}
        self._seen: Counter[str] = Counter()
        self._uncached: Counter[Edge] = Counter()  # edges of trails past the cache's bound
        # Added up once per number of calls seen (the reports read them many times).
        self._entries: tuple[int, Counter[str]] | None = None
        self._taken: tuple[int, Counter[Edge]] | None = None

    def trail(self, text: str) -> Trail:
        found = self._trails.get(text)
        if found is None:
            edges, known = self._edges, self.graph.states
            taken, entered = [], []
            steps = json.loads(text)
            for source, label, target in steps:
                if label in FAILURES and source == target:
                    continue  # a retry re-asks; it enters nothing
                edge = edges.get((source, target, label))
                if edge is not None:
                    taken.append(edge)
                if target in known:
                    entered.append(target)
            found = (steps[0][1] if steps else "", tuple(taken), tuple(entered))
            if len(self._trails) < self.trails_kept:
                self._trails[text] = found
        return found

    def add_call(self, rows: list[ScanRow]) -> None:
        graph, known, trail = self.graph, self.graph.states, self.trail
        cached, seen = self._trails, self._seen
        self.calls += 1
        outcome, started = rows[0][7], rows[0][8]
        self.outcomes[outcome or "in-progress"] += 1
        if self.first is None or started < self.first:
            self.first = started
        if self.last is None or started > self.last:
            self.last = started
        path: list[str] = []
        reached = False
        for index, (_sid, _flow, _at, event, state, input_, text, _o, _s) in enumerate(rows):
            found = cached.get(text)
            if found is None:
                found = trail(text)
                if text in cached:
                    seen[text] += 1
                else:  # past the cache's bound: its edges are counted here and now
                    self._uncached.update(found[1])
            else:
                seen[text] += 1
            if event == "call":
                first = state or graph.start
                if first in known:
                    path.append(first)
            elif event == "gather" and state in known:
                stats = self.gathers.get(state)
                if stats is None:
                    stats = self.gathers[state] = GatherStats()
                stats.answers += 1
                if input_ == "silence":
                    stats.no_input += 1
                elif found[0] in ("", "no-match"):
                    stats.no_match += 1
            elif input_ in REACHED and not reached and state in path:
                reached = True
                self.to_person.append(self._entered_at(rows, index, state) - started)
            path.extend(found[2])
        self.paths[tuple(path)] += 1
        if outcome in HUNG_UP and path:
            self.hangups[path[-1]] += 1

    def _entered_at(self, rows: list[ScanRow], before: int, state: str) -> float:
        """When the call first entered `state`, in the steps before `before` (rare: only
        for the step that reached a person, so it is not tracked on every step)."""
        for _sid, _flow, at, event, step_state, _i, text, _o, _s in rows[:before]:
            if event == "call" and (step_state or self.graph.start) == state:
                return at
            if state in self.trail(text)[2]:
                return at
        raise AssertionError(f"{state} was never entered")  # the caller checked it was

    # -- added up from the per-step counts ------------------------------------------------

    @property
    def entries(self) -> Counter[str]:
        """Calls that entered each state (a state once per call)."""
        if self._entries is None or self._entries[0] != self.calls:
            entered: Counter[str] = Counter()
            for path, calls in self.paths.items():
                for state in set(path):
                    entered[state] += calls
            self._entries = (self.calls, entered)
        return self._entries[1]

    @property
    def edges(self) -> Counter[Edge]:
        """Times each of the flow's transitions was taken."""
        if self._taken is None or self._taken[0] != self.calls:
            taken = Counter(self._uncached)
            for text, steps in self._seen.items():
                for edge in self._trails[text][1]:
                    taken[edge] += steps
            self._taken = (self.calls, taken)
        return self._taken[1]

    # -- what the reports show ------------------------------------------------------------

    @property
    def unvisited_states(self) -> list[str]:
        return sorted(name for name in self.graph.states if not self.entries[name])

    @property
    def untaken_edges(self) -> list[Edge]:
        return [edge for edge in self.graph.edges if not self.edges[edge]]

    def time_to_person(self) -> tuple[float, float] | None:
        """Median and 90th percentile, in seconds."""
        times = self.to_person
        if not times:
            return None
        p90 = quantiles(times, n=10)[-1] if len(times) > 1 else times[0]
        return median(times), p90
