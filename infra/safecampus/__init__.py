"""The `safecampus` command: operator commands, the one-machine runner and the service entry points."""
