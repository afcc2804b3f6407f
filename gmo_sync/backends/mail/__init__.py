"""Sending letters: SMTP here; Gmail lives with the google backend (it shares its sign-in)."""
