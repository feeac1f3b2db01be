"""Core (L2): the database, the raw store, the outbox queue, overrides and records: the only SQL and the only sqlite_utils importer."""
