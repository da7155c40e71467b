"""Deleting buyer data after fulfilment, and the audit that proves it."""
