"""Administration: accounts and roles, municipalities, the audit log."""
