"""REST API of the corpus: corpora, their articles, and imports. Thin views over
corpus.access (who may do what), corpus.queries (search) and corpus.importing (writes)."""

from __future__ import annotations

import json
from collections.abc import Callable
from types import SimpleNamespace

from django.core.validators import RegexValidator
from django.db.models import BooleanField, Count, Exists, OuterRef, Value
from django.http import HttpRequest
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import generics, serializers, status
from rest_framework.exceptions import ValidationError
from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.parsers import JSONParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from corpus.access import (
    access_article,
    access_corpus,
    check_can_create_corpora,
    is_corpus_staff,
    readable_articles,
    readable_corpora,
)
from corpus.articles import (
    ONE_LINE_TITLE,
    ArticleEditError,
    access_article_for_edit,
    article_edits,
    do_edit_article,
)
from corpus.importing import (
    STREAM_ANY_TYPE,
    STREAM_MEDIA_TYPES,
    CorpusNameError,
    ImportRejected,
    UploadError,
    check_corpus_name,
    check_request_size,
    do_import_stream,
    do_import_uploads,
    preview_uploads,
    stream_format,
    use_import_upload_handlers,
)
from corpus.lib.parsers import FORMATS, MAX_TITLE
from corpus.lib.preview import TITLE_RULES, ImportRules, RulesError, check_rules
from corpus.models import Article, Corpus
from corpus.owners import (
    OwnershipError,
    corpus_owners,
    do_add_owner,
    do_remove_owner,
    find_owner_candidate,
)
from corpus.search import MAX_PAGE_SIZE, MAX_SEARCH, PAGE_SIZE, search_page
from workbench.api_fields import StrictBooleanField, StrictCharField, StrictModelSerializer
from workbench.cursor import CursorError

MAX_LISTED_ERRORS = 1000


def error(detail: str, *, field: str | None = None, code: int = 400, **extra) -> Response:
    body = {"detail": detail, **({"field": field} if field else {}), **extra}
    return Response(body, status=code)


def first_error(exc: ValidationError) -> Response:
    """A serializer's errors in the API's shape: {"detail": ..., "field": ...}."""
    detail = exc.detail
    if isinstance(detail, dict) and detail:
        field, messages = next(iter(detail.items()))
        message = messages[0] if isinstance(messages, list) else messages
        if field == "non_field_errors":
            return error(str(message))
        return error(f"{field}: {message}", field=field)
    return error(str(detail[0] if isinstance(detail, list) else detail))


class CorpusSerializer(StrictModelSerializer):
    article_count = serializers.IntegerField(read_only=True)
    owned = serializers.BooleanField(
        source="is_owned", read_only=True, help_text="you may import into it and manage it"
    )

    class Meta:
        model = Corpus
        fields = ["id", "name", "description", "created_at", "article_count", "owned"]
        read_only_fields = ["id", "created_at", "article_count", "owned"]
        # validate_name gives the clearer message for a taken name.
        extra_kwargs = {"name": {"validators": []}}

    def validate_name(self, value: str) -> str:
        try:
            name = check_corpus_name(value)
        except CorpusNameError as exc:
            raise serializers.ValidationError(str(exc)) from None
        if Corpus.objects.filter(name=name).exists():
            raise serializers.ValidationError(f"a corpus named {name!r} already exists")
        return name


class CorpusErrorSerializer(serializers.Serializer):
    detail = StrictCharField()
    field = StrictCharField(required=False)


class ArticleEditSerializer(serializers.Serializer):
    # Documents the body; check_article_changes checks it (one line, no NUL character).
    title = StrictCharField(
        required=False,
        allow_blank=True,
        max_length=MAX_TITLE,
        validators=[RegexValidator(ONE_LINE_TITLE)],
        help_text="One line: spaces and line breaks around it are dropped.",
    )
    metadata = serializers.DictField(required=False)


