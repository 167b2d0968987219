"""What is indexed: each app registers one definition per model; none of them sees a client."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from django.apps import apps
from django.db import models, transaction
from django.db.models.signals import post_delete, post_save

from .types import SITE, Document

_definitions: dict[type[models.Model], IndexDefinition] = {}

# Person records never enter an index (DESIGN.md rules 2 and 3): refuse them at registration.
FORBIDDEN_MODELS = {"portal.supervisee", "portal.user"}


class IndexDefinition:
    """How one model becomes documents. Subclasses set `model` and write `document()`."""

    model: type[models.Model]
    index: str = SITE
    # Names of the document kinds this definition makes, for facets.
    kind_labels: dict[str, str] = {}

    def document(self, obj) -> Document | None:
        """The document for `obj`, or None when it must not be found (unpublished, private)."""
        raise NotImplementedError

    def queryset(self) -> models.QuerySet:
        """Everything a rebuild walks through."""
        return self.model._default_manager.all()

    def dependents(self, obj) -> Iterable[models.Model]:
        """Other indexed objects whose documents are made from `obj` (updated with it)."""
        return ()

    def documents(self) -> Iterator[Document]:
        for obj in self.queryset().iterator(chunk_size=500):
            document = self.document(obj)
            if document is not None:
                yield document

    def count(self) -> int:
        return self.queryset().count()


def key_for(obj: models.Model) -> str:
    return f"{obj._meta.label_lower}:{obj.pk}"


def register(definition_class: type[IndexDefinition]) -> type[IndexDefinition]:
    """Class decorator: index `definition_class.model` and keep it in sync after each commit."""
    model = definition_class.model
    if model._meta.label_lower in FORBIDDEN_MODELS:
        raise ValueError(f"{model._meta.label} holds people's data and is never indexed")
    _definitions[model] = definition_class()
    uid = f"search:{model._meta.label_lower}"
    post_save.connect(_changed, sender=model, weak=False, dispatch_uid=uid + ":save")
    post_delete.connect(_changed, sender=model, weak=False, dispatch_uid=uid + ":delete")
    return definition_class


def definitions() -> list[IndexDefinition]:
    return list(_definitions.values())


def documents_for_key(key: str) -> Document | None:
    """The current document for `key`; None when the object is gone or not to be found."""
    label, _, pk = key.partition(":")
    try:
        model = apps.get_model(label)
    except (LookupError, ValueError):
        return None
    definition = _definitions.get(model)
    if definition is None:
        return None
    obj = definition.queryset().filter(pk=pk).first()
    return definition.document(obj) if obj is not None else None


def _changed(sender, instance, **kwargs) -> None:
    definition = _definitions[sender]
    keys = [key_for(instance)]
    # A raw save (loaddata, a restored dump) holds only this table's columns and may come
    # before its relations: the rows it leads to are loaded (and scheduled) on their own.
    if not kwargs.get("raw"):
        keys += [key_for(obj) for obj in definition.dependents(instance)]
    schedule(keys)


def schedule(keys: list[str]) -> None:
    """Update these documents once the current transaction commits."""
    from .tasks import update_index

    transaction.on_commit(lambda: update_index.enqueue(keys))
