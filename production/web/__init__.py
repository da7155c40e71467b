"""A small ASGI server on a background thread (the desk page, the SP-API simulator)."""
