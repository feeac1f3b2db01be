"""L3, replies: composing, templates, loop safety, SMTP, spool; may import the core, not app or cli."""
