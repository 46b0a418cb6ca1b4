"""A realistic, deterministic site for benchmarks and trials: ``hub generate --size``
fills an empty database with members, courses, enrolments, progress, quiz attempts,
forum discussions, practices and notifications, like Moodle's test-site generator."""


def init_app(app) -> None:
    from .cli import generate_command

    app.cli.add_command(generate_command)
