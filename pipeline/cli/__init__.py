"""L5, the `intake` command, one module per command group; may import every layer."""
