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
        # An empty file is not the form's to refuse: the import names it among the refused
        # files ("empty.txt: empty article"), beside the others.
        kwargs.setdefault("allow_empty_file", True)
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
    title_rule = forms.ChoiceField(
        label=_("Title"),
        required=False,
        choices=[
            ("auto", _("First line of a .txt file; the title column of JSONL or CSV")),
            ("file_name", _("The file name")),
            ("first_line", _("The first line of the text")),
            ("column", _("A column (JSONL or CSV)")),
            ("none", _("No title")),
        ],
    )
    title_column = forms.CharField(
        label=_("Title column"),
        required=False,
        max_length=200,
        help_text=_("For “A column”: the column that holds the title."),
        widget=forms.TextInput(attrs={"dir": "ltr"}),
    )


class OwnerForm(forms.Form):
    username = forms.CharField(label=_("Username"), max_length=150)


# What an extra JSONL/CSV column can become, for the preview's mapping selects.
COLUMN_CHOICES = [
    ("metadata", _("Metadata (under its name)")),
    ("ignore", _("Ignore")),
    ("title", _("Title")),
    ("source", _("Source")),
    ("url", _("URL")),
    ("published_on", _("Published on")),
    ("external_id", _("External id")),
]


class ArticleEditForm(forms.Form):
    title = forms.CharField(
        label=_("Title"),
        required=False,
        max_length=1000,
        widget=forms.TextInput(attrs={"dir": "auto", "lang": "ar"}),
    )
    metadata = forms.CharField(
        label=_("Metadata (a JSON object)"),
        required=False,
        strip=False,
        widget=forms.Textarea(attrs={"rows": 6, "dir": "ltr"}),
    )
