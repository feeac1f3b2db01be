"""Jobs (L4): process, revise, send, remind, digest, run, serve, check; may import every layer below, never the CLI."""
