from django.apps import AppConfig


class SearchConfig(AppConfig):
    name = "search"
    verbose_name = "Search"

    def ready(self):
        # Connects the receivers that keep stored search vectors fresh.
        from search import receivers  # noqa: F401
