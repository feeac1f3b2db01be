"""Rules (L1): one module per rule id, each with check(submission, profile); may import parsers and rules."""
