"""flowengine: phone menus (IVR call flows) described in YAML, served as TwiML."""

__version__ = "0.2.0"
