"""Accounts: users, roles and permissions, login sessions, API tokens, and whose units a caller sees."""
