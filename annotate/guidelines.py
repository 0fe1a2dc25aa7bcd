"""Project guidelines: Markdown written by managers, shown to everyone in the project."""

import markdown
import nh3
from django.utils.safestring import SafeString, mark_safe


def guidelines_html(text: str) -> SafeString:
    """Markdown rendered to HTML, then cleaned by nh3 down to harmless tags and attributes."""
    if not text.strip():
        return mark_safe("")  # noqa: S308 - empty string
    html = markdown.markdown(text, extensions=["extra", "sane_lists"], output_format="html")
    return mark_safe(nh3.clean(html, link_rel="noopener noreferrer nofollow"))  # noqa: S308
