"""The interface in Arabic and English: pages, direction, plural forms, and a complete catalogue.

The catalogue tests read locale/ar/LC_MESSAGES/django.po with a small parser (no gettext
needed) and fail when a message is untranslated, fuzzy, loses a placeholder or an HTML tag,
when the committed .mo is older than the .po, or when the code or a template holds a message
that `makemessages` has not yet brought into the catalogue.
"""

from __future__ import annotations

import ast
import gettext
import json
import os
import re
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils.translation import templatize

from annotate.models import Assignment, Role
from annotate.queue import do_generate_assignments
from tests.factories import PASSWORD, make_article, make_corpus, make_project, make_user

ROOT = Path(settings.BASE_DIR)
PO_FILE = ROOT / "locale" / "ar" / "LC_MESSAGES" / "django.po"
MO_FILE = PO_FILE.with_suffix(".mo")
# The folders `makemessages -l ar` is run without (--ignore=.venv --ignore=tests ...).
NOT_SCANNED = {".venv", "tests", "bench", "staticfiles", "node_modules", "test-artifacts"}
PLACEHOLDER = re.compile(r"%\((\w+)\)[sdif]|%%|\{\w*\}")
TAG = re.compile(r"</?[a-zA-Z][^>]*>")


# ---- a small .po parser -------------------------------------------------------------------


@dataclass
class Entry:
    msgid: str
    msgid_plural: str | None = None
    msgctxt: str | None = None
    msgstr: list[str] = field(default_factory=list)
    flags: set[str] = field(default_factory=set)
    line: int = 0

    @property
    def key(self) -> tuple[str | None, str]:
        return (self.msgctxt, self.msgid)


def _unquote(literal: str) -> str:
    return ast.literal_eval(literal)


def parse_po(text: str) -> list[Entry]:
    """Entries of a .po file (obsolete `#~` entries are left out), header included."""
    entries: list[Entry] = []
    flags: set[str] = set()
    current: Entry | None = None
    target: tuple[str, int] | None = None  # which field continuation lines extend

    def field_value(entry: Entry, name: str, index: int) -> str:
        if name == "msgstr":
            return entry.msgstr[index]
        return getattr(entry, name)

    def set_field(entry: Entry, name: str, index: int, value: str) -> None:
        if name == "msgstr":
            entry.msgstr[index] = value
        else:
            setattr(entry, name, value)

    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#~"):
            target = None
            continue
        if line.startswith("#,"):
            flags |= {flag.strip() for flag in line[2:].split(",") if flag.strip()}
            continue
        if line.startswith("#"):
            continue
        if line.startswith('"'):
            assert current is not None and target is not None, f"django.po:{number}: stray string"
            name, index = target
            set_field(current, name, index, field_value(current, name, index) + _unquote(line))
            continue
        keyword, _, literal = line.partition(" ")
        value = _unquote(literal)
        if keyword in ("msgctxt", "msgid") and (current is None or current.msgstr):
            current = Entry(msgid="", flags=flags, line=number)
            entries.append(current)
            flags = set()
        assert current is not None, f"django.po:{number}: {keyword} before msgid"
        if keyword in ("msgctxt", "msgid", "msgid_plural"):
            setattr(current, keyword, value)
            target = (keyword, 0)
        elif keyword == "msgstr":
            current.msgstr.append(value)
            target = ("msgstr", len(current.msgstr) - 1)
        elif match := re.fullmatch(r"msgstr\[(\d+)\]", keyword):
            index = int(match.group(1))
            assert index == len(current.msgstr), f"django.po:{number}: msgstr[{index}] out of order"
            current.msgstr.append(value)
            target = ("msgstr", index)
        else:
            raise AssertionError(f"django.po:{number}: unknown keyword {keyword!r}")
    return entries


def catalogue() -> tuple[dict[str, str], list[Entry]]:
    entries = parse_po(PO_FILE.read_text(encoding="utf-8"))
    header, messages = entries[0], entries[1:]
    assert header.msgid == "", "the catalogue starts with its header"
    fields = dict(line.split(": ", 1) for line in header.msgstr[0].splitlines() if ": " in line)
    return fields, messages


