"""Core (L2): config.toml read into typed settings, every key checked; imports parsers and rules only."""
