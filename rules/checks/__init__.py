"""L1, one module per rule id with check(submission, profile, now); may import parsers and rules."""
