"""The writing desk: the admin classes for articles, and for the people and sections around them."""

from . import articles, people, tags  # noqa: F401  (registers the ModelAdmins)
