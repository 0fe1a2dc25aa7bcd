"""Import with a preview: title rules, column mapping, refusals named per file, encodings that
are not UTF-8 named with how to convert them, through the pure code, the page and the API."""

from __future__ import annotations

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from hypothesis import given
from hypothesis import strategies as st
from rest_framework.test import APIClient

from corpus.lib.encodings import foreign_encoding_problem, guess_encoding
from corpus.lib.parsers import BadRecord, ParsedArticle, parse_bytes, parse_files
from corpus.lib.preview import (
    ImportRules,
    RulesError,
    apply_rules,
    build_preview,
    check_rules,
)
from corpus.models import Article, Corpus
from tests.factories import make_article, make_corpus

# A scraped page's shape: site furniture on the first lines (made-up text, not the samples).
SCRAPED = "شارك\nkayhan.ir\n2018-03-04 10:22\nقالت مصادر محلية إن القوات دخلت البلدة صباح اليوم.\n"
ARABIC = "دخلت القوات مدينة الرقة صباح الأحد. وقال المتحدث إن المعارك مستمرة في دير الزور."


def records(files, rules=None):
    rules = rules or ImportRules()
    return list(
        apply_rules(parse_files(files, title_from_first_line=rules.title_from_first_line), rules)
    )


# ---- pure: encodings ----


@pytest.mark.parametrize(
    ("encoding", "named"),
    [
        ("cp1256", "Windows-1256"),
        ("utf-16", "UTF-16"),
        ("utf-16-le", "UTF-16LE"),
        ("utf-16-be", "UTF-16BE"),
    ],
)
@pytest.mark.parametrize("name", ["article.txt", "articles.csv", "articles.jsonl"])
def test_a_file_in_another_encoding_is_refused_naming_it_and_how_to_convert(encoding, named, name):
    content = {
        "article.txt": f"عنوان\n{ARABIC}\n",
        "articles.csv": f"title,text\nعنوان,{ARABIC}\n",
        "articles.jsonl": json.dumps({"text": ARABIC}, ensure_ascii=False) + "\n",
    }[name]
    [record] = list(parse_bytes(content.encode(encoding), name=name))
    assert isinstance(record, BadRecord)
    assert record.origin.file == name and record.origin.line is None
    assert f"the file is not UTF-8: it looks like {named} text" in record.message
    assert f"iconv -f {named.upper()} -t UTF-8 '{name}'" in record.message
    assert "Nothing is converted silently" in record.message


@given(st.text(st.characters(exclude_categories=("Cs",), exclude_characters="\x00")))
def test_utf8_text_is_never_taken_for_another_encoding(text):
    assert guess_encoding(text.encode()) is None


def test_unclear_bytes_keep_the_plain_utf8_error():
    assert foreign_encoding_problem(b"abc\xff", name="a.txt") is None
    assert foreign_encoding_problem("café résumé naïve".encode("latin-1"), name="a.txt") is None
    [record] = list(parse_bytes(b"abc\xff", name="a.txt"))
    assert record.message.startswith("not valid UTF-8 at byte 3")


def test_a_long_utf8_file_is_checked_by_its_start_only():
    data = ("x" * 70_000 + ARABIC).encode()
    assert guess_encoding(data) is None


# ---- pure: rules ----


def test_the_file_name_rule_keeps_the_whole_text():
    [article] = records([("news/000_raqqa.txt", SCRAPED.encode())], ImportRules(title="file_name"))
    assert isinstance(article, ParsedArticle)
    assert article.title == "000_raqqa"
    assert article.text.startswith("شارك\nkayhan.ir")


def test_default_and_no_title_rules_for_text_files():
    [auto] = records([("a.txt", SCRAPED.encode())])
    assert auto.title == "شارك" and auto.text.startswith("kayhan.ir")
    [none] = records([("a.txt", SCRAPED.encode())], ImportRules(title="none"))
    assert none.title == "" and none.text.startswith("شارك")


def test_rules_for_jsonl_columns_and_first_line():
    line = {"text": "سطر أول\nوالباقي", "headline": "عنوان", "link": "https://x.org/a", "junk": 1}
    data = (json.dumps(line, ensure_ascii=False) + "\n").encode()
    rules = check_rules(
        title="column", title_column="Headline", columns={"link": "url", "junk": "ignore"}
    )
    [article] = records([("a.jsonl", data)], rules)
    assert (article.title, article.url, article.metadata) == ("عنوان", "https://x.org/a", {})
    [first] = records([("a.jsonl", data)], ImportRules(title="first_line"))
    assert first.title == "سطر أول"
    assert first.text == "سطر أول\nوالباقي"  # JSONL text stays whole: its offsets hold
    assert first.metadata == {"headline": "عنوان", "link": "https://x.org/a", "junk": 1}
    [named] = records([("dir/feed.jsonl", data)], ImportRules(title="file_name"))
    assert named.title == "feed 1"


