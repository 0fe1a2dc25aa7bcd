"""Browser page routes of the annotate app."""

urlpatterns: list = []
