"""Uploaded files in an S3-compatible bucket: the production :class:`~kit.storage.FileStore`.

Several replicas of a service (and the worker) must see the same files, so production keeps them in
object storage (AWS S3, MinIO, Ceph RGW, a cloud's S3-compatible service) instead of a local directory.
The client is obstore (Rust's ``object_store``): async, streaming, with retries and timeouts built in.

Chosen by ``SAFECAMPUS_FILES_URL=s3://<bucket>[/<prefix>]`` (see :func:`kit.storage.store_from_env`) with
``SAFECAMPUS_S3_ENDPOINT`` (empty for AWS), ``SAFECAMPUS_S3_REGION``, ``SAFECAMPUS_S3_ACCESS_KEY_ID`` and
``SAFECAMPUS_S3_SECRET_ACCESS_KEY`` (empty: the platform's credentials, e.g. a pod identity).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import obstore
from obstore.exceptions import BaseError as ObjectStoreError
from obstore.store import S3Store as _ObstoreS3

from kit.errors import NotFoundError
from kit.logging import get_logger
from kit.settings import SettingsError
from kit.storage import StorageUnavailableError

log = get_logger(__name__)

DEFAULT_REGION = "us-east-1"


@dataclass(frozen=True, slots=True)
class S3Location:
    """Where the files go and how to reach the bucket."""

    bucket: str
    prefix: str = ""
    endpoint: str = ""
    region: str = DEFAULT_REGION
    access_key_id: str = ""
    secret_access_key: str = ""

    @classmethod
    def from_env(cls, url: str) -> S3Location:
        parts = urlsplit(url)
        if parts.scheme != "s3" or not parts.netloc:
            raise SettingsError(f"SAFECAMPUS_FILES_URL must look like s3://bucket/prefix, not {url!r}")
        location = cls(
            bucket=parts.netloc,
            prefix=parts.path.strip("/"),
            endpoint=os.environ.get("SAFECAMPUS_S3_ENDPOINT", "").strip().rstrip("/"),
            region=os.environ.get("SAFECAMPUS_S3_REGION", "").strip() or DEFAULT_REGION,
            access_key_id=os.environ.get("SAFECAMPUS_S3_ACCESS_KEY_ID", "").strip(),
            secret_access_key=os.environ.get("SAFECAMPUS_S3_SECRET_ACCESS_KEY", "").strip(),
        )
        production = os.environ.get("SAFECAMPUS_ENV", "").strip() == "production"
        if production and location.endpoint.startswith("http://"):
            raise SettingsError("production needs SAFECAMPUS_S3_ENDPOINT over https")
        return location


class S3Store:
    """A :class:`~kit.storage.FileStore` over one bucket (and key prefix)."""

    def __init__(self, location: S3Location) -> None:
        options: dict[str, Any] = {"region": location.region}
        if location.endpoint:
            # S3-compatible servers are usually addressed by path, not by a bucket subdomain.
            options.update(endpoint=location.endpoint, virtual_hosted_style_request=False)
        if location.access_key_id:
            options.update(access_key_id=location.access_key_id, secret_access_key=location.secret_access_key)
        self.location = location
        self._store = _ObstoreS3(
            location.bucket,
            prefix=location.prefix or None,
            client_options={"allow_http": location.endpoint.startswith("http://")},
            **options,
        )

    async def put(self, key: str, data: bytes) -> None:
        try:
            await obstore.put_async(self._store, key, data)
        except (ObjectStoreError, OSError) as exc:
            # The bucket missing, refused credentials, the service down after the client's retries: a
            # problem for the caller (503, nothing written), not a 500.
            log.error("file_store_write_failed", key=key, error=str(exc)[:200])
            raise StorageUnavailableError("the file store is unavailable; the file was not kept") from exc

    async def get(self, key: str) -> bytes:
        try:
            result = await obstore.get_async(self._store, key)
        except FileNotFoundError as exc:
            raise NotFoundError("file not found") from exc
        return bytes(await result.bytes_async())

    async def delete(self, key: str) -> None:
        # S3 answers a delete of a missing key with success, as the interface asks.
        await obstore.delete_async(self._store, key)