def where(entry: Entry) -> str:
    return f"django.po:{entry.line} {entry.msgid[:60]!r}"


# ---- message extraction without xgettext ----------------------------------------------------

# The keywords `makemessages` gives xgettext for Python: name -> positions of (context, singular,
# plural) among the call's arguments.
KEYWORDS = {
    "_": (None, 0, None),
    "gettext": (None, 0, None),
    "gettext_lazy": (None, 0, None),
    "gettext_noop": (None, 0, None),
    "ngettext": (None, 0, 1),
    "ngettext_lazy": (None, 0, 1),
    "pgettext": (0, 1, None),
    "pgettext_lazy": (0, 1, None),
    "npgettext": (0, 1, 2),
    "npgettext_lazy": (0, 1, 2),
}


def _calls(tree: ast.AST):
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", None)
        if name in KEYWORDS:
            yield KEYWORDS[name], node.args


def _messages_in_code(source: str) -> set[tuple[str | None, str]]:
    found = set()
    for (ctx_at, msg_at, _plural_at), args in _calls(ast.parse(source)):
        needed = max(i for i in (ctx_at, msg_at) if i is not None)
        if len(args) <= needed:
            continue
        values = [arg.value if isinstance(arg, ast.Constant) else None for arg in args]
        msgid = values[msg_at]
        context = values[ctx_at] if ctx_at is not None else None
        if isinstance(msgid, str) and (ctx_at is None or isinstance(context, str)):
            found.add((context, msgid))
    return found


# templatize turns a template into text where each message is a Python call; the rest is noise.
TEMPLATE_CALL = re.compile(
    r"\b(?:gettext|ngettext|pgettext|npgettext|_)\((?:\s*u?(?:'(?:[^'\\\n]|\\.)*'|\"(?:[^\"\\\n]|\\.)*\")\s*,?)+"
)


def _messages_in_template(source: str, origin: str) -> set[tuple[str | None, str]]:
    found = set()
    for match in TEMPLATE_CALL.finditer(templatize(source, origin=origin)):
        call = match.group(0).rstrip(",").rstrip() + ")"
        found |= _messages_in_code(call)
    return found


def _project_files(folder: Path):
    """Files under `folder`, without hidden folders and the ones makemessages is told to skip."""
    for entry in os.scandir(folder):
        if entry.name.startswith("."):
            continue
        if entry.is_dir(follow_symlinks=False):
            if folder != ROOT or entry.name not in NOT_SCANNED:
                yield from _project_files(Path(entry.path))
        elif entry.is_file():
            yield Path(entry.path)


def source_messages() -> dict[tuple[str | None, str], str]:
    """Every translatable message of the project's code and templates -> where it was found."""
    found: dict[tuple[str | None, str], str] = {}
    for path in sorted(_project_files(ROOT)):
        relative = path.relative_to(ROOT)
        if path.suffix == ".py":
            messages = _messages_in_code(path.read_text(encoding="utf-8"))
        elif path.suffix in (".html", ".txt"):
            messages = _messages_in_template(path.read_text(encoding="utf-8"), str(relative))
        else:
            continue
        for key in messages:
            found.setdefault(key, str(relative))
    return found


# ---- the catalogue --------------------------------------------------------------------------


def test_the_catalogue_is_arabic_with_six_plural_forms():
    fields, messages = catalogue()
    assert fields["Language"] == "ar"
    assert fields["Content-Type"] == "text/plain; charset=UTF-8"
    assert fields["Plural-Forms"].startswith("nplurals=6;")
    assert len(messages) > 300


def test_every_message_is_translated_and_none_is_fuzzy():
    _fields, messages = catalogue()
    untranslated = [where(e) for e in messages if not e.msgstr or any(not s for s in e.msgstr)]
    fuzzy = [where(e) for e in messages if "fuzzy" in e.flags]
    assert not untranslated, "untranslated messages (run makemessages, then translate):\n" + (
        "\n".join(untranslated)
    )
    assert not fuzzy, "fuzzy messages (review, then remove the flag):\n" + "\n".join(fuzzy)


