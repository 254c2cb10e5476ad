"""Membership: applications, statuses, consents, the board's register, a member's own page."""
