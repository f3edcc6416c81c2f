"""Evidence files: size and type limits checked by content, and served only to the owning tenant."""

from __future__ import annotations

from schools.domain.evidence.service import MAX_FILE_BYTES
from tests.campaigns.conftest import JPEG, PDF, docx, upload

#: A legacy Word document: the OLE2 signature and a directory entry naming the WordDocument stream.
LEGACY_DOC = (
    b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 56 + "WordDocument".encode("utf-16-le") + b"\x00\x00"
)


async def test_photos_pdfs_and_office_documents_are_accepted_by_their_content(app_client, county):
    cases = [
        (JPEG, "IMG_0001.JPG", "image/jpeg"),
        (PDF, "实施方案.pdf", "application/pdf"),
        (docx(), "制度.docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
        (LEGACY_DOC, "旧制度.doc", "application/msword"),
    ]
    for data, name, content_type in cases:
        response = await app_client.post(
            "/files",
            files={"file": (name, data, "application/octet-stream")},
            headers=county["principal"].headers,
        )
        assert response.status_code == 201, response.text
        assert (response.json()["content_type"], response.json()["filename"]) == (content_type, name)
        assert response.json()["size"] == len(data)


async def test_a_file_that_is_not_what_its_name_says_is_refused(app_client, county):
    headers = county["principal"].headers
    script = await app_client.post(
        "/files", files={"file": ("plan.pdf", b"#!/bin/sh\nrm -rf /\n")}, headers=headers
    )
    exe = await app_client.post(
        "/files", files={"file": ("photo.jpg", b"MZ\x90\x00" + b"\x00" * 60)}, headers=headers
    )
    plain_zip = await app_client.post(
        "/files", files={"file": ("a.docx", b"PK\x03\x04" + b"\x00" * 40)}, headers=headers
    )

    for response in (script, exe, plain_zip):
        assert response.status_code == 415, response.text
        assert response.headers["content-type"].startswith("application/problem+json")


async def test_an_empty_file_a_missing_file_and_a_file_too_large_are_refused(app_client, county):
    headers = county["principal"].headers
    empty = await app_client.post("/files", files={"file": ("empty.pdf", b"")}, headers=headers)
    missing = await app_client.post("/files", data={"note": "no file"}, headers=headers)
    not_multipart = await app_client.post("/files", json={"file": "x"}, headers=headers)
    too_large = await app_client.post(
        "/files", files={"file": ("big.pdf", b"%PDF-" + b"0" * MAX_FILE_BYTES)}, headers=headers
    )

    assert (empty.status_code, missing.status_code, not_multipart.status_code) == (422, 422, 422)
    assert too_large.status_code == 413
    assert too_large.json()["errors"][0]["key"] == "file"


async def test_the_file_is_served_to_its_school_and_its_bureau_only(app_client, county, world):
    file_id = await upload(app_client, county["principal"], PDF, "方案 v2.pdf")

    own = await app_client.get(f"/files/{file_id}/content", headers=county["principal"].headers)
    guard = await app_client.get(f"/files/{file_id}/content", headers=county["guard"].headers)
    bureau = await app_client.get(f"/files/{file_id}", headers=county["bureau"].headers)
    other_school = await app_client.get(f"/files/{file_id}/content", headers=county["day_principal"].headers)
    other_county = await app_client.get(f"/files/{file_id}", headers=world["bureau_y"].headers)

    assert own.status_code == 200
    assert own.content == PDF
    assert own.headers["content-type"] == "application/pdf"
    assert own.headers["x-content-type-options"] == "nosniff"
    assert "filename*=UTF-8''%E6%96%B9%E6%A1%88%20v2.pdf" in own.headers["content-disposition"]
    assert guard.status_code == 200 and bureau.status_code == 200
    assert other_school.status_code == other_county.status_code == 404


async def test_the_bureaus_files_are_county_wide(app_client, county, world):
    file_id = await upload(app_client, county["bureau"], PDF, "通知.pdf")

    school = await app_client.get(f"/files/{file_id}/content", headers=county["day_principal"].headers)
    other_county = await app_client.get(f"/files/{file_id}/content", headers=world["principal_a"].headers)

    assert school.status_code == 200
    assert other_county.status_code == 404


async def test_a_guard_cannot_upload(app_client, county):
    response = await app_client.post(
        "/files", files={"file": ("a.pdf", PDF)}, headers=county["guard"].headers
    )

    assert response.status_code == 403
