"""`lib`: the thin package behind the book's chapters (data access, models, training, attribution).

Submodules are imported on demand (``from lib import profiles``); importing ``lib`` itself is cheap.
"""
