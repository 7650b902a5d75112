"""The call history: what every call did, kept in SQLite or PostgreSQL, for
`flowengine calls`, `report` and `replay`."""