def test_a_bad_mapped_value_refuses_that_record_naming_the_column():
    data = b"text,when\n\xd8\xae\xd8\xa8\xd8\xb1,yesterday\n"
    [bad] = records([("a.csv", data)], check_rules(columns={"when": "published_on"}))
    assert isinstance(bad, BadRecord)
    assert str(bad) == "a.csv, line 2: when must be an ISO date (YYYY-MM-DD), got 'yesterday'"


@pytest.mark.parametrize(
    ("options", "field"),
    [
        ({"title": "filename"}, "title_rule"),
        ({"title": "column"}, "title_column"),
        ({"columns": {"text": "ignore"}}, "columns.text"),
        ({"columns": {"x": "body"}}, "columns.x"),
    ],
)
def test_bad_rules_name_the_option(options, field):
    with pytest.raises(RulesError) as caught:
        check_rules(**options)
    assert caught.value.field == field


def test_preview_keeps_the_first_articles_and_every_refusal():
    files = [(f"{i}.txt", f"عنوان {i}\n{ARABIC} {i}".encode()) for i in range(8)]
    files += [("empty.txt", b""), ("blank.txt", b"  \n\n"), ("again.txt", files[0][1])]
    preview = build_preview(parse_files(files), limit=5)
    assert preview.count == 8
    assert [a.title for a in preview.articles] == [f"عنوان {i}" for i in range(5)]
    assert [str(bad) for bad in preview.refused] == [
        "empty.txt: empty article (the file is blank)",
        "blank.txt: empty article (the file is blank)",
    ]
    assert preview.repeated == 1
    assert len(preview.files) == 11


# ---- the page ----


def upload(name, content):
    return SimpleUploadedFile(name, content if isinstance(content, bytes) else content.encode())


def post(client, files, **fields):
    return client.post(
        "/corpus/import/",
        {"corpus": "أخبار", "file": files, **fields},
        headers={"accept": "application/json"},
    )


@pytest.fixture
def manager_client(team):
    corpus = make_corpus("أخبار", owners=[team.manager])
    make_article(corpus, text=f"{ARABIC} 0")  # one text already in the corpus
    client = Client()
    client.force_login(team.manager)
    return client


@pytest.mark.django_db
def test_the_page_previews_without_writing_and_names_each_refused_file(manager_client):
    files = [
        upload("good1.txt", f"عنوان\n{ARABIC} 0"),
        upload("good2.txt", f"عنوان ثان\n{ARABIC} 2"),
        upload("empty.txt", b""),
        upload("blank.txt", "   \n"),
    ]
    response = post(manager_client, files, preview="1")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["count"] == 2
    assert body["already_in_corpus"] == 1
    assert [bad["message"] for bad in body["refused"]] == [
        "empty.txt: empty article (the file is blank)",
        "blank.txt: empty article (the file is blank)",
    ]
    assert [a["title"] for a in body["articles"]] == ["عنوان", "عنوان ثان"]
    assert Article.objects.count() == 1


@pytest.mark.django_db
def test_the_mixed_upload_is_refused_naming_every_bad_file(manager_client):
    files = [
        upload("good1.txt", f"عنوان\n{ARABIC} 1"),
        upload("empty.txt", b""),
        upload("blank.txt", "\n"),
    ]
    response = post(manager_client, files)
    assert response.status_code == 400
    body = response.json()
    assert body["errors"] == [
        "empty.txt: empty article (the file is blank)",
        "blank.txt: empty article (the file is blank)",
    ]
    assert Article.objects.count() == 1
    files = [upload("good1.txt", f"عنوان\n{ARABIC} 1"), upload("empty.txt", b"")]
    skipped = post(manager_client, files, skip_bad="on")
    assert skipped.status_code == 200
    assert skipped.json()["skipped"][0]["message"] == "empty.txt: empty article (the file is blank)"
    assert Article.objects.count() == 2


@pytest.mark.django_db
def test_the_page_imports_with_the_file_name_rule_and_mapped_columns(manager_client):
    response = post(manager_client, [upload("000_raqqa.txt", SCRAPED)], title_rule="file_name")
    assert response.status_code == 200
    article = Article.objects.get(title="000_raqqa")
    assert article.text == SCRAPED.strip()
    csv = f"text,site,link,junk\n{ARABIC} 9,وكالة,https://x.org/9,x\n"
    response = post(
        manager_client,
        [upload("feed.csv", csv)],
        title_rule="first_line",
        **{"map.site": "source", "map.link": "url", "map.junk": "ignore"},
    )
    assert response.status_code == 200, response.content
    article = Article.objects.get(url="https://x.org/9")
    assert (article.source, article.metadata, article.title) == ("وكالة", {}, f"{ARABIC} 9")


