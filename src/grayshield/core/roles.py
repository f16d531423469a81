"""The console's roles: one tuple the store, the access table, the CLI and the services agree on.

Kept out of ``store.models`` so that code needing only the names (CLI help, the access table) does not load
SQLAlchemy.
"""

from typing import Final

ROLES: Final = ("analyst", "investigator", "qa", "supervisor", "admin")
