"""The start page of each role, the language switch and the health check."""
