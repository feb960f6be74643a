"""The writing desk: the admin classes for articles, and for the people and sections around them."""

from articles.admin import (
    articles,  # noqa: F401  (registers the ModelAdmins)
    people,  # noqa: F401  (registers the ModelAdmins)
    tags,  # noqa: F401  (registers the ModelAdmins)
)