class ArticleListSerializer(StrictModelSerializer):
    corpus = serializers.IntegerField(source="corpus_id", read_only=True)
    corpus_name = StrictCharField(source="corpus.name", read_only=True)

    class Meta:
        model = Article
        fields = [
            "id",
            "corpus",
            "corpus_name",
            "title",
            "source",
            "url",
            "published_on",
            "external_id",
            "created_at",
        ]


class ArticleSerializer(ArticleListSerializer):
    length = serializers.SerializerMethodField()

    class Meta(ArticleListSerializer.Meta):
        fields = [
            *ArticleListSerializer.Meta.fields,
            "text",
            "length",
            "content_hash",
            "metadata",
        ]

    def get_length(self, article: Article) -> int:
        """Length of the text in code points: the unit of every offset."""
        return len(article.text)


class CorpusList(generics.ListCreateAPIView):
    """GET: the corpora you can see (your own, and those your projects' articles come from),
    with article counts. POST {"name", "description"}: create a corpus (staff and project
    managers); you become its owner."""

    serializer_class = CorpusSerializer

    def get_queryset(self):
        user = self.request.user
        if is_corpus_staff(user):
            owned = Value(True, output_field=BooleanField())
        else:
            owned = Exists(Corpus.owners.through.objects.filter(corpus=OuterRef("pk"), user=user))
        return (
            readable_corpora(user)
            .annotate(article_count=Count("articles"), is_owned=owned)
            .order_by("name")
        )

    def create(self, request: Request, *args, **kwargs) -> Response:
        check_can_create_corpora(request.user)
        serializer = self.get_serializer(data=request.data)
        try:
            serializer.is_valid(raise_exception=True)
        except ValidationError as exc:
            return first_error(exc)
        corpus = serializer.save(created_by=request.user)
        corpus.owners.add(request.user)
        corpus.article_count = 0
        corpus.is_owned = True
        return Response(self.get_serializer(corpus).data, status=status.HTTP_201_CREATED)


class CorpusDetail(generics.RetrieveAPIView):
    """One corpus you can see; the article count is of the articles you can read."""

    serializer_class = CorpusSerializer

    def get_object(self) -> Corpus:
        corpus = access_corpus(self.request.user, self.kwargs["corpus_id"])
        corpus.article_count = readable_articles(self.request.user).filter(corpus=corpus).count()
        return corpus


class ArticlePageSerializer(serializers.Serializer):
    next = StrictCharField(
        allow_null=True, help_text="Pass as `after` for the next page; null on the last."
    )
    results = ArticleListSerializer(many=True)


ARTICLE_LIST_PARAMETERS = [
    OpenApiParameter(
        "q",
        {"type": "string", "maxLength": MAX_SEARCH},
        description="Words the title and text must all contain, compared in normalised form "
        "(tashkeel, tatweel, alef and hamza forms ignored) after leading و and ال, بال, "
        "لل… are dropped from every word on both sides: الرقة finds وبالرقة.",
    ),
    OpenApiParameter("after", str, description="The `next` cursor of the previous page."),
    OpenApiParameter(
        "limit",
        {"type": "integer", "minimum": 1, "maximum": MAX_PAGE_SIZE},
        description="Articles per page (default 50).",
    ),
]


class CorpusArticleList(APIView):
    @extend_schema(
        summary="The articles of a corpus you can read, by id, one keyset page at a time; "
        "`q` searches their words",
        parameters=ARTICLE_LIST_PARAMETERS,
        responses={
            200: ArticlePageSerializer,
            400: OpenApiResponse(CorpusErrorSerializer, description="A bad q, after or limit."),
            404: OpenApiResponse(CorpusErrorSerializer, description="No such corpus."),
        },
    )
    def get(self, request: Request, corpus_id: int) -> Response:
        corpus = access_corpus(request.user, corpus_id)
        params = request.query_params
        query = params.get("q", "")
        if len(query) > MAX_SEARCH:
            return error(f"q: must be at most {MAX_SEARCH} characters", field="q")
        raw_limit = params.get("limit", str(PAGE_SIZE))
        limit = int(raw_limit) if raw_limit.isascii() and raw_limit.isdigit() else 0
        if not 1 <= limit <= MAX_PAGE_SIZE:
            return error(f"limit: must be a whole number from 1 to {MAX_PAGE_SIZE}", field="limit")
        articles = readable_articles(request.user).filter(corpus=corpus)
        try:
            page = search_page(articles, query, after=params.get("after", ""), limit=limit)
        except CursorError as exc:
            return error(f"after: {exc}", field="after")
        return Response(
            {
                "next": page.next_cursor,
                "results": ArticleListSerializer(page.rows, many=True).data,
            }
        )


