"""Applying: carry out a step's plan through its port and report each action as done or failed."""
