"""Completion rules as data, and progress measured against them. Pure: no Flask,
no database, so every rule and combination is tested in isolation."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

LESSON, QUIZ, FORUM = "lesson", "quiz", "forum"
LESSON_CHOICES = ("all", "none")


def normalise_rules(raw: dict | None) -> dict:
    """The rules a course means, whatever shape its JSON column holds (missing keys,
    strings from YAML, negative numbers...)."""
    raw = raw if isinstance(raw, dict) else {}
    lessons = raw.get("lessons", "all")
    if lessons is True:
        lessons = "all"
    if lessons not in LESSON_CHOICES:
        lessons = "none" if lessons in (False, None, "") else "all"
    quizzes = raw.get("quizzes") or []
    if isinstance(quizzes, str):
        quizzes = [q.strip() for q in quizzes.split(",")]
    seen: list[str] = []
    for slug in quizzes:
        slug = str(slug).strip()
        if slug and slug not in seen:
            seen.append(slug)
    try:
        posts = max(0, int(raw.get("forum_posts") or 0))
    except (TypeError, ValueError):
        posts = 0
    return {"lessons": lessons, "quizzes": seen, "forum_posts": posts}


@dataclass
class Requirement:
    kind: str  # lesson | quiz | forum
    key: str  # lesson id, quiz slug, "forum"
    title: str
    obj: Any = None
    target: int = 1  # forum: posts needed


@dataclass
class QuizFact:
    passed: bool
    grade: float | None = None
    graded_at: datetime | None = None


@dataclass
class Facts:
    """What one learner has done in one course."""

    lessons_done: dict[int, datetime] = field(default_factory=dict)  # lesson id -> completed at
    lessons_viewed: set[int] = field(default_factory=set)
    quizzes: dict[str, QuizFact] = field(default_factory=dict)  # quiz slug -> result
    posts: int = 0


@dataclass
class ItemState:
    requirement: Requirement
    done: bool
    done_at: datetime | None = None
    grade: float | None = None
    count: int = 0  # forum posts written

    @property
    def kind(self) -> str:
        return self.requirement.kind

    @property
    def title(self) -> str:
        return self.requirement.title


@dataclass
class Measure:
    items: list[ItemState]

    @property
    def required(self) -> int:
        return len(self.items)

    @property
    def done(self) -> int:
        return sum(1 for item in self.items if item.done)

    @property
    def tracked(self) -> bool:
        """A course without any rule never completes by itself."""
        return bool(self.items)

    @property
    def percent(self) -> int:
        if not self.items:
            return 0
        return int(100 * self.done / self.required)

    @property
    def met(self) -> bool:
        return self.tracked and self.done == self.required

    @property
    def next_item(self) -> ItemState | None:
        return next((item for item in self.items if not item.done), None)


def measure(requirements: list[Requirement], facts: Facts) -> Measure:
    items = []
    for req in requirements:
        if req.kind == LESSON:
            done_at = facts.lessons_done.get(int(req.key))
            items.append(ItemState(req, done=done_at is not None, done_at=done_at))
        elif req.kind == QUIZ:
            fact = facts.quizzes.get(req.key)
            items.append(ItemState(req, done=bool(fact and fact.passed), grade=fact.grade if fact else None,
                                   done_at=fact.graded_at if fact and fact.passed else None))
        elif req.kind == FORUM:
            items.append(ItemState(req, done=facts.posts >= req.target, count=facts.posts))
    return Measure(items)


def started(facts: Facts) -> bool:
    """Any trace of learning: a lesson opened, a quiz graded, a post written."""
    return bool(facts.lessons_viewed or facts.lessons_done or facts.quizzes or facts.posts)
