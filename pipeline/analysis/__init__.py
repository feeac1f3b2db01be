"""L2, a mail to a decision's inputs, pure: campaign, documents, overrides; may import parsers, rules."""
