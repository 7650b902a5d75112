"""What the studio keeps while it runs: the folder, the calls being tried, the CSRF secret."""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass, field
from pathlib import Path

from flowengine.flow import urls
from flowengine.sim.flows import Flows
from flowengine.studio.live import Changes
from flowengine.studio.trial import Trials
from flowengine.studio.voice import VoiceConfig
from flowengine.studio.workspace import Workspace

HERE = Path(__file__).parent
ENV_TOKEN = "FLOWENGINE_STUDIO_TOKEN"
ENV_PUBLIC_URL = "FLOWENGINE_PUBLIC_URL"  # the server's public address, for entry URLs


@dataclass
class Studio:
    workspace: Workspace
    scenarios_dir: Path
    public_url: str = ""
    history: str | None = None  # the call history's URL, when there is one to read
    csrf: str = field(default_factory=lambda: secrets.token_urlsafe(24))
    voice: VoiceConfig = field(default_factory=VoiceConfig)
    trials: Trials = field(init=False)
    changes: Changes = field(init=False)

    def __post_init__(self) -> None:
        self.trials = Trials(Flows(self.workspace.root))
        self.changes = Changes(self.workspace.root)

    def entry_url(self, name: str, channel: str | None) -> str:
        """What to paste in the Twilio console: the number's Voice or Messaging webhook."""
        base = self.public_url.rstrip("/") or "https://YOUR-SERVER"
        return base + (urls.SMS if channel == "sms" else urls.VOICE_ENTRY).format(flow=name)


def studio_from(folder: str, scenarios: str | None = None, history: str | None = None) -> Studio:
    scenarios_dir = Path(scenarios) if scenarios else Path(folder).resolve().parent / "scenarios"
    return Studio(
        Workspace(folder),
        scenarios_dir.resolve(),
        public_url=os.environ.get(ENV_PUBLIC_URL, ""),
        voice=VoiceConfig.from_env(),
        history=history,
    )
