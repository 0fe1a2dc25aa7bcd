from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AnnotateConfig(AppConfig):
    name = "annotate"
    verbose_name = _("Annotation")
