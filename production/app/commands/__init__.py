"""The sub-commands of `production`, a module per group; each adds its own to the parser."""
