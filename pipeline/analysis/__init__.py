"""Core (L2): a mail's bytes to a decision's inputs (classification, documents read by a profile, overrides); pure."""
