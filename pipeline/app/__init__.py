"""L4, the jobs: run, process, revise, send, remind, digest, serve, check; may import L0-L3."""
