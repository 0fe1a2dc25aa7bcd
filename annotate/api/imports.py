"""Import labelled data (our JSONL, Label Studio, doccano) into a project (managers)."""

from __future__ import annotations

from django.conf import settings
from drf_spectacular.utils import extend_schema
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response

from annotate.access import access_project
from annotate.api.base import ERRORS, ApiView
from annotate.api.jobs import JobSerializer
from annotate.api.serializers import ImportSerializer
from annotate.errors import ActionError
from annotate.imports import (
    check_import_corpus,
    find_member,
    import_corpus_name,
    resolve_annotator_map,
)
from annotate.lib.imports import file_refusal
from annotate.models import Role
from annotate.tasks import do_start_import, job_payload


class ImportView(ApiView):
    parser_classes = [MultiPartParser, FormParser]

    @extend_schema(
        summary="Import annotations or gold from a file (managers); runs as a job",
        description=(
            "Formats: ours (our gold or raw JSONL export), label-studio (JSON export), doccano "
            "(JSONL export). Records whose text matches an article of the project attach to "
            "it; others create articles in the import corpus and join the project. Bad records "
            "(offsets that do not match, unknown labels) fail the job with every error listed "
            "and nothing written, unless skip_bad. A file that is not the named format (Label "
            "Studio JSON-MIN, our JSONL given as label-studio, no tasks) is refused with 400 "
            "saying what it looks like. Annotators the file names who are not project members "
            "must be mapped with map_annotator, or the job fails naming them. New articles go "
            "to a corpus you own, or a new one you create (a named corpus you cannot see: "
            "404; one you only read: 403). "
            "202 with the job."
        ),
        request={"multipart/form-data": ImportSerializer},
        responses={202: JobSerializer, **ERRORS},
    )
    def post(self, request: Request, pid: int) -> Response:
        project = access_project(request.user, pid, roles=(Role.MANAGER,))
        data = ImportSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        upload = data.validated_data["file"]
        if upload.size > settings.MAX_UPLOAD_BYTES:
            raise ActionError("file", f"the file is larger than {settings.MAX_UPLOAD_BYTES} bytes")
        if corpus := data.validated_data.get("corpus", ""):
            # A corpus named outright must be the caller's (or new) now, not when the job runs:
            # 404 for one they cannot see, 403 for one they only read.
            check_import_corpus(request.user, import_corpus_name(project, corpus))
        annotator_id = None
        if name := data.validated_data.get("annotator"):
            annotator_id = find_member(project, name).pk
        mapping = resolve_annotator_map(project, data.validated_data["map_annotator"])
        content = upload.read()
        if (refusal := file_refusal(content, format=data.validated_data["format"])) is not None:
            raise ActionError("file", refusal)
        job = do_start_import(
            project,
            user=request.user,
            data=content,
            filename=upload.name,
            format=data.validated_data["format"],
            offsets=data.validated_data["offsets"],
            as_gold=data.validated_data["as_gold"],
            skip_bad=data.validated_data["skip_bad"],
            annotator_id=annotator_id,
            annotator_map={name: user.pk for name, user in mapping.items()},
            corpus=data.validated_data.get("corpus", ""),
        )
        return Response(job_payload(job, user=request.user), status=202)
