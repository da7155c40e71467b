"""The production floor: the daemon, the pipeline, rendering in worker processes, the inbox."""
