"""The Amazon Custom production pipeline: intake, parsing, the job store and the daemon."""

__version__ = "0.1.0"
