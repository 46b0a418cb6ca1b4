"""Generated courses and practices written in the hub's content format, so the same
importers that load the shipped content load them (and check them)."""
from __future__ import annotations

import random
import re
from pathlib import Path

from . import texts

SHIPPED_PRACTICES = Path(__file__).resolve().parents[2] / "content" / "practices"


def write_course_folder(root: Path, number: int, tag: str, rng: random.Random) -> Path:
    title, topic, parts = texts.COURSE_TOPICS[number % len(texts.COURSE_TOPICS)]
    slug = f"generated-{number + 1}{tag.replace('.', '-')}"
    folder = root / slug
    folder.mkdir()
    edition = number // len(texts.COURSE_TOPICS) + 1
    sections = [("basics", "Basics"), ("practice", "In practice")]
    (folder / "course.md").write_text(f"""---
slug: {slug}
title: "{title} (edition {edition})"
summary: "A short course on {topic} for counsellors and job coaches: {parts}."
kind: zone
zone: {number % 6 + 1}
language: en
order: {100 + number}
estimated_hours: {rng.choice([2, 3, 4])}
published: true
completion:
  lessons: all
  quizzes: [check-{slug}]
  forum_posts: 0
  certificate: auto
  prerequisites: []
sections:
  - slug: basics
    title: Basics
  - slug: practice
    title: In practice
quizzes:
  - slug: check-{slug}
    title: Check your understanding
    file: quiz.gift
    section: practice
    pass_grade: 60
    attempts: 0
    grading_method: highest
    time_limit_minutes: null
---
This course introduces {topic} for professionals who support migrants, young people not in
education or work, former inmates and other people far from the labour market. It covers
{parts}, with a case vignette and a checklist you can use in your next meeting.
""", encoding="utf-8")
    for position, (lesson_title, lead) in enumerate(texts.LESSON_ANGLES, start=1):
        section = sections[0 if position <= 2 else 1][0]
        minutes = rng.choice([15, 20, 30])
        (folder / f"{position:02d}-lesson-{position}.md").write_text(
            f"---\nslug: lesson-{position}\ntitle: {lesson_title}\nsection: {section}\nminutes: {minutes}\n"
            f"---\n{_lesson_body(lead.format(topic=topic, parts=parts), topic, parts)}", encoding="utf-8")
    (folder / "quiz.gift").write_text(_quiz(slug, topic, parts), encoding="utf-8")
    return folder


def _lesson_body(lead: str, topic: str, parts: str) -> str:
    steps = [p.strip() for p in re.split(r",| and ", parts) if p.strip()]
    rows = "\n".join(f"| {step.capitalize()} | Ask the client what matters to them about it | Note it in the plan |"
                     for step in steps)
    checklist = "\n".join(f"- [ ] {step.capitalize()}: agreed with the client and written down" for step in steps)
    return f"""## What this lesson is about

{lead}

## In a meeting

| Step | What you do | What you record |
|---|---|---|
{rows}

## Checklist

{checklist}

!!! tip "From practice"
    Counsellors who tried {topic} say the first meeting sets the tone: explain what you will do,
    how long it takes and what happens with what the client tells you.
"""


def _quiz(slug: str, topic: str, parts: str) -> str:
    first = parts.split(",")[0].strip()
    return f"""$CATEGORY: {slug}

::Purpose::What is {topic} mainly for?{{
=Helping the client reach their own goals with the support they choose #Right.
~Filling in the forms the funder requires #No: forms follow the work, not the other way round.
~Deciding for the client what is realistic #No: decisions stay with the client.
}}

::First step::Which of these is part of {topic}: {first}?{{TRUE#Right.#It is one of the parts named in the lessons.}}

::Record::When you agree a step with a client, what do you do?{{
=Write it down in the plan together with the client #Right.
~Keep it in mind for the next meeting #No: write it down, so both of you can check it later.
~Tell the employer first #No: the client decides what is shared.
}}

::Consent::Information about a client is shared with a partner only with the client's informed consent \
or a legal basis.{{TRUE}}

::Follow-up::How soon after a placement should the first follow-up contact happen?{{
=Within the first two weeks #Right: early problems are easiest to solve.
~After six months #Too late for most problems.
~Only if the employer calls #No: follow-up is planned, not reactive.
}}
"""


def write_practice_files(root: Path, count: int, tag: str, rng: random.Random) -> None:
    """Variants of the shipped practice records (the same well-sourced text under a new
    slug, title and country), so the practice list and its ranking have volume."""
    originals = sorted(SHIPPED_PRACTICES.glob("*.md"))
    countries = sorted(texts.FIRST_NAMES)
    for n in range(count):
        source = originals[n % len(originals)].read_text(encoding="utf-8")
        slug_match = re.search(r"^slug: (.+)$", source, re.M)
        assert slug_match, originals[n % len(originals)]
        slug = f"{slug_match.group(1).strip()}-trial-{n + 1}{tag.replace('.', '-')}"
        text = re.sub(r"^slug: .+$", f"slug: {slug}", source, count=1, flags=re.M)
        title = re.search(r"^title: (.+)$", text, re.M)
        assert title, slug
        text = text.replace(title.group(0), f'title: "{title.group(1).strip().strip(chr(34))} — trial {n + 1}"', 1)
        text = re.sub(r"^country: .+$", f"country: {rng.choice(countries)}", text, count=1, flags=re.M)
        (root / f"{slug}.md").write_text(text, encoding="utf-8")
