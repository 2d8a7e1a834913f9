"""One registry of named classes, shared by the families that build objects by name.

Contract. A :class:`Registry` holds classes that each carry a class attribute
``name``, plus aliases (alias -> name). Names are matched after
``strip().lower()``; an unknown one raises
``ValueError("<kind>: unknown name 'x'; expected one of [...]")`` listing
:meth:`Registry.names`. :meth:`Registry.deserialize` reads a name (default
arguments) or Keras's ``{"class_name": name, "config": {...}}``: a dict
without ``class_name`` or a config the class rejects raises ``ValueError``,
anything else ``TypeError``. :meth:`Registry.serialize` is its inverse,
``{"class_name": obj.name, "config": obj.get_config()}``.

Reference: Keras, ``keras.saving.serialize_keras_object`` for the dict form.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any, Generic, TypeVar

__all__ = ["Registry"]

T = TypeVar("T")


def _construct(cls: type[T], config: dict[str, Any]) -> T:
    return cls(**config)


class Registry(Generic[T]):
    """Classes of one ``kind`` ("loss", "initializer", ...) under their names and aliases.

    ``base`` is the family's base class (checked by :meth:`serialize`);
    ``build(cls, config)`` makes an instance (default ``cls(**config)``);
    ``sort_names=False`` keeps :meth:`names` in registration order.
    """

    def __init__(
        self,
        kind: str,
        base: type[T],
        classes: Iterable[type[T]],
        aliases: Mapping[str, str] | None = None,
        *,
        build: Callable[[type[T], dict[str, Any]], T] = _construct,
        sort_names: bool = True,
    ) -> None:
        self.kind, self.base, self.build = kind, base, build
        self.classes: dict[str, type[T]] = {}
        self._folded: dict[str, type[T]] = {}  # lower-case name -> class
        self.aliases = dict(aliases or {})
        self._sort = sort_names
        for cls in classes:
            self.register(cls)

    def register(self, cls: type[T]) -> type[T]:
        """Add ``cls`` under its ``name`` (a later class of the same name replaces it)."""
        name = cls.name  # type: ignore[attr-defined]
        self.classes[name] = cls
        self._folded[name.lower()] = cls
        return cls

    def names(self) -> list[str]:
        """All registered names, aliases included."""
        found = [*self.classes, *self.aliases]
        return sorted(found) if self._sort else found

    def lookup(self, name: str) -> type[T]:
        """The class registered as ``name`` (case and surrounding blanks ignored)."""
        key = name.strip().lower()
        cls = self._folded.get(self.aliases.get(key, key).lower())
        if cls is None:
            raise ValueError(f"{self.kind}: unknown name {name!r}; expected one of {self.names()}")
        return cls

    def deserialize(self, identifier: str | dict[str, Any]) -> T:
        """An instance from a name or ``{"class_name": name, "config": {...}}``."""
        if isinstance(identifier, str):
            return self.lookup(identifier)()
        if not isinstance(identifier, dict):
            raise TypeError(
                f"{self.kind}: expected a name or a dict, got {type(identifier).__name__}"
            )
        if "class_name" not in identifier:
            raise ValueError(
                f"{self.kind}: a dict needs 'class_name' and an optional 'config', "
                f"got {identifier!r}"
            )
        cls = self.lookup(str(identifier["class_name"]))
        try:
            return self.build(cls, dict(identifier.get("config") or {}))
        except TypeError as exc:
            name = cls.name  # type: ignore[attr-defined]
            raise ValueError(f"{self.kind}: bad config for {name!r}: {exc}") from None

    def serialize(self, obj: T) -> dict[str, Any]:
        """``{"class_name": name, "config": {...}}``, JSON-able, inverse of :meth:`deserialize`."""
        if not isinstance(obj, self.base):
            article = "an" if self.base.__name__[0] in "AEIOU" else "a"
            raise TypeError(
                f"{self.kind}: expected {article} {self.base.__name__}, got {type(obj).__name__}"
            )
        return {"class_name": obj.name, "config": obj.get_config()}  # type: ignore[attr-defined]
