"""How much each size generates. S, M and L follow the orders of magnitude of Moodle's
test sites (members, courses, forum posts)."""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Size:
    name: str
    members: int
    courses: int  # shipped courses included
    posts: int
    enrolments_per_member: int
    quiz_attempts: int  # taken through the quiz services, graded
    practices: int  # shipped practices included
    long_thread: int = 220  # posts in the longest thread of each forum: the benchmark reads one


SIZES = {
    "S": Size("S", members=100, courses=10, posts=1_000, enrolments_per_member=3, quiz_attempts=40, practices=25),
    "M": Size("M", members=1_000, courses=50, posts=20_000, enrolments_per_member=5, quiz_attempts=200,
              practices=60),
    "L": Size("L", members=10_000, courses=200, posts=200_000, enrolments_per_member=5, quiz_attempts=400,
              practices=150),
}

# Every generated member logs in with this password (the benchmark does too).
PASSWORD = "generated members' password"
DOMAIN = "generated.example.org"
