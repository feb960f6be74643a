"""The article list's filters, checked like any form: a bad value is a 400 that names it."""

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _


class ArticleFilters(forms.Form):
    section = forms.SlugField(required=False, help_text=_("a section's slug"))
    author = forms.SlugField(required=False, help_text=_("an author's slug"))
    tag = forms.SlugField(required=False, help_text=_("a tag's slug"))
    language = forms.ChoiceField(required=False, choices=[("", "")] + list(settings.LANGUAGES))
    updated_since = forms.DateTimeField(
        required=False, help_text=_("ISO 8601; articles changed at or after this moment")
    )

    def apply(self, articles):
        data = self.cleaned_data
        if data["section"]:
            articles = articles.filter(section__slug=data["section"])
        if data["author"]:
            articles = articles.filter(bylines__author__slug=data["author"])
        if data["tag"]:
            articles = articles.filter(tags__slug=data["tag"])
        if data["language"]:
            articles = articles.filter(language=data["language"])
        if data["updated_since"]:
            articles = articles.filter(updated_at__gte=data["updated_since"])
        return articles
