"""Printers and lasers from configuration: hot folders, job tickets, finished-job feedback."""
