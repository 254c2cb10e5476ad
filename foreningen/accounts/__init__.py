"""Accounts: users and roles, sign-in with a second factor, sessions, reset and invitations."""
