"""Assignment planning (pure) and the queue (generation, next, progress) on the database."""

from __future__ import annotations

from collections import Counter

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from annotate.annotations import do_skip, do_submit
from annotate.lib.overlap import (
    ExistingSlot,
    OverlapError,
    load_by_annotator,
    overlap_articles,
    plan_assignments,
    slots_wanted,
)
from annotate.models import Assignment, AssignmentStatus, Role
from annotate.projects import do_remove_member
from annotate.queue import (
    do_generate_assignments,
    do_next,
    pool_summary,
    progress_by_annotator,
    queue_summary,
)
from tests.factories import make_article, make_corpus, make_project, make_user

# ---- pure planning ----


def plan(articles, annotators, **kwargs):
    kwargs = {"k": 2, "fraction": 1.0, "seed": 7, "preassign": True} | kwargs
    return plan_assignments(articles, annotators, **kwargs)


def test_every_article_gets_k_distinct_annotators():
    slots = plan(list(range(1, 11)), [101, 102, 103], k=2)
    by_article: dict[int, list] = {}
    for slot in slots:
        by_article.setdefault(slot.article, []).append(slot)
    assert set(by_article) == set(range(1, 11))
    for article_slots in by_article.values():
        assert sorted(s.slot for s in article_slots) == [0, 1]
        assert len({s.annotator for s in article_slots}) == 2


@settings(max_examples=200, deadline=None)
@given(
    n_articles=st.integers(0, 60),
    n_people=st.integers(1, 9),
    k=st.integers(1, 5),
    fraction=st.floats(0, 1),
    seed=st.integers(-1000, 1000),
)
def test_plans_are_balanced_distinct_and_deterministic(n_articles, n_people, k, fraction, seed):
    articles = list(range(100, 100 + n_articles))
    people = list(range(1, n_people + 1))
    wanted = slots_wanted(articles, k=k, fraction=fraction, seed=seed)
    if max(wanted.values(), default=0) > n_people:
        with pytest.raises(OverlapError):
            plan(articles, people, k=k, fraction=fraction, seed=seed)
        return
    slots = plan(articles, people, k=k, fraction=fraction, seed=seed)
    again = plan(articles, list(reversed(people)), k=k, fraction=fraction, seed=seed)
    assert slots == again
    loads = [load_by_annotator(slots).get(p, 0) for p in people]
    assert max(loads) - min(loads) <= 1
    pairs = [(s.article, s.annotator) for s in slots]
    assert len(pairs) == len(set(pairs))
    assert Counter(s.article for s in slots) == Counter({a: n for a, n in wanted.items() if n})
    overlap = sum(1 for n in wanted.values() if n == k) if k > 1 else 0
    if k > 1:
        assert overlap == int(fraction * n_articles + 0.5)


def test_fraction_picks_the_same_articles_for_the_same_seed():
    articles = list(range(1, 101))
    first = overlap_articles(articles, fraction=0.2, seed=3)
    assert len(first) == 20
    assert overlap_articles(articles, fraction=0.2, seed=3) == first
    assert overlap_articles(articles, fraction=0.2, seed=4) != first
    # Adding articles keeps most earlier choices.
    grown = overlap_articles([*articles, *range(101, 106)], fraction=0.2, seed=3)
    assert len(first & grown) >= 18


def test_pool_mode_plans_open_slots():
    slots = plan([1, 2], [], k=3, preassign=False)
    assert [(s.article, s.slot, s.annotator) for s in slots] == [
        (1, 0, None),
        (1, 1, None),
        (1, 2, None),
        (2, 0, None),
        (2, 1, None),
        (2, 2, None),
    ]


def test_existing_slots_are_kept_and_only_missing_ones_planned():
    existing = [ExistingSlot(1, 0, 11), ExistingSlot(1, 3, None), ExistingSlot(2, 0, 12)]
    slots = plan([1, 2], [11, 12, 13], k=3, existing=existing)
    by_article = {a: [s for s in slots if s.article == a] for a in (1, 2)}
    assert [s.slot for s in by_article[1]] == [1]
    assert by_article[1][0].annotator not in (11, None)
    assert [s.slot for s in by_article[2]] == [1, 2]
    assert 12 not in [s.annotator for s in by_article[2]]
    assert plan([1], [11, 12], k=1, existing=existing) == []


