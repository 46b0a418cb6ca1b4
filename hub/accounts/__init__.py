"""Accounts: registration, login sessions, password reset, profiles, user admin."""
