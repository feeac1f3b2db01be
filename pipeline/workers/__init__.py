"""Core (L2): parser worker processes with limits, and the document Reader that uses them."""
