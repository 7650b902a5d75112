"""`flowengine import studio`: Twilio Studio flow definitions to flowengine flows."""

from flowengine.importers.studio.definition import StudioError
from flowengine.importers.studio.importer import Imported, import_definition, import_file

__all__ = ["Imported", "StudioError", "import_definition", "import_file"]
