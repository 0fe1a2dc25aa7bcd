"""Project guidelines: Markdown written by managers, shown to everyone in the project."""

import re

import markdown
import nh3
from django.utils.safestring import SafeString, mark_safe

# Blocks that get a direction of their own: an English line in Arabic guidelines (or the
# reverse) then lays out left-to-right, its full stop on the right side.
_BLOCK = re.compile(r"<(p|li|h[1-6]|blockquote|td|th|dt|dd)(?=[\s>])")


def guidelines_html(text: str) -> SafeString:
    """Markdown rendered to HTML, then cleaned by nh3 down to harmless tags and attributes."""
    if not text.strip():
        return mark_safe("")  # noqa: S308 - empty string
    html = markdown.markdown(text, extensions=["extra", "sane_lists"], output_format="html")
    clean = nh3.clean(html, link_rel="noopener noreferrer nofollow")
    return mark_safe(_BLOCK.sub(r'<\1 dir="auto"', clean))  # noqa: S308 - cleaned by nh3
