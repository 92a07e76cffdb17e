import tempfile

import fastsignals
from django.conf import settings
from django.contrib.auth.models import User
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db.models.signals import post_save
from django.test import TestCase, override_settings

from .models import Article, Attachment, Tag
from .publishing import publish
from .signals import count_publication, notify_search_index


class SignalsTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.author = User.objects.create_user("ada")

    def test_engine_follows_installed_apps(self):
        on = "fastsignals" in settings.INSTALLED_APPS
        self.assertEqual(fastsignals.is_installed(), on)
        self.assertEqual(type(post_save).send is fastsignals.Signal.send, on)

    def test_post_save_creates_a_profile_for_a_new_user(self):
        self.assertEqual(self.author.profile.articles_published, 0)
        self.author.save()
        self.assertEqual(User.objects.get(pk=self.author.pk).profile.articles_published, 0)

    def test_pre_save_fills_a_unique_slug(self):
        first = Article.objects.create(author=self.author, title="Signals, explained")
        second = Article.objects.create(author=self.author, title="Signals explained!")
        kept = Article.objects.create(author=self.author, title="Anything", slug="my-slug")
        self.assertEqual([first.slug, second.slug, kept.slug], ["signals-explained", "signals-explained-2", "my-slug"])
        first.title = "Renamed"
        first.save()
        self.assertEqual(first.slug, "signals-explained")

    def test_m2m_changed_keeps_tag_names_in_step(self):
        article = Article.objects.create(author=self.author, title="Tagged")
        django_tag, python_tag, speed_tag = (Tag.objects.create(name=name) for name in ("django", "python", "speed"))
        article.tags.add(python_tag, django_tag)
        self.assertEqual(Article.objects.get(pk=article.pk).tag_names, "django, python")
        article.tags.set([speed_tag, python_tag])
        self.assertEqual(Article.objects.get(pk=article.pk).tag_names, "python, speed")
        article.tags.clear()
        self.assertEqual(Article.objects.get(pk=article.pk).tag_names, "")

    def test_post_delete_removes_the_attachment_file(self):
        article = Article.objects.create(author=self.author, title="With files")
        with tempfile.TemporaryDirectory() as media, override_settings(MEDIA_ROOT=media):
            kept = Attachment.objects.create(article=article, file=ContentFile(b"kept", name="kept.txt"))
            dropped = Attachment.objects.create(article=article, file=ContentFile(b"gone", name="gone.txt"))
            dropped_name = dropped.file.name
            dropped.delete()
            self.assertFalse(default_storage.exists(dropped_name))
            self.assertTrue(default_storage.exists(kept.file.name))
            article.delete()  # the cascade deletes the other attachment: its file goes too
            self.assertFalse(default_storage.exists(kept.file.name))

    def test_publish_survives_a_failing_receiver(self):
        article = Article.objects.create(author=self.author, title="Breaking")
        with self.assertLogs("django.dispatch", "ERROR") as logs:
            responses = publish(article)
        self.assertEqual([receiver for receiver, _ in responses], [count_publication, notify_search_index])
        self.assertIsNone(responses[0][1])
        self.assertIsInstance(responses[1][1], ConnectionError)
        self.assertIn("notify_search_index", logs.output[0])
        self.assertTrue(Article.objects.get(pk=article.pk).published)
        self.assertEqual(User.objects.get(pk=self.author.pk).profile.articles_published, 1)

    @override_settings(SEARCH_INDEX_ONLINE=True)
    def test_publish_with_every_receiver_working(self):
        article = Article.objects.create(author=self.author, title="Calm day")
        with self.assertNoLogs("django.dispatch"):
            responses = publish(article)
        self.assertEqual([response for _, response in responses], [None, "indexed calm-day"])