class ArticleDetail(generics.RetrieveAPIView):
    """GET: one article you can read, with its text (offsets are code points into it).
    PATCH {"title", "metadata"} as JSON: edit them (owners of its corpus and staff; 403 for
    readers); the text never changes (400). Each edit is kept (GET .../edits/)."""

    serializer_class = ArticleSerializer
    # The metadata is a JSON object, which a form cannot carry: an edit is JSON only (415).
    parser_classes = [JSONParser]

    def get_object(self) -> Article:
        return access_article(self.request.user, self.kwargs["article_id"])

    @extend_schema(
        request=ArticleEditSerializer,
        responses={
            200: ArticleSerializer,
            400: OpenApiResponse(CorpusErrorSerializer, description="A field that cannot be."),
            403: OpenApiResponse(CorpusErrorSerializer, description="Owners and staff only."),
            404: OpenApiResponse(CorpusErrorSerializer, description="No such article."),
        },
    )
    def patch(self, request: Request, article_id: int) -> Response:
        article = access_article_for_edit(request.user, article_id)
        if not isinstance(request.data, dict):
            return error("send a JSON object")
        try:
            article = do_edit_article(article, by=request.user, changes=dict(request.data))
        except ArticleEditError as exc:
            return error(exc.message, field=exc.field)
        return Response(ArticleSerializer(access_article(request.user, article.pk)).data)


class ArticleEditHistorySerializer(serializers.Serializer):
    user = StrictCharField(source="user.username", default=None)
    at = serializers.DateTimeField()
    changes = serializers.DictField(help_text='{"field": [before, after]}')


class ArticleEdits(generics.ListAPIView):
    """Every edit of an article's title and metadata, oldest first (owners and staff)."""

    serializer_class = ArticleEditHistorySerializer

    def get_queryset(self):
        return article_edits(access_article_for_edit(self.request.user, self.kwargs["article_id"]))


class ImportInputSerializer(serializers.Serializer):
    format = serializers.ChoiceField(choices=FORMATS, required=False, allow_blank=True)
    skip_bad = StrictBooleanField(default=False)
    no_title = StrictBooleanField(
        default=False, help_text="for .txt files: keep the first line in the text"
    )
    title_rule = serializers.ChoiceField(
        choices=TITLE_RULES,
        required=False,
        help_text="auto (a .txt file's first line, the title column of JSONL/CSV), first_line, "
        "file_name, column (with title_column) or none; overrides no_title",
    )
    title_column = StrictCharField(required=False, allow_blank=True, max_length=200)
    columns = serializers.JSONField(
        required=False,
        help_text='a JSON object mapping extra JSONL/CSV columns to "metadata", "ignore" or a '
        "field (title, source, url, published_on, external_id)",
    )

    def rules(self) -> ImportRules:
        data = self.validated_data
        rule = data.get("title_rule") or ("none" if data["no_title"] else "auto")
        columns = data.get("columns") or {}
        if isinstance(columns, str):  # a multipart field holds the object as JSON text
            try:
                columns = json.loads(columns)
            except json.JSONDecodeError:
                raise RulesError("columns", "must be a JSON object") from None
        if not isinstance(columns, dict):
            raise RulesError("columns", "must be a JSON object")
        return check_rules(title=rule, title_column=data.get("title_column", ""), columns=columns)


class ImportRequestSerializer(ImportInputSerializer):
    file = serializers.ListField(
        child=serializers.FileField(),
        min_length=1,
        help_text="one JSONL or CSV file, or .txt files",
    )


