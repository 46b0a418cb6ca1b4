"""The certificate PDF (European scripts, extractable text, the QR payload) and the
Open Badges 2.0 documents."""
from __future__ import annotations

import hashlib
import io

import pytest
import segno
from pypdf import PdfReader
from sqlalchemy import select

from hub.certificates import services
from hub.certificates.models import Certificate
from hub.extensions import db
from tests.progress_factories import complete_all_lessons, enrol, make_course

NAMES = {
    "greek": "Ελένη Παπαδοπούλου",
    "czech": "Jiří Dvořák Šťastný",
    "danish": "Søren Ærø Åberg",
}


def issued(make_user, name: str, course=None, **fields) -> Certificate:
    course = course or make_course(title="Εισαγωγή — Úvod — Introduktion", lessons=1, hours=2.5)
    user = make_user(display_name=name, **fields)
    enrol(user, course)
    complete_all_lessons(user, course)
    return db.session.scalar(select(Certificate).where(Certificate.user_id == user.id))


def download(client, auth, cert) -> bytes:
    auth.login(cert.user)
    response = client.get(f"/certificates/{cert.id}/certificate.pdf")
    assert response.status_code == 200
    auth.logout()
    return response.data


def pdf_text(data: bytes) -> str:
    reader = PdfReader(io.BytesIO(data))
    assert len(reader.pages) == 1
    return reader.pages[0].extract_text()


@pytest.mark.parametrize("script", ["greek", "czech", "danish"])
def test_pdf_text_holds_the_name_in_its_script(app, make_user, client, auth, script):
    cert = issued(make_user, NAMES[script])
    text = pdf_text(download(client, auth, cert))
    assert NAMES[script] in text
    assert "Εισαγωγή — Úvod — Introduktion" in text
    assert "Certificate of completion" in text and "Inclusion Hub" in text
    assert cert.display_code in text and "2.5" in text


def test_pdf_is_a4_landscape_with_embedded_font(app, make_user, client, auth):
    cert = issued(make_user, NAMES["czech"])
    reader = PdfReader(io.BytesIO(download(client, auth, cert)))
    box = reader.pages[0].mediabox
    assert (round(float(box.width) * 25.4 / 72), round(float(box.height) * 25.4 / 72)) == (297, 210)
    fonts = reader.pages[0]["/Resources"]["/Font"]
    names = {str(fonts[key].get_object()["/BaseFont"]) for key in fonts}
    assert any("DejaVuSans" in name for name in names)


def _qr_image_from_pdf(data: bytes):
    """The QR code image, read back out of the PDF."""
    reader = PdfReader(io.BytesIO(data))
    [image] = reader.pages[0].images
    picture = image.image.convert("L")
    return picture


