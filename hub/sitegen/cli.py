"""``hub generate --size S|M|L``: a realistic site for benchmarks and trials."""
from __future__ import annotations

import time
from typing import Any

import click
from flask.cli import with_appcontext
from sqlalchemy import inspect

from .sizes import DOMAIN, PASSWORD, SIZES


class _Progress:
    """A bar per long step (forum posts, search index) and a line per finished step."""

    def __init__(self, totals: dict[str, int]):
        self.totals, self.step = totals, ""
        self.bar: Any = None

    def __call__(self, step: str, done: int) -> None:
        if done == 0:  # a step finished
            self.close()
            click.echo(f"  {step} done")
            return
        if step != self.step:
            self.close()
            if step == "search index":
                from ..search.indexer import count_entities
                self.totals[step] = count_entities()
            self.step = step
            self.bar = click.progressbar(length=max(self.totals.get(step, 0), 1), label=f"  {step}",
                                         show_pos=True).__enter__()
        self.bar.update(done)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.__exit__(None, None, None)
            self.bar, self.step = None, ""


@click.command("generate")
@click.option("--size", "size_name", type=click.Choice(sorted(SIZES), case_sensitive=False), default="S",
              show_default=True, help="S ≈ 100 members, 1k posts; M ≈ 1k, 20k; L ≈ 10k, 200k.")
@click.option("--seed", default=1, show_default=True, help="The same seed gives the same site.")
@click.option("--force", is_flag=True, help="Add generated data to a site that already has members.")
@with_appcontext
def generate_command(size_name: str, seed: int, force: bool) -> None:
    """Fill this site's database with generated members, courses, progress, quiz
    attempts, forum posts, practices and notifications, and build its search index."""
    from ..commands import prepare_site
    from ..extensions import db
    from .generator import GeneratorRefused, check_may_generate, generate

    size = SIZES[size_name.upper()]
    try:
        if inspect(db.engine).has_table("user"):
            check_may_generate(force)  # before touching anything
        prepare_site(echo=lambda *_: None)  # schema, shipped content and forums: generated data joins them
        check_may_generate(force)
    except GeneratorRefused as refusal:
        raise click.ClickException(str(refusal)) from None
    click.echo(f"Generating a size-{size.name} site (seed {seed}): {size.members} members, {size.courses} courses, "
               f"{size.posts} forum posts.")
    started = time.perf_counter()
    progress = _Progress({"forum": size.posts})
    made = generate(size, seed=seed, tick=progress, force=True)
    progress.close()
    seconds = time.perf_counter() - started
    forum_seconds = made.timings.get("forum", 0) or 1e-9
    click.echo(f"Made {made.members} members, {made.courses} courses, {made.enrolments} enrolments "
               f"({made.lessons_done} lessons done), {made.quiz_attempts} quiz attempts, {made.topics} topics, "
               f"{made.posts} posts ({made.posts / forum_seconds:.0f} posts/s), {made.notifications} "
               f"notifications, {made.practices} practices; indexed {made.documents} documents in {seconds:.0f} s.")
    click.echo(f"Every generated member logs in with the password {PASSWORD!r}; "
               f"member0@{DOMAIN} is an administrator.")
    db.session.remove()
