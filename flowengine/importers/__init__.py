"""Importers: flows from other IVR tools, turned into flowengine YAML."""
