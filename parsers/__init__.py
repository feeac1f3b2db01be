"""Parsers (L0): bytes in, values out; imports nothing of ours."""