def test_new_annotators_catch_up():
    existing = [ExistingSlot(a, 0, 1) for a in range(1, 5)]
    slots = plan(list(range(1, 9)), [1, 2], k=1, existing=existing)
    assert {s.annotator for s in slots} == {2}


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"k": 0}, "k"),
        ({"k": True}, "k"),
        ({"fraction": 1.5}, "fraction"),
        ({"fraction": float("nan")}, "fraction"),
        ({"k": 4}, "k"),
    ],
)
def test_impossible_policies_name_the_field(kwargs, field):
    with pytest.raises(OverlapError) as info:
        plan([1, 2], [1, 2, 3], **kwargs)
    assert info.value.field == field


# ---- on the database ----


@pytest.fixture
def project_with(db):
    def build(n_articles=4, n_annotators=2):
        corpus = make_corpus()
        articles = [make_article(corpus) for _ in range(n_articles)]
        annotators = [make_user() for _ in range(n_annotators)]
        project = make_project(articles=articles, members=dict.fromkeys(annotators, Role.ANNOTATOR))
        return project, articles, annotators

    return build


def snapshot(project):
    return sorted(
        Assignment.objects.filter(project=project).values_list(
            "article_id", "slot", "annotator_id", "position"
        )
    )


def test_generation_is_deterministic_and_idempotent(project_with):
    project, articles, annotators = project_with(6, 3)
    result = do_generate_assignments(project, k=2, fraction=0.5, seed=9)
    assert (result.created, result.total) == (9, 9)
    first = snapshot(project)
    assert do_generate_assignments(project, k=2, fraction=0.5, seed=9).created == 0
    assert snapshot(project) == first
    Assignment.objects.filter(project=project).delete()
    do_generate_assignments(project, k=2, fraction=0.5, seed=9)
    assert snapshot(project) == first
    project.refresh_from_db()
    assert (project.overlap_k, project.overlap_fraction, project.assignment_seed) == (2, 0.5, 9)
    positions = dict(project.project_articles.values_list("article_id", "position"))
    assert all(position == positions[article] for article, _, _, position in first)


def test_regeneration_adds_new_articles_and_never_touches_started_work(project_with):
    project, articles, annotators = project_with(3, 2)
    do_generate_assignments(project, k=1, seed=1)
    assignment, _ = do_next(project, annotators[0])
    do_submit(
        assignment,
        user=annotators[0],
        version=1,
        content={
            "document_labels": {
                "stance": {"isis": "favor", "syrian_army": "favor", "us_coalition": "favor"}
            }
        },
    )
    before = snapshot(project)
    extra = make_article(articles[0].corpus)
    project.project_articles.create(article=extra, position=3)
    result = do_generate_assignments(project, k=2, seed=1)
    after = snapshot(project)
    assert set(before) <= set(after)
    assert result.created == 5  # one more slot for each old article, two for the new one
    submitted = Assignment.objects.get(pk=assignment.pk)
    assert submitted.status == AssignmentStatus.SUBMITTED
    assert submitted.annotator == annotators[0]


def test_preassign_needs_enough_annotators(project_with):
    project, _, _ = project_with(2, 1)
    with pytest.raises(OverlapError) as info:
        do_generate_assignments(project, k=2)
    assert "needs at least 2 annotator members" in info.value.message
    assert not Assignment.objects.filter(project=project).exists()


def test_next_takes_own_in_progress_then_todo_by_position(project_with):
    project, articles, (ann, _) = project_with(4, 2)
    do_generate_assignments(project, k=2, seed=0)
    first, annotation = do_next(project, ann)
    assert first.article == articles[0]
    assert annotation.assignment_id == first.pk
    assert do_next(project, ann)[0].pk == first.pk
    do_skip(first, user=ann, reason="duplicate")
    second, _ = do_next(project, ann)
    assert second.article == articles[1]
    seen = {first.article_id, second.article_id}
    for _ in range(2):
        do_skip(second, user=ann, reason="r")
        second, _ = do_next(project, ann)
        seen.add(second.article_id)
    do_skip(second, user=ann, reason="r")
    assert do_next(project, ann) is None
    assert seen == {a.pk for a in articles}


def test_pool_slots_are_claimed_once_per_article_per_annotator(project_with):
    project, articles, (ann1, ann2) = project_with(2, 2)
    do_generate_assignments(project, k=2, seed=0, mode="pool")
    assert pool_summary(project) == {"open_slots": 4, "articles": 2}
    mine = []
    while (found := do_next(project, ann1)) is not None:
        mine.append(found[0].article_id)
        do_skip(found[0], user=ann1, reason="r")
    assert sorted(mine) == sorted(a.pk for a in articles)
    theirs = []
    while (found := do_next(project, ann2)) is not None:
        theirs.append(found[0].article_id)
        do_skip(found[0], user=ann2, reason="r")
    assert sorted(theirs) == sorted(a.pk for a in articles)
    assert pool_summary(project) == {"open_slots": 0, "articles": 0}
    assert do_next(project, make_user()) is None


