"""Replies (L3): composing, rendering, loop safety, SMTP and the spool; may import parsers, rules and the pipeline core, never pipeline.app or pipeline.cli."""
