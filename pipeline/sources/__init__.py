"""L2, mailboxes (Maildir, folder, IMAP) and fetching into the ledger; may import the core below it."""
