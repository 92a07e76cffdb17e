"""The example has no views: its signals run from the models, the shell and the tests."""

urlpatterns = []
