"""L1, the rules: registry, vocabulary, campaign profiles; may import parsers."""
