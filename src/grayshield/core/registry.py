"""A small explicit registry for the things banks plug in (recognisers, rules, lexicons, backends).

Explicit registration by stable name, not discovery through ``__subclasses__``: what is active is
visible in one place and can be switched on or off from configuration.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Generic, TypeVar

from grayshield.core.errors import RegistryError

T = TypeVar("T")


class Registry(Generic[T]):
    """Named items of one kind; duplicate names are refused and unknown names are a clear error."""

    def __init__(self, kind: str) -> None:
        self.kind = kind
        self._items: dict[str, T] = {}

    def register(self, name: str, item: T) -> T:
        if not name or name.strip() != name:
            raise RegistryError(f"{self.kind} name must be a non-empty string without spaces: {name!r}")
        if name in self._items:
            raise RegistryError(f"{self.kind} {name!r} is already registered")
        self._items[name] = item
        return item

    def decorator(self, name: str) -> Callable[[T], T]:
        """Register the decorated object under ``name``."""

        def wrap(item: T) -> T:
            return self.register(name, item)

        return wrap

    def get(self, name: str) -> T:
        try:
            return self._items[name]
        except KeyError:
            known = ", ".join(sorted(self._items)) or "none"
            raise RegistryError(f"unknown {self.kind} {name!r}; known: {known}") from None

    def unregister(self, name: str) -> None:
        if name not in self._items:
            raise RegistryError(f"unknown {self.kind} {name!r}")
        del self._items[name]

    def select(self, enabled: list[str] | None = None, disabled: list[str] | None = None) -> dict[str, T]:
        """Items switched on by configuration: all, or only ``enabled``, minus ``disabled``."""
        names = list(self._items) if enabled is None else enabled
        for name in [*names, *(disabled or [])]:
            self.get(name)  # unknown names in config are an error, not silently ignored
        return {n: self._items[n] for n in names if n not in set(disabled or [])}

    def names(self) -> list[str]:
        return list(self._items)

    def __contains__(self, name: object) -> bool:
        return name in self._items

    def __iter__(self) -> Iterator[str]:
        return iter(self._items)

    def __len__(self) -> int:
        return len(self._items)
