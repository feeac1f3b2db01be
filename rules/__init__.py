"""Rules (L1): the campaign profiles, the vocabulary, the rule registry and the checks; may import parsers only."""
