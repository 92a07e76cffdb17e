from .models import Article
from .signals import article_published


def publish(article):
    """Publish the article and tell the receivers of article_published.

    send_robust: a receiver that raises (the search index is down) is logged and its
    exception returned in the responses; the article stays published and the other
    receivers still run.
    """
    article.published = True
    article.save(update_fields=["published"])
    return article_published.send_robust(sender=Article, article=article)
