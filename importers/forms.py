from django import forms
from django.utils.translation import gettext_lazy as _

from articles.models import Article
from importers.models import Source

# The admin's upload is for exports a request can read in time; bigger archives go through
# `manage.py import_wordpress` / `import_ghost`, which stream files of any size.
MAX_UPLOAD_MB = 100


class ImportForm(forms.Form):
    source = forms.ChoiceField(label=_("exported from"), choices=Source.choices)
    export = forms.FileField(
        label=_("export file"),
        help_text=_(
            "WordPress: Tools → Export (an .xml file). Ghost: Settings → Labs → Export "
            "(a .json file). At most %(mb)d MB here; larger exports through the command line."
        )
        % {"mb": MAX_UPLOAD_MB},
    )
    genre = forms.ChoiceField(label=_("genre"), choices=Article.Genre.choices)
    with_users = forms.BooleanField(
        label=_("also create desk accounts for the authors (without passwords)"), required=False
    )

    def clean_export(self):
        export = self.cleaned_data["export"]
        if export.size > MAX_UPLOAD_MB * 1024 * 1024:
            raise forms.ValidationError(
                _("This export is larger than %(mb)d MB: import it with the command line."),
                params={"mb": MAX_UPLOAD_MB},
            )
        return export


class ConfirmForm(forms.Form):
    token = forms.RegexField(regex=r"^[0-9a-f]{32}$", widget=forms.HiddenInput)
    source = forms.ChoiceField(choices=Source.choices, widget=forms.HiddenInput)
    genre = forms.ChoiceField(choices=Article.Genre.choices, widget=forms.HiddenInput)
    with_users = forms.BooleanField(required=False, widget=forms.HiddenInput)
    file_name = forms.CharField(max_length=300, widget=forms.HiddenInput)