def test_pdf_qr_code_encodes_the_public_verification_url(app, make_user, client, auth):
    cert = issued(make_user, NAMES["greek"])
    data = download(client, auth, cert)
    url = f"http://hub.test/verify/{cert.code}"
    assert url in pdf_text(data).replace("\n", "")  # also printed under the code
    picture = _qr_image_from_pdf(data)
    expected = segno.make(url, error="m", micro=False)
    size = expected.symbol_size(scale=1, border=4)[0]
    scale = picture.width // size
    assert picture.width == picture.height == size * scale
    modules = [[picture.getpixel((x * scale + scale // 2, y * scale + scale // 2)) < 128 for x in range(size)]
               for y in range(size)]
    wanted = [[bool(v) for v in row] for row in expected.matrix_iter(scale=1, border=4)]
    assert modules == wanted


def test_public_url_setting_is_used_for_the_qr_and_badges(make_app, make_user):
    app = make_app(PUBLIC_URL="https://hub.example.eu/")
    from tests.conftest import Auth
    with app.app_context():
        cert = issued(make_user_in(app), NAMES["danish"])
        client = app.test_client()
        Auth(client).login(cert.user)
        data = client.get(f"/certificates/{cert.id}/certificate.pdf").data
        assert f"https://hub.example.eu/verify/{cert.code}" in pdf_text(data).replace("\n", "")
        doc = client.get(f"/badges/assertions/{cert.code}").get_json()
        assert doc["id"] == f"https://hub.example.eu/badges/assertions/{cert.code}"


def make_user_in(app):
    """The make_user factory for an app built inside the test."""
    from tests.factories import make_member
    return lambda role="learner", **fields: make_member(role, **{"email": "pub@example.org", **fields})


# --- Open Badges 2.0 -------------------------------------------------------------------------------

CONTEXT = "https://w3id.org/openbadges/v2"


def test_assertion_json(app, make_user, client):
    cert = issued(make_user, "Ana García", email="Ana@Example.org")
    response = client.get(f"/badges/assertions/{cert.code}")
    assert response.status_code == 200 and response.mimetype == "application/json"
    doc = response.get_json()
    assert doc["@context"] == CONTEXT and doc["type"] == "Assertion"
    assert doc["id"] == f"http://hub.test/badges/assertions/{cert.code}"
    assert doc["verification"] == {"type": "hosted"}
    assert doc["badge"] == f"http://hub.test/badges/courses/{cert.course.slug}"
    assert doc["issuedOn"].startswith(cert.issued_at.date().isoformat()) and doc["issuedOn"].endswith("+00:00")
    recipient = doc["recipient"]
    assert recipient["type"] == "email" and recipient["hashed"] is True
    salt = recipient["salt"]
    assert recipient["identity"] == "sha256$" + hashlib.sha256(("ana@example.org" + salt).encode()).hexdigest()
    assert "ana@example.org" not in response.get_data(as_text=True).lower()
    assert "revoked" not in doc


def test_revoked_assertion_is_gone_with_reason(app, make_user, client):
    cert = issued(make_user, "Ana")
    services.revoke(cert, by=None, reason="Issued in error")
    db.session.commit()
    response = client.get(f"/badges/assertions/{cert.code}")
    assert response.status_code == 410
    doc = response.get_json()
    assert doc["revoked"] is True and doc["revocationReason"] == "Issued in error"
    assert client.get("/badges/assertions/NOPE").status_code == 404


def test_badge_class_and_issuer_json(app, make_user, client):
    cert = issued(make_user, "Ana")
    slug = cert.course.slug
    doc = client.get(f"/badges/courses/{slug}").get_json()
    assert doc["@context"] == CONTEXT and doc["type"] == "BadgeClass"
    assert doc["id"] == f"http://hub.test/badges/courses/{slug}"
    assert doc["issuer"] == "http://hub.test/badges/issuer"
    assert doc["criteria"]["narrative"].startswith("To complete this course")
    image = client.get(doc["image"].replace("http://hub.test", ""))
    assert image.status_code == 200 and image.mimetype == "image/svg+xml"
    issuer = client.get("/badges/issuer").get_json()
    assert issuer["@context"] == CONTEXT and issuer["type"] == "Issuer"
    assert issuer["id"] == "http://hub.test/badges/issuer" and issuer["name"] == "Inclusion Hub"
    assert issuer["url"] == "http://hub.test/"
    assert client.get("/badges/courses/no-such-course").status_code == 404


def test_an_unpublished_courses_badge_stays_unknown_until_it_has_issued_one(app, make_user, client):
    from tests.factories import make_course

    draft = make_course("draft-badge", title="Secret draft title", published=False)
    for path in ("/badges/courses/draft-badge", "/badges/courses/draft-badge/image.svg"):
        response = client.get(path)
        assert response.status_code == 404 and b"Secret draft title" not in response.data
    cert = issued(make_user, "Ana")  # a published course that issued a badge, then unpublished
    cert.course.published = False
    db.session.commit()
    assert client.get(f"/badges/courses/{cert.course.slug}").status_code == 200  # verifiers still reach it
    assert draft.id


def test_a_certificate_is_written_in_the_learners_language_whoever_downloads_it(app, make_user, client, auth):
    """A Danish learner's certificate names the course in Danish and says everything in
    Danish, even downloaded through an English interface (it printed the English title)."""
    from hub.courses.models import CourseTranslation

    course = make_course(title="Introduction to inclusive counselling", lessons=1, hours=2)
    db.session.add(CourseTranslation(course=course, language="da", title="Introduktion til inkluderende vejledning"))
    db.session.commit()
    cert = issued(make_user, NAMES["danish"], course=course, language="da")
    assert (cert.course_title, cert.language) == ("Introduktion til inkluderende vejledning", "da")
    auth.login(cert.user)
    client.post("/language", data={"lang": "en"})
    data = client.get(f"/certificates/{cert.id}/certificate.pdf", headers={"Accept-Language": "en"}).data
    text = pdf_text(data).replace("\n", " ")
    assert "Introduktion til inkluderende vejledning" in text and "Kursusbevis" in text, text
    assert "Certificate of completion" not in text
