"""Ways in (L5): the `intake` command, one module per command group; a thin layer over the jobs."""
