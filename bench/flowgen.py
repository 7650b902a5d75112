"""Generated flow files for the lint, compile and memory measurements."""

from __future__ import annotations

import shutil
from pathlib import Path

import yaml


def source_flows(flows_dir: Path) -> list[Path]:
    return sorted(p for p in flows_dir.glob("*.yaml") if p.is_file())


def lint_corpus(flows_dir: Path, target: Path, count: int = 1000) -> list[Path]:
    """`count` flow files: the examples once under their own names (so flows that hand
    calls to each other still find each other), then copies under new names."""
    sources = source_flows(flows_dir)
    if not sources:
        raise FileNotFoundError(f"no *.yaml in {flows_dir}")
    target.mkdir(parents=True, exist_ok=True)
    files = []
    for i in range(count):
        source = sources[i % len(sources)]
        name = source.name if i < len(sources) else f"{source.stem}_{i:04d}.yaml"
        shutil.copyfile(source, target / name)
        files.append(target / name)
    return files


def hundred_flows(flows_dir: Path, target: Path, total: int = 100) -> list[str]:
    """A directory of `total` flows: the examples, topped up with copies of main.yaml.
    Returns the flow names (file names without .yaml)."""
    target.mkdir(parents=True, exist_ok=True)
    names = []
    for source in source_flows(flows_dir)[:total]:
        shutil.copyfile(source, target / source.name)
        names.append(source.stem)
    main = flows_dir / "main.yaml"
    i = 0
    while len(names) < total:
        name = f"main_{i:03d}"
        shutil.copyfile(main, target / f"{name}.yaml")
        names.append(name)
        i += 1
    return names


def chain_flow(states: int) -> dict[str, object]:
    """A valid flow of `states` states: a chain of one-key gather menus ending in goodbye.

    Each menu says a prompt, waits for a key: 1 goes on, 2 goes back, 9 to goodbye,
    with retry prompts, so the compiler does the work it does on real menus."""
    names = [f"menu_{i:05d}" for i in range(states - 1)]
    body: dict[str, object] = {}
    for i, name in enumerate(names):
        forward = names[i + 1] if i + 1 < len(names) else "goodbye"
        back = names[i - 1] if i else "goodbye"
        body[name] = {
            "gather": {
                "say": f"Menu {i}. For the next menu press 1, to go back press 2, "
                "to hang up press 9.",
                "digits": 1,
                "timeout": 5,
            },
            "on": {"1": forward, "2": back, "9": "goodbye"},
            "retry": {
                "max": 2,
                "no-input": "Sorry, I did not hear anything.",
                "no-match": "Sorry, that is not an option.",
                "then": "goodbye",
            },
        }
    body["goodbye"] = {"say": "Goodbye.", "hangup": True}
    return {
        "description": f"Generated chain of {states} states (bench/flowgen.py)",
        "voice": "Polly.Joanna",
        "language": "en-US",
        "start": names[0] if names else "goodbye",
        "states": body,
    }


def write_chain_flow(target: Path, states: int = 5000) -> Path:
    target.parent.mkdir(parents=True, exist_ok=True)
    text = yaml.safe_dump(chain_flow(states), sort_keys=False, width=120)
    target.write_text(text)
    return target
