"""The flow language: YAML with positions, the schema, and the compiler that makes a Graph."""
