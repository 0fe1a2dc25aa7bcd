"""Import uploads through the REST API are received into memory in large chunks, within the
upload limit; anything larger still goes to a temporary file and is refused."""

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.files.uploadhandler import TemporaryFileUploadHandler
from django.middleware.csrf import get_token
from django.test import RequestFactory
from rest_framework.test import APIClient

from corpus import importing
from corpus.importing import (
    UPLOAD_CHUNK_BYTES,
    ImportMemoryUploadHandler,
    ImportTemporaryFileUploadHandler,
)
from tests.factories import make_corpus, make_user

pytestmark = pytest.mark.django_db


def jsonl_upload(count: int) -> SimpleUploadedFile:
    data = "".join(
        json.dumps({"text": f"خبر رقم {i} عن الرَّقَّة", "title": f"عنوان {i}"}, ensure_ascii=False)
        + "\n"
        for i in range(count)
    ).encode()
    return SimpleUploadedFile("articles.jsonl", data, content_type="application/x-ndjson")


@pytest.fixture
def no_temporary_files(monkeypatch):
    def refuse(self, *args, **kwargs):
        raise AssertionError("the upload went to a temporary file")

    monkeypatch.setattr(TemporaryFileUploadHandler, "new_file", refuse)


def test_an_upload_above_djangos_memory_size_is_received_in_memory(settings, no_temporary_files):
    settings.FILE_UPLOAD_MAX_MEMORY_SIZE = 100
    corpus = make_corpus("news")
    client = APIClient()
    client.force_authenticate(make_user("staff", is_staff=True))
    response = client.post(
        f"/api/corpora/{corpus.pk}/import/", {"file": jsonl_upload(200)}, format="multipart"
    )
    assert response.status_code == 200, response.content
    assert response.json()["created"] == 200
    assert corpus.articles.count() == 200


def test_a_session_upload_checked_for_csrf_is_received_in_memory(settings, no_temporary_files):
    settings.FILE_UPLOAD_MAX_MEMORY_SIZE = 100
    corpus = make_corpus("news")
    client = APIClient(enforce_csrf_checks=True)
    client.force_login(make_user("staff", is_staff=True))
    token = get_token(RequestFactory().get("/"))
    client.cookies["csrftoken"] = token
    response = client.post(
        f"/api/corpora/{corpus.pk}/import/",
        {"file": jsonl_upload(50)},
        format="multipart",
        HTTP_X_CSRFTOKEN=token,
    )
    assert response.status_code == 200, response.content
    assert corpus.articles.count() == 50


@pytest.mark.parametrize(
    ("length", "in_memory"),
    [(0, True), (1000, True), (1000 + importing.MULTIPART_OVERHEAD, True), (2**40, False)],
)
def test_the_memory_handler_takes_requests_up_to_the_limit_and_its_envelope(
    settings, length, in_memory
):
    settings.MAX_UPLOAD_BYTES = 1000
    handler = ImportMemoryUploadHandler()
    handler.handle_raw_input(object(), {}, length, b"boundary")
    assert handler.activated is in_memory
    assert handler.chunk_size == ImportTemporaryFileUploadHandler.chunk_size == UPLOAD_CHUNK_BYTES


def test_a_request_of_unknown_length_is_not_taken_into_memory():
    handler = ImportMemoryUploadHandler()
    handler.handle_raw_input(object(), {}, None, b"boundary")
    assert handler.activated is False
