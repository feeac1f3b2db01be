"""L5, `intake console`: the secretariat's web console (受理工作台) over the same jobs as the CLI; may import every layer."""
