"""The command line and the one place that wires store, clients, pipeline and daemon together."""
