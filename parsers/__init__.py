"""L0, bytes in and values out: mail, documents, form fields; imports nothing of ours."""
