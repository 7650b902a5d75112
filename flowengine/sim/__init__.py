"""The caller simulator: a call played on the real runtime, in the terminal or from a script."""