def test_pool_claim_skips_articles_the_annotator_already_has(project_with):
    project, articles, (ann1, ann2) = project_with(2, 2)
    do_generate_assignments(project, k=1, seed=0, mode="preassign")
    Assignment.objects.create(project=project, article=articles[0], slot=5, position=0)
    own_article = Assignment.objects.get(
        project=project, annotator__isnull=False, slot=0, article=articles[0]
    ).annotator
    other = ann2 if own_article == ann1 else ann1
    # The owner of article 0 works through their own queue and never gets its pool slot.
    while (found := do_next(project, own_article)) is not None:
        assert found[0].annotator == own_article
        do_skip(found[0], user=own_article, reason="r")
    assert Assignment.objects.get(slot=5).annotator is None
    claimed = []
    while (found := do_next(project, other)) is not None:
        claimed.append(found[0])
        do_skip(found[0], user=other, reason="r")
    assert any(a.slot == 5 for a in claimed)


def test_queue_summary_and_progress(project_with):
    project, _, (ann1, ann2) = project_with(4, 2)  # two assignments each
    do_generate_assignments(project, k=1, seed=0)
    assignment, _ = do_next(project, ann1)
    do_skip(assignment, user=ann1, reason="r")
    do_next(project, ann1)
    summary = queue_summary(project, ann1)
    own_total = Assignment.objects.filter(annotator=ann1).count()
    assert summary["done"] == 1
    assert summary["total"] == own_total
    assert summary["in_progress"] == 1
    rows = {row["annotator"]: row for row in progress_by_annotator(project)}
    assert rows[ann1.pk]["skipped"] == 1
    assert rows[ann1.pk]["in_progress"] == 1
    assert rows[ann1.pk]["total"] == own_total
    assert own_total == 2
    assert rows[ann2.pk]["todo"] == 2
    assert [r["annotator"] for r in progress_by_annotator(project, only_user=ann2)] == [ann2.pk]


def test_progress_lists_annotators_without_work(project_with):
    project, _, annotators = project_with(0, 2)
    rows = progress_by_annotator(project)
    assert [r["total"] for r in rows] == [0, 0]


def test_removing_a_member_returns_unstarted_work_to_the_pool(project_with):
    project, _, (ann1, ann2) = project_with(4, 2)
    manager = make_user()
    project.memberships.create(user=manager, role=Role.MANAGER)
    do_generate_assignments(project, k=1, seed=0)
    started, _ = do_next(project, ann1)
    do_remove_member(project, by=manager, user=ann1)
    assert Assignment.objects.get(pk=started.pk).annotator == ann1
    assert Assignment.objects.filter(project=project, annotator__isnull=True).count() == (
        Assignment.objects.filter(project=project).exclude(annotator=ann2).count() - 1
    )
    # ann2 picks up the released slots through next.
    while (found := do_next(project, ann2)) is not None:
        do_skip(found[0], user=ann2, reason="r")
    assert Assignment.objects.filter(project=project, annotator__isnull=True).count() == 0


def test_progress_keeps_former_members_with_work_and_costs_two_queries(
    project_with, django_assert_num_queries
):
    project, _, (ann1, ann2) = project_with(4, 2)
    manager = make_user()
    project.memberships.create(user=manager, role=Role.MANAGER)
    do_generate_assignments(project, k=1, seed=0)
    do_next(project, ann1)
    with django_assert_num_queries(2):
        before = progress_by_annotator(project)
    do_remove_member(project, by=manager, user=ann1)
    with django_assert_num_queries(3):  # the former member's name is looked up
        rows = {row["annotator"]: row for row in progress_by_annotator(project)}
    assert rows[ann1.pk] == {
        "annotator": ann1.pk,
        "username": ann1.username,
        "todo": 0,
        "in_progress": 1,
        "submitted": 0,
        "skipped": 0,
        "total": 1,
    }
    assert rows[ann2.pk]["todo"] == 2  # ann1's unstarted work went to the pool
    assert [r["username"] for r in before] == sorted([ann1.username, ann2.username])
