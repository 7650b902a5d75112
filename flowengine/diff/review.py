"""The whole diff of two sides: every flow compared, with figures and scenarios."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime

from flowengine.diff.changes import Diff
from flowengine.diff.compare import compare_flows
from flowengine.diff.experience import figures
from flowengine.diff.heard import WORDS_PER_MINUTE
from flowengine.diff.impact import impacts, load_scenarios
from flowengine.diff.sides import Side


@dataclass(frozen=True)
class Options:
    rate: float = WORDS_PER_MINUTE
    since: date = field(default_factory=lambda: datetime.now(UTC).date())
    scenarios: tuple[str, ...] = ()  # scenario files or folders to play on both sides


def review(old: Side, new: Side, options: Options | None = None) -> Diff:
    options = options or Options()
    names = sorted(set(old.graphs) | set(new.graphs))
    flows = []
    for name in names:
        before, after = old.graphs.get(name), new.graphs.get(name)
        flow = compare_flows(before, after, options.since)
        if before is not None and before.channel == "voice":
            flow.experience["old"] = figures(before, options.rate).as_json()
        if after is not None and after.channel == "voice":
            flow.experience["new"] = figures(after, options.rate).as_json()
        flows.append(flow)
    if options.scenarios:
        impacts(load_scenarios(list(options.scenarios)), old.graphs, new.graphs, flows)
    return Diff(old.label, new.label, flows, options.rate)
