"""What search indexes of the good-practice hub: published practices, the toolbox,
resources and the glossary, all public. Drafts and records in review are never
indexed; the records are written in English."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from ..extensions import db
from ..markdown import plain_text
from ..search.registry import Source, register_doc_type, register_source, register_zones, watch
from .models import PUBLISHED, SECTIONS, TAG, TARGET_GROUP, ZONE, Practice, PracticeFacet
from .models_library import GlossaryTerm, Resource, ToolboxPage
from .vocab import ZONES


def practice_documents(ids: list[int]):
    practices = db.session.scalars(select(Practice).where(Practice.id.in_(ids), Practice.status == PUBLISHED)
                                   .options(selectinload(Practice.facets)))
    for p in practices:
        sections = [plain_text(getattr(p, f"{stem}_html")) for stem in SECTIONS]
        yield dict(entity=f"practice:{p.id}", key=f"practice:{p.id}", doc_type="practice", language="en",
                   scope="public", title=p.title,
                   body="\n".join([p.motto, p.summary, p.organisation, p.region, *sections]),
                   countries=[p.country], zones=p.facet_values(ZONE),
                   tags=p.facet_values(TAG) + p.facet_values(TARGET_GROUP),
                   date=p.published_at or p.updated_at, endpoint="practices.practice", url_args={"slug": p.slug})


def toolbox_documents(ids: list[int]):
    for page in db.session.scalars(select(ToolboxPage).where(ToolboxPage.id.in_(ids))):
        yield dict(entity=f"toolbox:{page.id}", key=f"toolbox:{page.id}", doc_type="toolbox", language="en",
                   scope="public", title=page.title, body=f"{page.summary}\n{plain_text(page.body_html)}",
                   zones=list(page.zones or ()), tags=[page.question], date=page.updated_at,
                   endpoint="practices.toolbox_page", url_args={"slug": page.slug})


def resource_documents(ids: list[int]):
    for r in db.session.scalars(select(Resource).where(Resource.id.in_(ids))):
        yield dict(entity=f"resource:{r.id}", key=f"resource:{r.id}", doc_type="resource", language="en",
                   scope="public", title=r.title, body=f"{r.publisher}\n{r.summary}",
                   countries=list(r.countries or ()), tags=list(r.topics or ()) + [r.kind],
                   endpoint="practices.resources", url_args={"_anchor": r.slug})


def glossary_documents(ids: list[int]):
    """The term in English, and each translated variant as a document in its language
    (so "Ένταξη" is found with Greek stemming); all open the glossary at the term."""
    for t in db.session.scalars(select(GlossaryTerm).where(GlossaryTerm.id.in_(ids))):
        base = dict(entity=f"glossary:{t.id}", doc_type="glossary", scope="public",
                    endpoint="practices.glossary", url_args={"_anchor": t.slug})
        yield dict(base, key=f"glossary:{t.id}", language="en", title=t.term, body=t.definition)
        for language, variant in sorted((t.variants or {}).items()):
            if variant and language != "en":
                yield dict(base, key=f"glossary:{t.id}:{language}", language=language, title=variant,
                           body=variant, shown_body=t.definition)


def register() -> None:
    register_doc_type("practice", _l("Practices"))
    register_doc_type("toolbox", _l("Toolbox"))
    register_doc_type("resource", _l("Resources"))
    register_doc_type("glossary", _l("Glossary"))
    register_zones(ZONES)
    register_source(Source("practice", practice_documents,
                           lambda: db.session.scalars(select(Practice.id).where(Practice.status == PUBLISHED))))
    register_source(Source("toolbox", toolbox_documents, lambda: db.session.scalars(select(ToolboxPage.id))))
    register_source(Source("resource", resource_documents, lambda: db.session.scalars(select(Resource.id))))
    register_source(Source("glossary", glossary_documents, lambda: db.session.scalars(select(GlossaryTerm.id))))
    watch(Practice, "practice")
    watch(PracticeFacet, "practice", entity_id=lambda facet: facet.practice_id)
    watch(ToolboxPage, "toolbox")
    watch(Resource, "resource")
    watch(GlossaryTerm, "glossary")
