"""Submitting and reviewing practices: who may move each state, scores, history."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from hub.extensions import db
from hub.mail import OutboxMessage
from hub.practices import services
from hub.practices.vocab import INDICATOR_LABELS
from tests.conftest import TEST_PASSWORD

FORM = {
    "title": "Mentors for newly arrived women", "summary": "Volunteer mentors help women find first jobs.",
    "country": "dk", "region": "Aarhus", "organisation": "Mentor Network Aarhus", "organisation_type": "ngo",
    "target_groups": ["migrants", "refugees_asylum_seekers"], "zones": ["placement"],
    "tags": "mentoring, women", "start_year": "2016", "ongoing": "y", "evaluation": "internal",
    "languages": "da, en", "sources": "Annual report 2023 | https://example.org/report",
    "description_md": "Each participant meets a **mentor** every week.",
    "results_md": "The sources give no figures.",
}


def login_as(client, user):
    client.post("/logout")
    response = client.post("/login", data={"email": user.email, "password": TEST_PASSWORD})
    assert response.status_code == 302


def step(client, slug, action, note=""):
    return client.post(f"/practices/{slug}/step", data={"action": action, "note": note}, follow_redirects=True)


def scores(value: int = 2) -> dict:
    data = {}
    for key in INDICATOR_LABELS:
        data[f"{key}-score"] = str(value)
        data[f"{key}-why"] = f"Because of {key}."
    return data


@pytest.fixture
def people(make_user):
    return {"owner": make_user(display_name="Olga Owner"), "other": make_user(),
            "trainer": make_user("trainer", display_name="Rita Reviewer"), "admin": make_user("admin")}


@pytest.fixture
def draft(client, people):
    login_as(client, people["owner"])
    response = client.post("/practices/new", data=FORM)
    assert response.status_code == 302, response.get_data(as_text=True)[:3000]
    return services.get_by_slug("mentors-for-newly-arrived-women")


def test_a_member_saves_a_draft_only_they_and_reviewers_see(client, people, draft):
    assert draft.status == "draft" and draft.owner_id == people["owner"].id and draft.country == "DK"
    assert draft.target_groups == ["migrants", "refugees_asylum_seekers"] and draft.tags == ["mentoring", "women"]
    assert "<strong>mentor</strong>" in draft.description_html
    assert client.get(f"/practices/{draft.slug}").status_code == 200
    assert "Mentors for newly arrived women" not in client.get("/practices/").get_data(as_text=True)
    login_as(client, people["other"])
    assert client.get(f"/practices/{draft.slug}").status_code == 404
    client.post("/logout")
    assert client.get(f"/practices/{draft.slug}").status_code == 404
    login_as(client, people["trainer"])
    assert client.get(f"/practices/{draft.slug}").status_code == 200


def test_form_errors_keep_the_text(client, people):
    login_as(client, people["owner"])
    response = client.post("/practices/new", data=dict(FORM, country="Denmark", sources="No url | ftp://x",
                                                         target_groups=[]))
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and "Use the two-letter country code" in page
    assert "Addresses must start with https://" in page and "Choose at least one target group." in page
    assert "Each participant meets a **mentor** every week." in page


def test_the_whole_way_to_publication(client, people, draft):
    slug = draft.slug
    # only the owner submits; the reviewer cannot score a draft
    login_as(client, people["trainer"])
    assert "not possible" in step(client, slug, "submit").get_data(as_text=True)
    login_as(client, people["owner"])
    assert "Submitted" in step(client, slug, "submit").get_data(as_text=True)
    assert "not possible" in step(client, slug, "publish").get_data(as_text=True)  # owners do not publish
    assert client.get(f"/practices/{slug}/score").status_code == 403
    # the reviewer returns it with a comment; the owner hears about it in their language
    login_as(client, people["trainer"])
    assert "Say what needs to change" in step(client, slug, "return").get_data(as_text=True)
    step(client, slug, "return", "Add the source of the results.")
    mail = db.session.scalars(select(OutboxMessage).where(OutboxMessage.recipient == people["owner"].email)).one()
    assert "Add the source of the results." in mail.body and "Mentors for newly arrived women" in mail.subject
    login_as(client, people["owner"])
    assert "Add the source of the results." in client.get(f"/practices/{slug}").get_data(as_text=True)
    bell = client.get("/forum/notifications").get_data(as_text=True)
    assert "Your practice “Mentors for newly arrived women” needs changes" in bell
    note_link = re.search(r'href="(/forum/notifications/\d+)"', bell).group(1)
    assert client.get(note_link).headers["Location"].endswith(f"/practices/{slug}")
    client.post(f"/practices/{slug}/edit", data=dict(FORM, results_md="About 40 women a year (annual report)."))
    step(client, slug, "submit")
    # scored and published by the reviewer: ranked in the list
    login_as(client, people["trainer"])
    assert "Score the practice" in step(client, slug, "publish").get_data(as_text=True)
    response = client.post(f"/practices/{slug}/score", data=scores(3))
    assert response.status_code == 302
    assert "Published" in step(client, slug, "publish").get_data(as_text=True)
    client.post("/logout")
    listing = client.get("/practices/").get_data(as_text=True)
    assert "Mentors for newly arrived women" in listing and "100%" in listing
    practice = services.get_by_slug(slug)
    assert practice.score_label == "best" and practice.published_at is not None


def test_scores_need_every_indicator_and_a_reason(client, people, draft):
    login_as(client, people["owner"])
    step(client, draft.slug, "submit")
    login_as(client, people["trainer"])
    data = scores(2)
    data["results-why"] = ""
    data["evaluation-score"] = "7"
    page = client.post(f"/practices/{draft.slug}/score", data=data).get_data(as_text=True)
    assert "Say why, in a sentence." in page and "Not a valid choice" in page
    assert services.get_by_slug(draft.slug).scores == []


def test_two_reviewers_are_averaged(client, people, draft):
    login_as(client, people["owner"])
    step(client, draft.slug, "submit")
    login_as(client, people["trainer"])
    client.post(f"/practices/{draft.slug}/score", data=scores(3))
    login_as(client, people["admin"])
    client.post(f"/practices/{draft.slug}/score", data=scores(1))
    practice = services.get_by_slug(draft.slug)
    assert practice.score_percent == 67
    page = client.get(f"/practices/{draft.slug}").get_data(as_text=True)
    assert "scored by 2 reviewers" in page and "Rita Reviewer" in page


def test_learners_cannot_review(client, people, draft):
    login_as(client, people["owner"])
    step(client, draft.slug, "submit")
    login_as(client, people["other"])
    assert client.get("/practices/review").status_code == 403
    assert client.post(f"/practices/{draft.slug}/score", data=scores()).status_code == 404  # not theirs to see
    login_as(client, people["trainer"])
    assert "Mentors for newly arrived women" in client.get("/practices/review").get_data(as_text=True)


def test_history_and_comparison(client, people, draft):
    login_as(client, people["owner"])
    client.post(f"/practices/{draft.slug}/edit", data=dict(FORM, summary="Mentors help women into first jobs."))
    page = client.get(f"/practices/{draft.slug}/history").get_data(as_text=True)
    assert "Created" in page and "Edited" in page and "Olga Owner" in page
    diff = client.get(f"/practices/{draft.slug}/compare?a=1&b=2").get_data(as_text=True)
    assert "summary" in diff and "-Volunteer mentors help women find first jobs." in diff
    assert "+Mentors help women into first jobs." in diff
    assert client.get(f"/practices/{draft.slug}/compare?a=1&b=99").status_code == 404
    login_as(client, people["other"])
    assert client.get(f"/practices/{draft.slug}/history").status_code == 404


def test_my_practices_lists_drafts(client, people, draft):
    login_as(client, people["owner"])
    page = client.get("/practices/mine").get_data(as_text=True)
    assert "Mentors for newly arrived women" in page and "Draft" in page
    client.post("/logout")
    assert client.get("/practices/mine").status_code == 302


def test_administrators_weigh_the_indicators_and_everything_is_reranked(client, people, app):
    from hub.practices import content
    from tests.web.test_practices import write

    folder = app.config["UPLOAD_PATH"] + "-practices"
    from pathlib import Path

    write(Path(folder), "weighted", score=3, scores={"relevance": {"score": 3, "why": "a"},
                                                     "innovation": {"score": 0, "why": "b"}})
    services.ensure_indicators()
    content.import_practices(folder)
    db.session.commit()
    assert services.get_by_slug("weighted").score_percent == 50
    login_as(client, people["trainer"])
    assert client.get("/practices/indicators").status_code == 403
    login_as(client, people["admin"])
    form = {key: "1" for key in INDICATOR_LABELS}
    form["innovation"] = "0"
    response = client.post("/practices/indicators", data=form, follow_redirects=True)
    assert "ranked again" in response.get_data(as_text=True)
    assert services.get_by_slug("weighted").score_percent == 100
    bad = client.post("/practices/indicators", data=dict(form, relevance="9")).get_data(as_text=True)
    assert "Number must be between 0 and 5" in bad


PNG = bytes.fromhex("89504e470d0a1a0a0000000d4948445200000001000000010806000000"
                    "1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082")


def test_owner_attaches_tools_and_documents(client, people, draft, app):
    import io

    login_as(client, people["owner"])
    response = client.post(f"/practices/{draft.slug}/documents", follow_redirects=True,
                           data={"file": (io.BytesIO(b"%PDF-1.4 leaflet"), "../../leaflet.exe.pdf"),
                                 "title": "Leaflet for employers"})
    assert "leaflet.exe.pdf is attached" in response.get_data(as_text=True)
    refused = client.post(f"/practices/{draft.slug}/documents", follow_redirects=True,
                          data={"file": (io.BytesIO(b"MZ not really a pdf"), "tool.pdf")}).get_data(as_text=True)
    assert "is not an image (PNG, JPEG, GIF, WebP) or a PDF document" in refused
    app.config["PRACTICE_DOCUMENT_MAX_BYTES"] = 10
    too_big = client.post(f"/practices/{draft.slug}/documents", follow_redirects=True,
                          data={"file": (io.BytesIO(PNG), "big.png")}).get_data(as_text=True)
    assert "is larger than" in too_big
    practice = services.get_by_slug(draft.slug)
    assert [d.title for d in practice.documents] == ["Leaflet for employers"]
    document = practice.documents[0]
    url = f"/practices/{draft.slug}/documents/{document.id}/{document.filename}"
    served = client.get(url)
    assert served.data == b"%PDF-1.4 leaflet" and served.headers["X-Content-Type-Options"] == "nosniff"
    assert "attachment" in served.headers["Content-Disposition"]
    login_as(client, people["other"])  # a draft's documents are as private as the draft
    assert client.get(url).status_code == 404
    assert client.post(f"/practices/{draft.slug}/documents/{document.id}/delete").status_code == 404
    login_as(client, people["owner"])
    client.post(f"/practices/{draft.slug}/documents/{document.id}/delete")
    assert services.get_by_slug(draft.slug).documents == []
    assert client.get(url).status_code == 404
    assert "Removed leaflet.exe.pdf" in client.get(f"/practices/{draft.slug}/history").get_data(as_text=True)
