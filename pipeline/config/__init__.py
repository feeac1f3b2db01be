"""L2, config.toml to typed settings, every key checked; may import parsers and rules."""