class ImportErrorSerializer(CorpusErrorSerializer):
    errors = serializers.ListField(child=StrictCharField(), required=False)
    error_count = serializers.IntegerField(required=False)


class SkippedRecordSerializer(serializers.Serializer):
    file = StrictCharField()
    line = serializers.IntegerField(allow_null=True)
    reason = StrictCharField()
    message = StrictCharField()


class ImportCorpusSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = StrictCharField()
    created = serializers.BooleanField()


class ImportReportSerializer(serializers.Serializer):
    corpus = ImportCorpusSerializer()
    read = serializers.IntegerField()
    created = serializers.IntegerField()
    duplicates = serializers.IntegerField()
    duplicates_in_corpus = serializers.IntegerField()
    duplicates_in_file = serializers.IntegerField()
    skipped = SkippedRecordSerializer(many=True)
    summary = StrictCharField()


# What both import endpoints (multipart and streamed body) may answer.
IMPORT_RESPONSES = {
    200: ImportReportSerializer,
    400: OpenApiResponse(ImportErrorSerializer, description="Bad records or options."),
    403: OpenApiResponse(CorpusErrorSerializer, description="Owners and staff only."),
    404: OpenApiResponse(CorpusErrorSerializer, description="No such corpus."),
    413: OpenApiResponse(CorpusErrorSerializer, description="Above MAX_UPLOAD_BYTES."),
}


class CorpusImport(APIView):
    """POST multipart: `file` (one or more), `format` (txt|jsonl|csv; default from the file
    extension), `skip_bad`, `no_title`. All or nothing unless skip_bad. Returns the report:
    created, duplicates, skipped records. 400 names the bad records; 413 above the size
    limit; 404 for a corpus you cannot see, 403 for one you do not own (owners and staff)."""

    def initialize_request(self, request: HttpRequest, *args, **kwargs) -> Request:
        # Before authentication, which may read the body (the CSRF check of a session).
        use_import_upload_handlers(request)
        return super().initialize_request(request, *args, **kwargs)

    @extend_schema(
        request={"multipart/form-data": ImportRequestSerializer},
        responses=IMPORT_RESPONSES,
    )
    def post(self, request: Request, corpus_id: int) -> Response:
        return self.with_options(request, corpus_id, self._import)

    def with_options(
        self,
        request: Request,
        corpus_id: int,
        act: Callable[[Corpus, ImportInputSerializer], Response],
    ) -> Response:
        """The upload's corpus (writable by the caller) and its checked options, given to
        `act(corpus, options)`; every refusal on the way answered in the API's shape."""
        corpus = access_corpus(request.user, corpus_id, for_write=True)
        try:
            check_request_size(request.META)
        except UploadError as exc:
            return error(exc.message, field=exc.field, code=413)
        options = ImportInputSerializer(data=request.data)
        try:
            options.is_valid(raise_exception=True)
        except ValidationError as exc:
            return first_error(exc)
        try:
            return act(corpus, options)
        except RulesError as exc:
            return error(exc.message, field=exc.field)
        except UploadError as exc:
            return error(exc.message, field=exc.field, code=413 if exc.too_large else 400)

    def _import(self, corpus: Corpus, options: ImportInputSerializer) -> Response:
        try:
            report = do_import_uploads(
                corpus,
                self.request.FILES.getlist("file"),
                format=options.validated_data.get("format") or None,
                skip_bad=options.validated_data["skip_bad"],
                rules=options.rules(),
                created_by=self.request.user,
            )
        except ImportRejected as exc:
            shown = [str(bad) for bad in exc.errors[:MAX_LISTED_ERRORS]]
            return error(exc.message, field="file", errors=shown, error_count=len(exc.errors))
        return Response(report.as_dict(), status=status.HTTP_200_OK)


class ImportStreamOptionsSerializer(ImportInputSerializer):
    columns = StrictCharField(
        required=False,
        allow_blank=True,
        help_text='a JSON object, as JSON text, mapping extra JSONL/CSV columns to "metadata", '
        '"ignore" or a field (title, source, url, published_on, external_id)',
    )
    name = StrictCharField(
        required=False,
        max_length=255,
        help_text="the file's name, used in messages (and, with application/octet-stream and "
        "no format, for its extension); default upload.<format>",
    )


