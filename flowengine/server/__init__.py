"""The webhook server: Twilio posts, flowengine answers with TwiML."""

from __future__ import annotations

from flowengine.server.app import NoFlowsError, app_from_env, create_app, load_registry
from flowengine.server.config import ServerConfig, config_from_env

__all__ = [
    "NoFlowsError",
    "ServerConfig",
    "app_from_env",
    "config_from_env",
    "create_app",
    "load_registry",
]