def test_plural_messages_have_all_six_arabic_forms():
    _fields, messages = catalogue()
    plurals = [e for e in messages if e.msgid_plural is not None]
    assert plurals
    for entry in plurals:
        assert len(entry.msgstr) == 6, where(entry)
        # Forms 0, 1 and 2 (none, one, two) may spell the number out; 3 to 5 must show it.
        for form in entry.msgstr[3:]:
            assert set(PLACEHOLDER.findall(form)) == set(PLACEHOLDER.findall(entry.msgid_plural)), (
                where(entry)
            )


def test_translations_keep_placeholders_and_html():
    _fields, messages = catalogue()
    for entry in messages:
        if entry.msgid_plural is not None:
            allowed = set(PLACEHOLDER.findall(entry.msgid_plural))
            for form in entry.msgstr:
                assert set(PLACEHOLDER.findall(form)) <= allowed, where(entry)
            continue
        (translation,) = entry.msgstr
        assert sorted(PLACEHOLDER.findall(translation)) == sorted(
            PLACEHOLDER.findall(entry.msgid)
        ), where(entry)
        assert sorted(TAG.findall(translation)) == sorted(TAG.findall(entry.msgid)), where(entry)
        if "python-format" in entry.flags:
            names = dict.fromkeys(re.findall(r"%\((\w+)\)", entry.msgid), 1)
            assert translation % names is not None, where(entry)


def test_the_compiled_catalogue_matches_the_po_file():
    with MO_FILE.open("rb") as handle:
        compiled = gettext.GNUTranslations(handle)
    _fields, messages = catalogue()
    for entry in messages:
        prefix = f"{entry.msgctxt}\x04" if entry.msgctxt else ""
        if entry.msgid_plural is None:
            assert compiled._catalog.get(prefix + entry.msgid) == entry.msgstr[0], (
                f"{where(entry)}: django.mo is stale; run compilemessages -l ar"
            )
        else:
            for index, form in enumerate(entry.msgstr):
                assert compiled._catalog.get((prefix + entry.msgid, index)) == form, (
                    f"{where(entry)}: django.mo is stale; run compilemessages -l ar"
                )


def test_every_message_in_code_and_templates_is_in_the_catalogue():
    _fields, messages = catalogue()
    known = {entry.key for entry in messages}
    found = source_messages()
    assert (None, "Annotation Workbench") in found, "the extractor reads the templates"
    assert (None, "Favour") in found, "the extractor reads the Python code"
    missing = sorted(f"{path}: {key[1]!r}" for key, path in found.items() if key not in known)
    assert not missing, (
        "messages not in locale/ar/LC_MESSAGES/django.po (run makemessages -l ar, translate, "
        "compilemessages):\n" + "\n".join(missing)
    )


def test_the_po_parser_reads_continuations_plurals_contexts_and_flags():
    text = (
        'msgid ""\nmsgstr ""\n"Language: ar\\n"\n\n'
        '#, fuzzy, python-format\nmsgid "a %(n)s "\n"b"\nmsgstr ""\n\n'
        'msgctxt "menu"\nmsgid "Open"\nmsgstr "افتح"\n\n'
        'msgid "one"\nmsgid_plural "many"\nmsgstr[0] "x"\nmsgstr[1] ""\n\n'
        '#~ msgid "gone"\n#~ msgstr "ذهب"\n'
    )
    header, fuzzy, context, plural = parse_po(text)
    assert header.msgstr == ["Language: ar\n"]
    assert (fuzzy.msgid, fuzzy.msgstr, fuzzy.flags) == (
        "a %(n)s b",
        [""],
        {"fuzzy", "python-format"},
    )
    assert context.key == ("menu", "Open")
    assert (plural.msgid_plural, plural.msgstr) == ("many", ["x", ""])


