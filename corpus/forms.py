"""The upload form of the import page."""

from django import forms
from django.utils.translation import gettext_lazy as _

from corpus.importing import MAX_CORPUS_NAME
from corpus.lib.parsers import FORMATS


class MultipleFileInput(forms.FileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files under one name (a folder's .txt articles); cleans to a list."""

    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        if not data and self.required:
            raise forms.ValidationError(self.error_messages["required"], code="required")
        if isinstance(data, list | tuple):
            return [super(MultipleFileField, self).clean(item, initial) for item in data]
        return [super().clean(data, initial)]


class ImportForm(forms.Form):
    corpus = forms.CharField(
        label=_("Corpus"),
        max_length=MAX_CORPUS_NAME,
        help_text=_("An existing corpus, or a new name to create one."),
        widget=forms.TextInput(attrs={"list": "corpus-names", "autocomplete": "off"}),
    )
    file = MultipleFileField(
        label=_("Files"),
        error_messages={"required": _("choose a file to import")},
        help_text=_(
            "A JSONL or CSV file, or one or more .txt files (one article each). Text must be UTF-8."
        ),
    )
    format = forms.ChoiceField(
        label=_("Format"),
        required=False,
        choices=[("", _("From the file extension"))] + [(f, f) for f in FORMATS],
    )
    skip_bad = forms.BooleanField(
        label=_("Skip bad records and import the rest"),
        required=False,
        help_text=_("Otherwise any bad record stops the import and nothing is written."),
    )
    no_title = forms.BooleanField(
        label=_("Text files have no title line"),
        required=False,
        help_text=_("Otherwise the first non-empty line of a .txt file is its title."),
    )


class OwnerForm(forms.Form):
    username = forms.CharField(label=_("Username"), max_length=150)
