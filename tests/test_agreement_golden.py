"""The agreement report's whole JSON document, byte for byte, from the API and the command.

tests/fixtures/agreement_golden/*.json were written by the code before the report became
dataclasses (commit "Agreement: golden JSON of the API and the command"); the typed report
must serialise to exactly the same text: key order, floats, nulls. Ids are fixed so that the
documents do not depend on the database's sequences; "meta" (time, duration, fingerprint) is
the only part replaced before comparing.

Regenerate (only when a change of the report is intended): WRITE_GOLDEN=1 pytest this file.
"""

from __future__ import annotations

import json
import os
from datetime import UTC, datetime
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from annotate.models import Role
from tests.factories import (
    PASSWORD,
    make_annotation,
    make_article,
    make_corpus,
    make_project,
    make_user,
    span_of,
)
from tests.test_agreement_assemble import assert_same

pytestmark = pytest.mark.django_db

GOLDEN = Path(__file__).parent / "fixtures" / "agreement_golden"
TEXTS = [
    "قالت وزارة الدفاع إن وداعش انسحب من مدينة الرقة صباح الأحد، وإن القوات تقدمت.",
    "أعلن التحالف الدولي أن الجيش السوري دخل مدينة دير الزور بعد معارك مع داعش.",
    "قال المتحدث باسم الأمم المتحدة إن المساعدات وصلت إلى حلب يوم الاثنين.",
    "نفى مسؤول في دمشق أن تكون القوات الحكومية قد قصفت ريف إدلب.",
    "ذكرت وكالة الأنباء أن المدنيين نزحوا من القرى المجاورة لمدينة الرقة.",
]
WEEK1 = datetime(2026, 1, 6, 10, tzinfo=UTC)
WEEK2 = datetime(2026, 1, 14, 10, tzinfo=UTC)
WEEK3 = datetime(2026, 1, 21, 10, tzinfo=UTC)


def claim(text: str, words: str, sid: str, **attributes):
    return span_of(text, words, "CLAIM", span_id=sid, **attributes)


def ent(text: str, word: str, label: str, sid: str | None = None, occurrence: int = 0):
    return span_of(text, word, label, occurrence=occurrence, span_id=sid)


@pytest.fixture
def golden_project():
    """Four annotators on five articles: entities, claims with claimants (relations, author,
    unset), claim stance and check-worthiness, document stance with missing targets, an
    article done by one annotator, one annotator with no overlap in stance at all."""
    amal = make_user("amal", id=9101)
    badr = make_user("badr", id=9102)
    huda = make_user("huda", id=9103)
    lone = make_user("lone", id=9104)
    manager = make_user("manal", id=9110)
    corpus = make_corpus("golden")
    articles = [
        make_article(corpus, text=t, title=f"خبر {i}", id=9201 + i) for i, t in enumerate(TEXTS)
    ]
    project = make_project(
        "golden",
        articles=articles,
        members={
            amal: Role.ANNOTATOR,
            badr: Role.ANNOTATOR,
            huda: Role.ANNOTATOR,
            lone: Role.ANNOTATOR,
            manager: Role.MANAGER,
        },
    )
    t0, t1, t2, t3, t4 = (a.text for a in articles)
    said0 = "إن وداعش انسحب من مدينة الرقة"
    said1 = "أن الجيش السوري دخل مدينة دير الزور"
    said2 = "إن المساعدات وصلت إلى حلب"
    plan = [
        (
            amal,
            0,
            [
                ent(t0, "وزارة الدفاع", "ORG", "a-org"),
                ent(t0, "داعش", "MILITARY_GROUP"),
                ent(t0, "الرقة", "GPE"),
                claim(t0, said0, "a-c0", stance="supports", checkworthy=True),
            ],
            [{"id": "r1", "type": "claimant", "from": "a-c0", "to": "a-org"}],
            {"isis": "against", "syrian_army": "neutral"},
            WEEK1,
        ),
        (
            badr,
            0,
            [
                ent(t0, "وزارة الدفاع", "ORG", "b-org"),
                ent(t0, "وداعش", "MILITARY_GROUP"),
                ent(t0, "الرقة", "LOC"),
                claim(t0, said0, "b-c0", stance="reports", checkworthy=True),
            ],
            [{"id": "r1", "type": "claimant", "from": "b-c0", "to": "b-org"}],
            {"isis": "against", "syrian_army": "against"},
            WEEK1,
        ),
        (
            huda,
            0,
            [ent(t0, "داعش", "MILITARY_GROUP"), claim(t0, said0, "h-c0", claimant="author")],
            [],
            {"isis": "against"},
            WEEK1,
        ),
        (
            amal,
            1,
            [
                ent(t1, "التحالف الدولي", "ORG"),
                ent(t1, "الجيش السوري", "MILITARY_GROUP"),
                ent(t1, "دير الزور", "GPE"),
                claim(t1, said1, "a-c1", claimant="author", stance="supports", checkworthy=False),
            ],
            [],
            {"isis": "not_mentioned", "syrian_army": "favor", "us_coalition": "favor"},
            WEEK2,
        ),
        (
            badr,
            1,
            [
                ent(t1, "التحالف الدولي", "ORG"),
                ent(t1, "الجيش السوري", "MILITARY_GROUP"),
                claim(
                    t1, said1, "b-c1", claimant="unattributed", stance="refutes", checkworthy=True
                ),
            ],
            [],
            {"isis": "not_mentioned", "syrian_army": "favor", "us_coalition": "neutral"},
            WEEK2,
        ),
        (
            amal,
            2,
            [ent(t2, "الأمم المتحدة", "ORG"), ent(t2, "حلب", "GPE"), claim(t2, said2, "a-c2")],
            [],
            {"isis": "not_mentioned"},
            WEEK2,
        ),
        (
            huda,
            2,
            [
                ent(t2, "حلب", "GPE"),
                ent(t2, "يوم الاثنين", "DATE"),
                claim(t2, "المساعدات وصلت", "h-c2", stance="reports"),
            ],
            [],
            {"isis": "neutral"},
            WEEK3,
        ),
        (amal, 3, [ent(t3, "دمشق", "GPE")], [], {"isis": "neutral"}, WEEK3),
        (badr, 3, [ent(t3, "دمشق", "GPE"), ent(t3, "إدلب", "LOC")], [], {}, WEEK3),
        (lone, 3, [], [], {}, WEEK3),
        (lone, 4, [ent(t4, "الرقة", "GPE")], [], {"isis": "favor"}, WEEK3),
    ]
    for user, index, spans, relations, stance, when in plan:
        make_annotation(
            project,
            articles[index],
            user,
            spans=spans,
            relations=relations,
            stance=stance,
            submitted_at=when,
        )
    return project, manager


