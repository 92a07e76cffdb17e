from django.conf import settings
from django.db import models


class Profile(models.Model):
    """Created for each new user by a post_save receiver."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="profile")
    articles_published = models.PositiveIntegerField(default=0)


class Tag(models.Model):
    name = models.CharField(max_length=50, unique=True)

    def __str__(self):
        return self.name


class Article(models.Model):
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="articles")
    title = models.CharField(max_length=200)
    # Filled from the title by a pre_save receiver when left empty.
    slug = models.SlugField(max_length=200, unique=True, blank=True)
    published = models.BooleanField(default=False)
    tags = models.ManyToManyField(Tag, blank=True, related_name="articles")
    # Kept in step with ``tags`` by an m2m_changed receiver, for cheap listings.
    tag_names = models.CharField(max_length=500, blank=True, editable=False)

    def __str__(self):
        return self.title


class Attachment(models.Model):
    """A file on an article; a post_delete receiver removes the file with the row."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(upload_to="attachments/")
