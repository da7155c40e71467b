"""The shop's TOML configuration, read into the core's plain types."""
