"""The pipeline: its core (L2: config, store, sources, workers, analysis, exports), the jobs (app, L4) and the ways in (cli, demo, L5)."""
