"""The kernel: settings, extensions, the database helpers, the clock, audit, the outbox,
languages, errors, security and the registries. It imports no feature."""
