"""Shipments of finished orders: recorded, then confirmed with Amazon."""
