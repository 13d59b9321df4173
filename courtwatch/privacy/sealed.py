"""``SealedText``: a model attribute that reads and writes plain text but stores only ciphertext.

A model declares ``sealed_<name>`` (LargeBinary) columns and ``<name> = SealedText()``, and says
which data key seals them (``sealing_key()``, ``opening_key()``). Code and templates keep using
``hearing.title`` as before; the database, its logs and its backups only ever see the ciphertext.
Queries cannot filter on a sealed field, on purpose: nothing may search captions or names.
"""

from __future__ import annotations

from courtwatch.privacy.keys import open_sealed, seal


class SealedText:
    def __set_name__(self, owner, name: str) -> None:
        self.column = f"sealed_{name}"
        self.purpose = f"{owner.__tablename__}.{name}"
        self.name = name

    def __get__(self, obj, owner=None):
        if obj is None:
            return self
        blob = getattr(obj, self.column)
        if blob is None:
            return ""
        key_id, wrapped = obj.opening_key()
        return open_sealed(key_id, self.purpose, blob, wrapped)

    def __set__(self, obj, value: str | None) -> None:
        value = value or ""
        if not value:
            setattr(obj, self.column, None)
        else:
            key_id, wrapped = obj.sealing_key()
            setattr(obj, self.column, seal(key_id, self.purpose, value, wrapped))
        changed = getattr(obj, "sealed_field_changed", None)
        if changed is not None:
            changed(self.name)
