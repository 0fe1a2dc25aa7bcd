"""Make today's corpus access explicit as ownership (corpus/migrations/0004 adds the field).

Until now the manager of any project read and imported into every corpus. Ownership keeps
what that meant in practice and nothing more: a corpus's owners become the managers of the
projects that hold any of its articles, and its creator when they still manage a project
(a corpus not yet given to any project is theirs to give). Staff keep every corpus through
being staff, so they are not added. Nobody gains access they lacked; managers lose the
corpora none of their projects use (an owner or staff can grant them).

It lives in annotate because projects and memberships are annotate's; corpus never imports
annotate. Reversing leaves the owners for corpus 0004's reversal to drop.
"""

from django.db import migrations

MANAGER = "manager"
BATCH = 1000


def owners_from_projects(apps, schema_editor):
    Corpus = apps.get_model("corpus", "Corpus")
    Membership = apps.get_model("annotate", "Membership")
    ProjectArticle = apps.get_model("annotate", "ProjectArticle")
    Owner = Corpus.owners.through
    managers = Membership.objects.filter(role=MANAGER)
    pairs = set(
        ProjectArticle.objects.filter(
            project_id__in=managers.values("project_id"), project__memberships__role=MANAGER
        )
        .values_list("article__corpus_id", "project__memberships__user_id")
        .distinct()
        .iterator()
    )
    still_managers = managers.values("user_id")
    pairs.update(
        Corpus.objects.filter(created_by__in=still_managers)
        .values_list("pk", "created_by_id")
        .iterator()
    )
    Owner.objects.bulk_create(
        (Owner(corpus_id=corpus_id, user_id=user_id) for corpus_id, user_id in sorted(pairs)),
        batch_size=BATCH,
        ignore_conflicts=True,
    )


class Migration(migrations.Migration):
    dependencies = [
        ("annotate", "0007_hash_plain_api_tokens"),
        ("corpus", "0004_corpus_owners"),
    ]

    operations = [migrations.RunPython(owners_from_projects, migrations.RunPython.noop)]