def without_meta(document: dict) -> dict:
    document = dict(document)
    meta = document.pop("meta")
    full = {"fingerprint", "computed_at", "seconds", "cached"}
    assert set(meta) in (full, full | {"source", "pending", "built_at"})  # the latter: totals
    return document


def check_golden(name: str, text: str) -> None:
    path = GOLDEN / name
    if os.environ.get("WRITE_GOLDEN"):
        GOLDEN.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    assert text == path.read_text(encoding="utf-8")


def api_text(project, manager, *, refresh: bool = False) -> str:
    client = Client()
    assert client.login(username=manager.username, password=PASSWORD)
    url = reverse("annotate:api-agreement", args=[project.pk]) + ("?refresh=1" if refresh else "")
    response = client.get(url, HTTP_ACCEPT="application/json")
    assert response.status_code == 200
    # The API's body without "meta", in the API's own key order and float formatting.
    body = response.content.decode()
    data = json.loads(body)
    cut = body.rindex(',"meta":')
    assert json.loads(body[:cut] + "}") == without_meta(data)
    return body[:cut] + "}\n"


def command_text(project, *args: str) -> str:
    out = StringIO()
    call_command("agreement", str(project.pk), *args, stdout=out)
    return out.getvalue()


def test_the_api_document_is_unchanged(golden_project):
    """The full recomputation (?refresh=1) is the golden document; the default document,
    assembled from the stored totals, is the same (three measures within 1e-9: see
    tests/test_agreement_assemble.py; here they differ in the last digit at most)."""
    project, manager = golden_project
    fresh = api_text(project, manager, refresh=True)
    check_golden("api.json", fresh)
    assembled = api_text(project, manager)
    assert_same(json.loads(assembled), json.loads(fresh))


def test_the_command_json_is_unchanged(golden_project):
    project, _ = golden_project
    raw = command_text(project, "--json", "--refresh")
    document = json.loads(raw)
    assert json.dumps(document, ensure_ascii=False, indent=2, sort_keys=True) + "\n" == raw
    assert document.pop("meta")["cached"] is False
    text = json.dumps(document, ensure_ascii=False, indent=2, sort_keys=True) + "\n"
    check_golden("command.json", text)


def test_the_command_table_is_unchanged(golden_project):
    project, _ = golden_project
    lines = command_text(project, "--refresh").splitlines()
    assert lines[-1].startswith("(computed in ")
    check_golden("command.txt", "\n".join(lines[:-1]) + "\n")
