"""GrayShield: a card issuer's platform against the financial black/gray industry.

The package is layered one way: ``core`` (domain types, settings, errors) is imported by the
engines (``text``, ``pii``, ``sim``, ``lake``, ...), which are imported by services, which the thin
shells (``cli``, ``api``) use. Nothing here imports heavy dependencies at import time.
"""

__version__ = "0.1.0"