def test_the_extractor_finds_messages_in_code_and_templates():
    code = (
        "from django.utils.translation import gettext as _, ngettext, pgettext_lazy\n"
        '_("plain")\nngettext("%(n)s one", "%(n)s many", n)\npgettext_lazy("verb", "Open")\n'
        "_(name)\nfor _ in range(3): pass\n"
    )
    assert _messages_in_code(code) == {(None, "plain"), (None, "%(n)s one"), ("verb", "Open")}
    template = (
        """{% load i18n %}<a title="{% translate "It's here" %}">{% translate 'Go' %}</a>"""
        "{% blocktranslate count counter=n %}{{ counter }} item{% plural %}{{ counter }} items"
        "{% endblocktranslate %}{% translate 'Close' context 'dialog' %}"
    )
    assert _messages_in_template(template, "t.html") == {
        (None, "It's here"),
        (None, "Go"),
        (None, "%(counter)s item"),
        ("dialog", "Close"),
    }


# ---- pages in Arabic and in English ---------------------------------------------------------


def html_root(response) -> str:
    match = re.search(r"<html[^>]*>", response.content.decode())
    assert match, "the page has an <html> element"
    return match.group(0)


def assert_arabic(response, *texts: str) -> None:
    assert response.status_code == 200
    assert html_root(response) == '<html lang="ar" dir="rtl">'
    body = response.content.decode()
    for text in texts:
        assert text in body, f"{text!r} not on the page"


def assert_english(response, *texts: str) -> None:
    assert response.status_code == 200
    assert html_root(response) == '<html lang="en" dir="ltr">'
    body = response.content.decode()
    for text in texts:
        assert text in body, f"{text!r} not on the page"


@pytest.fixture
def world(db):
    annotator = make_user("amal")
    manager = make_user("manal")
    corpus = make_corpus()
    articles = [
        make_article(corpus, title="مقال أول", text="قالت الوزارة إن وداعش انسحب من المدينة."),
        make_article(corpus, title="مقال ثان", text="الجيش السوري دخل مدينة الرقة."),
    ]
    project = make_project(
        "مشروع الأخبار",
        articles=articles,
        members={annotator: Role.ANNOTATOR, manager: Role.MANAGER},
    )
    do_generate_assignments(project, k=1, fraction=1.0, seed=1, mode="preassign")
    assignment = Assignment.objects.filter(annotator=annotator).order_by("position").first()
    return {
        "annotator": annotator,
        "manager": manager,
        "project": project,
        "assignment": assignment,
    }


def client_for(user, language: str) -> Client:
    client = Client(headers={"accept-language": language})
    assert client.login(username=user.username, password=PASSWORD)
    return client


@pytest.mark.django_db
def test_login_page_in_arabic_from_the_browser_language():
    response = Client(headers={"accept-language": "ar"}).get(reverse("login"))
    assert_arabic(response, "<h1>تسجيل الدخول</h1>", "اسم المستخدم", "كلمة المرور", "منصة التوسيم")
    assert "Password" not in response.content.decode()


@pytest.mark.django_db
def test_login_page_in_english_from_the_browser_language():
    response = Client(headers={"accept-language": "en-GB,en;q=0.9"}).get(reverse("login"))
    assert_english(response, "<h1>Log in</h1>", "Username", "Password", "Annotation Workbench")
    assert "كلمة المرور" not in response.content.decode()


@pytest.mark.django_db
def test_failed_login_is_explained_in_arabic():
    response = Client(headers={"accept-language": "ar"}).post(
        reverse("login"), {"username": "nobody", "password": "wrong"}
    )
    assert_arabic(response, "اسم المستخدم وكلمة المرور غير متطابقين")


def test_home_page_in_arabic(world):
    response = client_for(world["annotator"], "ar").get(reverse("home"))
    assert_arabic(response, "مشاريعك", "ابدأ التوسيم", "تسجيل الخروج", "المشاريع", "مشروع الأخبار")


