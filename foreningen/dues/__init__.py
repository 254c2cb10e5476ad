"""Membership dues: rates, payments by hand or from a bank file, reminders, lapsing."""
