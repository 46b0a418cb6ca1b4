"""The good-practice collection: import from disk, the ranked list, filters and sorting,
a practice's page with its score profile, consent-gated contacts, exports."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from sqlalchemy import select

from hub.extensions import db
from hub.practices import content, services
from hub.practices.models import DRAFT, Practice, PracticeScore

ALL = ("relevance", "results", "evaluation", "co_design", "employer_involvement", "cooperation", "sustainability",
       "transferability", "innovation", "cost_effectiveness", "equality", "integrated_support")


def record(slug: str, *, score: int | None = 2, body: str | None = None, **fields) -> str:
    meta = {"slug": slug, "title": fields.pop("title", slug.replace("-", " ").title()),
            "summary": "A one-line summary.", "country": "ES", "organisation": "An NGO",
            "organisation_type": "ngo", "target_groups": ["refugees_asylum_seekers"], "zones": ["placement"],
            "tags": ["mentoring"], "start_year": 2015, "end_year": "ongoing", "evaluation": "internal",
            "languages": ["es", "en"], "sources": [{"title": "Annual report", "url": "https://example.org/report"}],
            "last_reviewed": "2026-12-01"}
    if score is not None:
        meta["scores"] = {key: {"score": score, "why": f"Reason for {key}."} for key in ALL}
    meta.update(fields)
    text = body if body is not None else ("## Description\n\nJob coaching with mentors.\n\n"
                                          "## Results\n\nThe sources give no figures.\n")
    return "---\n" + yaml.safe_dump(meta, sort_keys=False, allow_unicode=True) + "---\n" + text


def write(folder: Path, slug: str, **kwargs) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{slug}.md"
    path.write_text(record(slug, **kwargs), encoding="utf-8")
    return path


@pytest.fixture
def shipped(app, tmp_path):
    """Three records: a strong one in Spain, a weaker one in Denmark, one unscored in Italy."""
    folder = tmp_path / "practices"
    write(folder, "strong-es", score=3, title="Strong pathway")
    write(folder, "medium-dk", score=2, country="DK", target_groups=["neets"], zones=["outreach"],
          tags=["outreach-work"], languages=["da"], title="Medium outreach")
    write(folder, "unscored-it", score=None, country="IT", title="Unscored practice")
    services.ensure_indicators()
    created, updated = content.import_practices(folder)
    db.session.commit()
    assert (created, updated) == (3, 0)
    return folder


def test_import_scores_and_ranks(shipped):
    strong = services.get_by_slug("strong-es")
    assert strong.score_percent == 100.0 and strong.score_label == "best"
    medium = services.get_by_slug("medium-dk")
    assert medium.score_percent == 67 and medium.score_label == "good"
    assert services.get_by_slug("unscored-it").score_percent is None
    reviewer = db.session.scalar(select(PracticeScore).limit(1)).reviewer
    assert reviewer.display_name == content.EDITORIAL_NAME and not reviewer.is_active


def test_reimport_updates_text_and_keeps_one_set_of_scores(shipped):
    write(shipped, "strong-es", score=1, title="Strong pathway, renamed")
    created, updated = content.import_practices(shipped)
    db.session.commit()
    assert (created, updated) == (0, 3)
    strong = services.get_by_slug("strong-es")
    assert strong.title == "Strong pathway, renamed" and strong.score_percent == 33
    assert db.session.query(PracticeScore).filter_by(practice_id=strong.id).count() == len(ALL)


def test_the_list_is_ranked_best_first(client, shipped):
    page = client.get("/practices/").get_data(as_text=True)
    assert page.index("Strong pathway") < page.index("Medium outreach") < page.index("Unscored practice")
    assert "100%" in page and "Not scored yet" in page and "3 practices" in page


@pytest.mark.parametrize("query, shown, hidden", [
    ("country=DK", ["Medium outreach"], ["Strong pathway"]),
    ("target_group=neets", ["Medium outreach"], ["Strong pathway"]),
    ("zone=placement", ["Strong pathway"], ["Medium outreach"]),
    ("tag=outreach-work", ["Medium outreach"], ["Strong pathway"]),
    ("language=da", ["Medium outreach"], ["Strong pathway"]),
    ("label=best", ["Strong pathway"], ["Medium outreach", "Unscored practice"]),
    ("label=good", ["Medium outreach"], ["Strong pathway", "Unscored practice"]),
    ("country=Spain&target_group=nobody&sort=evil&label=great", ["Strong pathway", "Medium outreach"], []),
])
def test_filters(client, shipped, query, shown, hidden):
    response = client.get(f"/practices/?{query}")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    for title in shown:
        assert title in page
    for title in hidden:
        assert title not in page


def test_sort_by_title_and_country(client, shipped):
    page = client.get("/practices/?sort=title").get_data(as_text=True)
    assert page.index("Medium outreach") < page.index("Strong pathway") < page.index("Unscored practice")
    page = client.get("/practices/?sort=country").get_data(as_text=True)
    assert page.index("Medium outreach") < page.index("Strong pathway") < page.index("Unscored practice")  # DK, ES, IT


def test_paging_keeps_filters(app, client, shipped):
    app.config["PRACTICES_PER_PAGE"] = 1
    page = client.get("/practices/?target_group=refugees_asylum_seekers").get_data(as_text=True)
    assert "Page 1 of 2" in page and "target_group=refugees_asylum_seekers" in page.split("Page 1 of 2")[1]
    assert client.get("/practices/?page=9").status_code == 404


def test_practice_page_shows_the_template_and_score_profile(client, shipped):
    response = client.get("/practices/medium-dk")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "<svg" in page and "Score profile" in page and "Reason for results." in page
    assert "Job coaching with mentors." in page and "The sources give no figures." in page
    assert "Denmark" in page and "Young people not in employment" in page
    assert 'href="/courses/outreach-first-reception"' in page  # zones link to the zone courses
    assert "Related practices" not in page  # it shares no target group or approach with the others
    related = client.get("/practices/strong-es").get_data(as_text=True).split("Related practices")[1]
    assert "Unscored practice" in related and "Medium outreach" not in related


def test_drafts_are_not_shown(client, shipped):
    practice = services.get_by_slug("strong-es")
    practice.status = DRAFT
    db.session.commit()
    assert client.get("/practices/strong-es").status_code == 404
    assert "Strong pathway" not in client.get("/practices/").get_data(as_text=True)
    assert client.get("/practices/no-such-practice").status_code == 404


def test_contact_is_shown_only_with_consent(client, app, tmp_path):
    folder = tmp_path / "consent"
    write(folder, "with-consent", contact={"name": "Ana Ruiz", "email": "ana@example.org", "consent": True})
    write(folder, "without-consent", contact={"name": "Ben Holm", "email": "ben@example.org", "consent": False})
    content.import_practices(folder)
    db.session.commit()
    assert "ana@example.org" in client.get("/practices/with-consent").get_data(as_text=True)
    page = client.get("/practices/without-consent").get_data(as_text=True)
    assert "Ben Holm" not in page and "ben@example.org" not in page
    exported = json.loads(client.get("/practices/export.json").data)["practices"]
    contacts = {p["slug"]: p["contact"] for p in exported}
    assert contacts == {"with-consent": {"name": "Ana Ruiz", "email": "ana@example.org"}, "without-consent": None}


def test_exports(client, shipped):
    response = client.get("/practices/export.csv?country=ES")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    lines = response.get_data(as_text=True).strip().splitlines()
    assert lines[0].startswith("slug,title,country") and len(lines) == 2 and lines[1].startswith("strong-es,")
    data = json.loads(client.get("/practices/export.json").data)
    assert [p["slug"] for p in data["practices"]] == ["strong-es", "medium-dk", "unscored-it"]
    assert data["practices"][0]["description"].startswith("Job coaching")
    assert client.get("/practices/export.xml").status_code == 404


def test_header_links_to_the_collection(client, shipped):
    assert 'href="/practices/"' in client.get("/").get_data(as_text=True)


# --- import errors name the file and line --------------------------------------------------------

@pytest.mark.parametrize("fields, body, expected", [
    ({"country": "Spain"}, None, "strong.md:5: 'country' must be a two-letter ISO code"),
    ({"target_groups": ["aliens"]}, None, "'target_groups' has unknown values aliens"),
    ({"sources": []}, None, "cite at least one public source"),
    ({"scores": {"relevance": {"score": 5, "why": "x"}}}, None, "'scores.relevance.score' must be at least 0 and at most 3"),
    ({"scores": {"relevanse": {"score": 1, "why": "x"}}}, None, "did you mean 'relevance'"),
    ({"end_year": 1990}, None, "'end_year' is before 'start_year'"),
    ({}, "## Method\n\nText\n", "unknown section '## Method'"),
    ({}, "Intro text\n\n## Description\n\nText\n", "text before the first section"),
    ({}, "## Results\n\nOnly results.\n", "missing section '## Description'"),
])
def test_import_errors_name_file_and_line(app, tmp_path, fields, body, expected):
    folder = tmp_path / "broken"
    write(folder, "strong", body=body, **fields)
    write(folder, "fine")
    with pytest.raises(content.ContentError) as raised:
        content.import_practices(folder)
    assert expected in str(raised.value) and "strong.md" in str(raised.value)
    db.session.commit()
    assert services.get_by_slug("fine") is not None  # the good record is in
    assert services.get_by_slug("strong") is None


def test_file_name_must_match_slug(app, tmp_path):
    folder = tmp_path / "named"
    folder.mkdir()
    (folder / "other-name.md").write_text(record("the-slug"), encoding="utf-8")
    with pytest.raises(content.ContentError, match="rename the file to the-slug.md"):
        content.import_practices(folder)


def test_cli_imports_and_reports(app, runner, tmp_path):
    folder = tmp_path / "cli"
    write(folder, "from-cli")
    result = runner.invoke(args=["practices", "import", str(folder)])
    assert result.exit_code == 0 and "1 new" in result.output
    write(folder, "broken", country="xx")
    result = runner.invoke(args=["practices", "import", str(folder)])
    assert result.exit_code == 1 and "broken.md" in result.output and "Traceback" not in result.output
    assert db.session.scalar(select(Practice).where(Practice.slug == "from-cli")) is not None


def test_prepare_site_imports_practices_once_also_on_an_upgraded_site(make_app, tmp_path):
    """A site from before the good-practice hub (courses, no practices) gets the shipped
    records on its next start; an administrator's later changes are not overwritten."""
    from hub import commands

    root = tmp_path / "content"
    write(root / "practices", "shipped-one")
    app = make_app(CONTENT_PATH=str(root))
    with app.app_context():
        lines: list[str] = []
        commands.import_site_content(echo=lines.append)
        assert "Imported shipped practices: 1 practice records" in lines
        services.get_by_slug("shipped-one").title = "Edited on the site"
        db.session.commit()
        lines.clear()
        commands.import_site_content(echo=lines.append)
        assert not any("practice" in line for line in lines)
        assert services.get_by_slug("shipped-one").title == "Edited on the site"


def test_pdf_of_a_practice_prints_its_text_in_any_script(client, app, tmp_path):
    import io

    from pypdf import PdfReader

    folder = tmp_path / "pdf"
    write(folder, "greek-practice", title="Πρόγραμμα ένταξης", motto="Work first",
          body="## Description\n\nΣυμβουλευτική και *mentoring* με `κώδικα`.\n\n- ένα\n- δύο\n")
    content.import_practices(folder)
    db.session.commit()
    response = client.get("/practices/greek-practice/pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(response.data)).pages)
    assert "Πρόγραμμα ένταξης" in text and "Συμβουλευτική" in text and "Score profile" in text
    assert "Annual report" in text  # the sources
    assert 'href="/practices/greek-practice/pdf"' in client.get("/practices/greek-practice").get_data(as_text=True)
