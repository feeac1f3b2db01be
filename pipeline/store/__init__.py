"""L2, the database, raw store, outbox queue and every query: the only SQL; may import parsers, rules."""