class _FormatNamesTheFile(DefaultContentNegotiation):
    """Content negotiation that leaves `?format=` alone: here it is the uploaded file's format,
    not DRF's choice of response renderer."""

    settings = SimpleNamespace(URL_FORMAT_OVERRIDE=None)


class CorpusImportStream(APIView):
    """POST the file itself as the request body: the fast way to import a large JSONL file.

    The Content-Type gives the format (application/x-ndjson for JSONL, text/csv, text/plain
    for one .txt article; application/octet-stream takes it from `format` or from `name`'s
    extension); the options of the multipart import go in the query string. A JSONL body is
    parsed line by line as it arrives while the articles before are written; CSV and .txt
    bodies are read whole first. The same checks and report as the multipart import: all or
    nothing unless skip_bad, 400 naming each bad record (file and line), 413 above the size
    limit (from the Content-Length, before anything is read), and an upload cut short writes
    nothing."""

    content_negotiation_class = _FormatNamesTheFile

    @extend_schema(
        parameters=[ImportStreamOptionsSerializer],
        request={
            **dict.fromkeys(STREAM_MEDIA_TYPES, OpenApiTypes.BINARY),
            STREAM_ANY_TYPE: OpenApiTypes.BINARY,
        },
        responses=IMPORT_RESPONSES,
    )
    def post(self, request: Request, corpus_id: int) -> Response:
        corpus = access_corpus(request.user, corpus_id, for_write=True)
        options = ImportStreamOptionsSerializer(data=request.query_params)
        try:
            options.is_valid(raise_exception=True)
        except ValidationError as exc:
            return first_error(exc)
        given = options.validated_data
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        try:
            rules = options.rules()
            name = given.get("name") or "upload"
            fmt = stream_format(request.content_type, format=given.get("format") or None, name=name)
            if "." not in name:
                name = f"{name}.{fmt}"
            report = do_import_stream(
                corpus,
                request.stream,
                length=length,
                name=name,
                format=fmt,
                rules=rules,
                skip_bad=given["skip_bad"],
                created_by=request.user,
            )
        except RulesError as exc:
            return error(exc.message, field=exc.field)
        except UploadError as exc:
            return error(exc.message, field=exc.field, code=413 if exc.too_large else 400)
        except ImportRejected as exc:
            shown = [str(bad) for bad in exc.errors[:MAX_LISTED_ERRORS]]
            return error(exc.message, field="file", errors=shown, error_count=len(exc.errors))
        return Response(report.as_dict(), status=status.HTTP_200_OK)


class PreviewArticleSerializer(serializers.Serializer):
    origin = StrictCharField(help_text="file, and line for JSONL/CSV")
    title = StrictCharField()
    excerpt = StrictCharField(help_text="the text's first 300 characters")
    length = serializers.IntegerField()
    source = StrictCharField()
    url = StrictCharField()
    published_on = serializers.DateField(allow_null=True)
    external_id = StrictCharField()
    metadata = serializers.DictField()


class PreviewCorpusSerializer(serializers.Serializer):
    name = StrictCharField()
    exists = serializers.BooleanField()


class ImportPreviewSerializer(serializers.Serializer):
    corpus = PreviewCorpusSerializer()
    count = serializers.IntegerField(help_text="articles the import would read (not repeated)")
    files = serializers.ListField(child=StrictCharField())
    articles = PreviewArticleSerializer(many=True, help_text="the first five, as stored")
    refused = SkippedRecordSerializer(many=True, help_text="every refused file or record")
    extra_columns = serializers.ListField(child=StrictCharField())
    repeated = serializers.IntegerField(help_text="records repeating an earlier text")
    already_in_corpus = serializers.IntegerField()


