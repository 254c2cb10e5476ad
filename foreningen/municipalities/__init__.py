"""Kommuner: every request, claim and report belongs to one."""
