"""L5, `intake demo` and its sample generator; may import every layer."""