class CorpusImportPreview(CorpusImport):
    """POST the same multipart body as the import: what it would store, writing nothing."""

    @extend_schema(
        request={"multipart/form-data": ImportRequestSerializer},
        responses={
            200: ImportPreviewSerializer,
            400: OpenApiResponse(CorpusErrorSerializer, description="Bad options."),
            403: OpenApiResponse(CorpusErrorSerializer, description="Owners and staff only."),
            404: OpenApiResponse(CorpusErrorSerializer, description="No such corpus."),
            413: OpenApiResponse(CorpusErrorSerializer, description="Above MAX_UPLOAD_BYTES."),
        },
    )
    def post(self, request: Request, corpus_id: int) -> Response:
        return self.with_options(request, corpus_id, self._preview)

    def _preview(self, corpus: Corpus, options: ImportInputSerializer) -> Response:
        body = preview_uploads(
            corpus,
            self.request.FILES.getlist("file"),
            format=options.validated_data.get("format") or None,
            rules=options.rules(),
        )
        return Response(body)


class OwnerSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    username = StrictCharField(read_only=True)


class AddOwnerSerializer(serializers.Serializer):
    username = StrictCharField(required=False)
    user = serializers.IntegerField(required=False, help_text="a user id, instead of username")


class CorpusOwners(APIView):
    """The owners of a corpus: who may import into it, add its articles to their projects
    and grant or revoke ownership. Owners and staff only: 403 for a corpus you only read
    (through a project), 404 for one you cannot see."""

    @extend_schema(
        responses={
            200: OwnerSerializer(many=True),
            403: OpenApiResponse(CorpusErrorSerializer, description="Owners and staff only."),
            404: OpenApiResponse(CorpusErrorSerializer, description="No such corpus."),
        }
    )
    def get(self, request: Request, corpus_id: int) -> Response:
        corpus = access_corpus(request.user, corpus_id, for_write=True)
        return Response(OwnerSerializer(corpus_owners(corpus), many=True).data)

    @extend_schema(
        request=AddOwnerSerializer,
        responses={
            201: OwnerSerializer(many=True),
            200: OwnerSerializer(many=True),
            400: OpenApiResponse(CorpusErrorSerializer, description="No such user."),
            403: OpenApiResponse(CorpusErrorSerializer, description="Owners and staff only."),
            404: OpenApiResponse(CorpusErrorSerializer, description="No such corpus."),
        },
    )
    def post(self, request: Request, corpus_id: int) -> Response:
        """Grant ownership to {"username"} or {"user": id}: 201, or 200 if already an owner;
        the owners after it."""
        corpus = access_corpus(request.user, corpus_id, for_write=True)
        given = AddOwnerSerializer(data=request.data)
        try:
            given.is_valid(raise_exception=True)
            user = find_owner_candidate(
                username=given.validated_data.get("username"),
                user_id=given.validated_data.get("user"),
            )
        except ValidationError as exc:
            return first_error(exc)
        except OwnershipError as exc:
            return error(f"{exc.field}: {exc.message}", field=exc.field)
        added = do_add_owner(corpus, user=user)
        owners = OwnerSerializer(corpus_owners(corpus), many=True).data
        return Response(owners, status=status.HTTP_201_CREATED if added else status.HTTP_200_OK)


class CorpusOwner(APIView):
    """DELETE: revoke a user's ownership (owners and staff; an owner may leave). 400 for the
    last owner or a user who is not one."""

    @extend_schema(
        responses={
            204: None,
            400: OpenApiResponse(CorpusErrorSerializer, description="Not an owner, or the last."),
            403: OpenApiResponse(CorpusErrorSerializer, description="Owners and staff only."),
            404: OpenApiResponse(CorpusErrorSerializer, description="No such corpus."),
        }
    )
    def delete(self, request: Request, corpus_id: int, user_id: int) -> Response:
        corpus = access_corpus(request.user, corpus_id, for_write=True)
        try:
            do_remove_owner(corpus, user_id=user_id)
        except OwnershipError as exc:
            return error(f"{exc.field}: {exc.message}", field=exc.field)
        return Response(status=status.HTTP_204_NO_CONTENT)
