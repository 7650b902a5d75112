"""`flowengine init [DIR]`: start a project with a working menu, scenarios and checks."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "directory", nargs="?", default=".", metavar="DIR", help="where to create it (default: .)"
    )
    parser.add_argument(
        "--schemas",
        action="store_true",
        help="only refresh schemas/*.json (the editor schemas) of an existing project, "
        "after upgrading flowengine",
    )


def run(args: argparse.Namespace) -> int:
    from flowengine.starter import ProjectExists, create

    root = Path(args.directory)
    try:
        created = create(root, schemas_only=args.schemas)
    except ProjectExists as exc:
        print(
            "flowengine init: these files already exist, so nothing was written:",
            file=sys.stderr,
        )
        for path in exc.paths:
            print(f"  {path}", file=sys.stderr)
        print("  choose an empty folder: flowengine init NEW_FOLDER", file=sys.stderr)
        return 1
    except OSError as exc:
        print(f"flowengine init: cannot write {exc.filename}: {exc.strerror}", file=sys.stderr)
        return 1
    for path in created.files:
        print(f"created {path}")
    if args.schemas:
        return 0
    inside = "" if str(root) == "." else f"  cd {root}\n"
    print(
        "\nNext:\n"
        f"{inside}"
        "  flowengine lint                        # check flows/main.yaml\n"
        "  flowengine simulate flows/main.yaml    # be the caller\n"
        "  flowengine test --min-coverage 100     # play scenarios/main.yaml\n"
        "  flowengine serve --insecure-dev        # serve it on http://127.0.0.1:8000"
    )
    return 0
