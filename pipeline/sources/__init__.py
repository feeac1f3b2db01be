"""Core (L2): where mail comes from (Maildir, folder, IMAP) and fetching it into the raw store and the ledger."""