def test_home_page_in_english(world):
    response = client_for(world["annotator"], "en").get(reverse("home"))
    assert_english(response, "Your projects", "Start annotating", "Log out")


def test_annotation_page_in_arabic_including_the_script_strings(world):
    url = reverse("annotate:assignment-annotate", kwargs={"asid": world["assignment"].pk})
    response = client_for(world["annotator"], "ar").get(url)
    assert_arabic(
        response,
        "أدوات التوسيم",
        ">تسليم</button>",
        "موقف المقالة",
        "اختصارات لوحة المفاتيح",
        "حُفظت جميع التغييرات",
    )
    data = json.loads(
        re.search(
            r'<script id="page-data" type="application/json">(.*?)</script>',
            response.content.decode(),
            re.S,
        ).group(1)
    )
    assert data["strings"]["saved"] == "حُفظت جميع التغييرات"
    assert data["strings"]["conflict"].startswith("حفظ شخص آخر هذا التوسيم")
    assert data["value_names"]["favor"] == "مؤيد"
    assert data["value_names"]["not_mentioned"] == "غير مذكور"


def test_annotation_page_in_english(world):
    url = reverse("annotate:assignment-annotate", kwargs={"asid": world["assignment"].pk})
    response = client_for(world["annotator"], "en").get(url)
    assert_english(response, "Annotation tools", ">Submit</button>", "Stance of the article")
    assert "حُفظت جميع التغييرات" not in response.content.decode()


def test_queue_finished_page_in_arabic(world):
    Assignment.objects.filter(annotator=world["annotator"]).update(status="submitted")
    url = reverse("annotate:project-annotate", kwargs={"pid": world["project"].pk})
    response = client_for(world["annotator"], "ar").get(url)
    assert_arabic(response, "انتهت قائمة المهام", "العودة إلى المشاريع")


def test_project_and_agreement_pages_in_arabic(world):
    client = client_for(world["manager"], "ar")
    detail = client.get(reverse("annotate:project-detail", kwargs={"pid": world["project"].pk}))
    assert_arabic(detail, "الأعضاء", "مخطط الوسوم", "توليد المهام", "التقدّم حسب المُوسِّم")
    agreement = client.get(reverse("annotate:agreement", kwargs={"pid": world["project"].pk}))
    assert_arabic(agreement, "الاتفاق بين المُوسِّمين", "كابا كوهين (Cohen's κ)")


@pytest.mark.parametrize(
    ("count", "expected"),
    [(0, "لا مقالات"), (1, "مقالة واحدة"), (2, "مقالتان"), (3, "3 مقالات"), (11, "11 مقالةً")],
)
def test_article_counts_use_arabic_plural_forms(db, count, expected):
    corpus = make_corpus()
    articles = [make_article(corpus, text=f"نص المقالة رقم {i}.") for i in range(count)]
    user = make_user()
    make_project(articles=articles, members={user: Role.ANNOTATOR})
    response = client_for(user, "ar").get(reverse("corpus:article-list"))
    assert_arabic(response)
    status = re.search(r'<p class="muted" role="status">(.*?)</p>', response.content.decode(), re.S)
    assert status.group(1).strip() == expected


def test_the_language_cookie_set_by_the_switcher_wins_over_the_browser(world):
    client = client_for(world["annotator"], "en")
    response = client.post(reverse("set_language"), {"language": "ar", "next": reverse("home")})
    assert response.status_code == 302
    assert client.cookies[settings.LANGUAGE_COOKIE_NAME].value == "ar"
    assert_arabic(client.get(reverse("home")), "مشاريعك")
    client.post(reverse("set_language"), {"language": "en", "next": reverse("home")})
    assert_english(client.get(reverse("home")), "Your projects")


def test_the_switcher_offers_both_languages_by_their_own_names(world):
    response = client_for(world["annotator"], "ar").get(reverse("home"))
    body = response.content.decode()
    assert '<option value="ar" selected>العربيّة</option>' in body
    assert '<option value="en">English</option>' in body
