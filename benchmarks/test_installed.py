"""Django's own post_save.send: stock, then under fastsignals.install() with each engine."""

import pytest
from django.contrib.auth.models import Group, Permission, User
from django.contrib.contenttypes.models import ContentType
from django.db.models.signals import post_save
from e2e.models import Item, Tag

import cases

OPERATION = "send"
IMPLEMENTATIONS = ("django", "c", "py")


@pytest.fixture
def post_save_receivers(count):
    """``count`` receivers for Item, one for each of five other models."""
    receivers, keep = cases.make_receivers(count)
    others, others_keep = cases.make_receivers(cases.OTHER_SENDERS)
    pairs = [*zip(others, (Tag, User, Group, Permission, ContentType)), *((receiver, Item) for receiver in receivers)]
    for receiver, sender in pairs:
        post_save.connect(receiver, sender=sender)
    yield keep, others_keep
    for receiver, sender in pairs:
        post_save.disconnect(receiver, sender=sender)


def test_post_save_send(benchmark, impl, count, post_save_receivers, installed):
    benchmark(post_save.send, Item, instance=Item(), created=False)