@pytest.mark.django_db
def test_a_cp1256_upload_is_refused_on_the_page_saying_so(manager_client):
    files = [upload("old.txt", f"عنوان\n{ARABIC}".encode("cp1256"))]
    preview = post(manager_client, files, preview="1").json()
    assert "looks like Windows-1256" in preview["refused"][0]["message"]
    response = post(manager_client, [upload("old.txt", f"عنوان\n{ARABIC}".encode("cp1256"))])
    assert response.status_code == 400
    assert "old.txt: the file is not UTF-8: it looks like Windows-1256" in response.json()["detail"]


@pytest.mark.django_db
def test_a_bad_rule_on_the_page_is_a_400_naming_it(manager_client):
    response = post(manager_client, [upload("a.txt", SCRAPED)], title_rule="column")
    assert response.status_code == 400
    assert response.json()["field"] == "title_column"
    assert Article.objects.count() == 1


# ---- the API ----


@pytest.mark.django_db
def test_the_api_previews_and_imports_with_rules(team):
    corpus = make_corpus("أخبار", owners=[team.manager])
    client = APIClient()
    client.force_authenticate(team.manager)
    url = f"/api/corpora/{corpus.pk}/import/"
    line = json.dumps({"text": ARABIC, "headline": "عنوان", "site": "وكالة"}, ensure_ascii=False)
    body = {
        "file": [upload("a.jsonl", line + "\n")],
        "title_rule": "column",
        "title_column": "headline",
        "columns": json.dumps({"site": "source"}),
    }
    preview = client.post(url + "preview/", body, format="multipart")
    assert preview.status_code == 200, preview.content
    assert preview.json()["articles"][0]["title"] == "عنوان"
    assert preview.json()["extra_columns"] == ["site"]
    assert not Article.objects.exists()
    body["file"] = [upload("a.jsonl", line + "\n")]
    done = client.post(url, body, format="multipart")
    assert done.status_code == 200
    article = Article.objects.get()
    assert (article.title, article.source, article.metadata) == ("عنوان", "وكالة", {})
    bad = client.post(
        url + "preview/",
        {"file": [upload("a.jsonl", line + "\n")], "columns": "[1]"},
        format="multipart",
    )
    assert bad.status_code == 400 and bad.json()["field"] == "columns"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("who", "expected"), [("manager", 200), ("reviewer", 404), ("outsider", 404), ("staff", 200)]
)
def test_who_may_preview_an_import(team, who, expected):
    corpus = make_corpus("أخبار", owners=[team.manager])
    client = APIClient()
    client.force_authenticate(team[who])
    response = client.post(
        f"/api/corpora/{corpus.pk}/import/preview/",
        {"file": [upload("a.txt", SCRAPED)]},
        format="multipart",
    )
    assert response.status_code == expected
    anonymous = APIClient().post(
        f"/api/corpora/{corpus.pk}/import/preview/",
        {"file": [upload("a.txt", SCRAPED)]},
        format="multipart",
    )
    assert anonymous.status_code in (401, 403)
    assert Corpus.objects.count() == 1 and not Article.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("field", "value"), [("no_title", "0"), ("skip_bad", "1"), ("skip_bad", "on")]
)
def test_the_api_takes_true_or_false_for_its_switches_and_refuses_the_rest(team, field, value):
    corpus = make_corpus("أخبار", owners=[team.manager])
    client = APIClient()
    client.force_authenticate(team.manager)
    url = f"/api/corpora/{corpus.pk}/import/"
    for target in (url + "preview/", url):
        refused = client.post(
            target, {"file": [upload("a.txt", SCRAPED)], field: value}, format="multipart"
        )
        assert refused.status_code == 400, refused.content
        assert refused.json()["field"] == field
        assert "true or false" in refused.json()["detail"]
    assert not Article.objects.exists()
    taken = client.post(
        url, {"file": [upload("a.txt", SCRAPED)], field: "false"}, format="multipart"
    )
    assert taken.status_code == 200, taken.content
    assert Article.objects.count() == 1


# ---- the command ----


@pytest.mark.django_db
def test_the_command_takes_the_title_rule(tmp_path):
    from django.core.management import CommandError, call_command

    folder = tmp_path / "news"
    folder.mkdir()
    (folder / "000_raqqa.txt").write_text(SCRAPED, encoding="utf-8")
    (folder / "001_deir.txt").write_text(f"kayhan.ir\n{ARABIC}", encoding="utf-8")
    call_command(
        "import_articles", str(folder), "--corpus=أخبار", "--title-rule=file_name", verbosity=0
    )
    assert sorted(Article.objects.values_list("title", flat=True)) == ["000_raqqa", "001_deir"]
    assert Article.objects.get(title="001_deir").text == f"kayhan.ir\n{ARABIC}"
    with pytest.raises(CommandError, match="--title-column: name the column"):
        call_command(
            "import_articles", str(folder), "--corpus=x", "--title-rule=column", verbosity=0
        )
    assert not Corpus.objects.filter(name="x").exists()
