"""L2, parser worker processes with limits and the Reader using them; may import parsers, config."""
