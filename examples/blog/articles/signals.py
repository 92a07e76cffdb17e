"""The app's receivers, connected when ArticlesConfig.ready() imports this module, and its own signal."""

from django.conf import settings
from django.contrib.auth.models import User
from django.db.models import F
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_save
from django.dispatch import Signal, receiver
from django.utils.text import slugify

from .models import Article, Attachment, Profile

#: Sent by publishing.publish() with ``article``; receivers' failures must not undo a publication.
article_published = Signal()


@receiver(post_save, sender=User)
def create_profile(sender, instance, created, **kwargs):
    if created:
        Profile.objects.create(user=instance)


@receiver(pre_save, sender=Article)
def fill_slug(sender, instance, **kwargs):
    if instance.slug:
        return
    base = slugify(instance.title) or "article"
    slug, suffix = base, 2
    while Article.objects.filter(slug=slug).exclude(pk=instance.pk).exists():
        slug, suffix = f"{base}-{suffix}", suffix + 1
    instance.slug = slug


@receiver(post_delete, sender=Attachment)
def delete_attachment_file(sender, instance, **kwargs):
    # The row is gone (also when its article was deleted): the file would be an orphan.
    instance.file.delete(save=False)


@receiver(m2m_changed, sender=Article.tags.through)
def refresh_tag_names(sender, instance, action, reverse, **kwargs):
    # Tags are edited from the article's side in this app (article.tags.add/remove/set/clear).
    if reverse or action not in ("post_add", "post_remove", "post_clear"):
        return
    instance.tag_names = ", ".join(instance.tags.order_by("name").values_list("name", flat=True))
    instance.save(update_fields=["tag_names"])


@receiver(article_published)
def count_publication(sender, article, **kwargs):
    Profile.objects.filter(user=article.author).update(articles_published=F("articles_published") + 1)


@receiver(article_published)
def notify_search_index(sender, article, **kwargs):
    """Stands in for a call to an outside service that is sometimes down."""
    if not settings.SEARCH_INDEX_ONLINE:
        raise ConnectionError("search index unreachable")
    return f"indexed {article.slug}"
