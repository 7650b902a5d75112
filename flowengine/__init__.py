"""flowengine: phone menus (IVR call flows) described in YAML, served as TwiML."""

__version__ = "0.1.0"
