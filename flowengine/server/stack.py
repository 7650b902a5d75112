"""The HTTP stack `flowengine serve` runs on: uvicorn with uvloop and httptools.

`uvicorn[standard]` (a dependency) installs both where the platform has them; uvloop has
no Windows build, so there the event loop falls back to asyncio. The choice is explicit
rather than uvicorn's "auto", so that the start-up line and the tests say what runs.
"""

from __future__ import annotations

import importlib.util


def _installed(module: str) -> bool:
    return importlib.util.find_spec(module) is not None


def loop_name() -> str:
    """uvicorn's `loop` setting: uvloop when importable, else the standard asyncio loop."""
    return "uvloop" if _installed("uvloop") else "asyncio"


def http_name() -> str:
    """uvicorn's `http` setting: httptools when importable, else the pure-Python h11."""
    return "httptools" if _installed("httptools") else "h11"


def uvicorn_options() -> dict[str, str]:
    """The `loop` and `http` keyword arguments for uvicorn.run / uvicorn.Config."""
    return {"loop": loop_name(), "http": http_name()}


def describe() -> str:
    options = uvicorn_options()
    return f"uvicorn, loop={options['loop']}, http={options['http']}"
