"""The S3 file store against an S3-compatible server over HTTP: the same contract as the filesystem store,
chosen by SAFECAMPUS_FILES_URL, with the key prefix kept and plain http refused in production."""

from __future__ import annotations

import secrets
from collections.abc import Iterator

import pytest

from kit.errors import NotFoundError
from kit.s3 import S3Location, S3Store
from kit.settings import SettingsError
from kit.storage import FilesystemStore, store_from_env
from tests.s3server import S3Server, running_s3


@pytest.fixture(scope="module")
def s3() -> Iterator[S3Server]:
    with running_s3() as server:
        yield server


@pytest.fixture
def bucket(s3: S3Server) -> str:
    name = f"files-{secrets.token_hex(4)}"
    s3.create_bucket(name)
    return name


async def test_put_get_delete_under_the_prefix(s3, bucket):
    store = S3Store(s3.location(bucket, prefix="safecampus"))
    key = "hazards/c1/s1/f1.jpg"

    await store.put(key, b"\xff\xd8 photo")
    assert await store.get(key) == b"\xff\xd8 photo"
    assert s3.keys(bucket) == [f"safecampus/{key}"]

    await store.put(key, b"replaced")
    assert await store.get(key) == b"replaced"

    await store.delete(key)
    await store.delete(key)  # already gone: no error
    assert s3.keys(bucket) == []
    with pytest.raises(NotFoundError):
        await store.get(key)


async def test_a_bucket_that_refuses_the_write_is_a_storage_problem_not_a_crash(s3):
    from kit.storage import StorageUnavailableError

    store = S3Store(s3.location(f"missing-{secrets.token_hex(4)}"))
    with pytest.raises(StorageUnavailableError) as raised:
        await store.put("schools/c/s/x.pdf", b"%PDF-1.7")
    assert raised.value.status == 503


async def test_a_missing_key_is_not_found(s3, bucket):
    with pytest.raises(NotFoundError):
        await S3Store(s3.location(bucket)).get("schools/c/s/nothing.pdf")


async def test_the_environment_chooses_the_bucket(s3, bucket, monkeypatch):
    monkeypatch.setenv("SAFECAMPUS_FILES_URL", f"s3://{bucket}/uploads")
    monkeypatch.setenv("SAFECAMPUS_S3_ENDPOINT", s3.endpoint)
    monkeypatch.setenv("SAFECAMPUS_S3_ACCESS_KEY_ID", "test-access-key")
    monkeypatch.setenv("SAFECAMPUS_S3_SECRET_ACCESS_KEY", "test-secret-key")
    store = store_from_env()
    assert isinstance(store, S3Store)
    await store.put("evaluation/c/s/x.pdf", b"%PDF-1.7")
    assert s3.keys(bucket) == ["uploads/evaluation/c/s/x.pdf"]

    monkeypatch.delenv("SAFECAMPUS_FILES_URL")
    assert isinstance(store_from_env(), FilesystemStore)


@pytest.mark.parametrize("url", ["http://bucket/x", "s3:///prefix", "bucket"])
def test_a_files_url_that_is_not_a_bucket_is_refused(url):
    with pytest.raises(SettingsError):
        S3Location.from_env(url)


def test_production_refuses_a_plain_http_endpoint(monkeypatch):
    monkeypatch.setenv("SAFECAMPUS_ENV", "production")
    monkeypatch.setenv("SAFECAMPUS_S3_ENDPOINT", "http://minio.internal:9000")
    with pytest.raises(SettingsError, match="https"):
        S3Location.from_env("s3://safecampus-files")
    monkeypatch.setenv("SAFECAMPUS_S3_ENDPOINT", "https://minio.internal")
    assert S3Location.from_env("s3://safecampus-files").endpoint == "https://minio.internal"
