from django.db import models


class Tag(models.Model):
    name = models.CharField(max_length=50)


class Item(models.Model):
    name = models.CharField(max_length=100)
    value = models.IntegerField(default=0)
    tags = models.ManyToManyField(Tag)
