"""`flowengine studio`: a local web workbench for the people who edit phone menus."""
