"""The end-to-end workload: create, save and load model instances with typical receivers.

The receivers are what projects commonly hang on model signals: a post_init field
tracker (remembers loaded values, as django-dirtyfields and django-model-utils do),
a post_save cache invalidation, and an m2m_changed counter.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from django.core.cache import cache
from django.core.management import call_command
from django.db import transaction
from django.db.models.signals import m2m_changed, post_init, post_save

from .models import Item, Tag

#: How many m2m_changed actions each kind saw; read by nothing, like a metrics counter.
m2m_actions: Counter[str] = Counter()


def track_fields(sender: Any, instance: Item, **named: Any) -> None:
    instance._loaded_values = {"name": instance.name, "value": instance.value}


def invalidate_cache(sender: Any, instance: Item, **named: Any) -> None:
    cache.delete(f"item:{instance.pk}")


def count_m2m(sender: Any, action: str, **named: Any) -> None:
    m2m_actions[action] += 1


def create_tables() -> None:
    call_command("migrate", run_syncdb=True, verbosity=0)


def connect_receivers() -> None:
    post_init.connect(track_fields, sender=Item)
    post_save.connect(invalidate_cache, sender=Item)
    m2m_changed.connect(count_m2m, sender=Item.tags.through)


def run(count: int) -> None:
    """Create and save ``count`` items (tagging every tenth), load them all, change and
    save each again; all in a transaction rolled back at the end."""
    with transaction.atomic():
        tag = Tag.objects.create(name="tag")
        for number in range(count):
            item = Item(name=f"item {number}", value=number)
            item.save()
            if number % 10 == 0:
                item.tags.add(tag)
        for item in Item.objects.all():
            item.value += 1
            item.save(update_fields=["value"])
        transaction.set_rollback(True)
