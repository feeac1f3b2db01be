"""The pipeline: the core (L2) may import parsers and rules; app/ (L4), cli/ and demo/ (L5) all below."""
