"""prometheus-client's multiprocess mode, for `flowengine serve --workers N`.

Each worker writes its samples to files in one folder, and whichever worker answers a
scrape adds them all up. The folder must be named in the environment before any worker
imports prometheus_client, and must start empty.
"""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile

ENV_DIR = "PROMETHEUS_MULTIPROC_DIR"


def prepare() -> str:
    """A fresh folder for this server's workers (removed when the server exits)."""
    given = os.environ.get(ENV_DIR)
    if given:
        os.makedirs(given, exist_ok=True)
        for name in os.listdir(given):
            if name.endswith(".db"):
                os.remove(os.path.join(given, name))
        return given
    folder = tempfile.mkdtemp(prefix="flowengine-metrics-")
    os.environ[ENV_DIR] = folder
    atexit.register(shutil.rmtree, folder, True)
    return folder


def enabled() -> bool:
    return bool(os.environ.get(ENV_DIR))
