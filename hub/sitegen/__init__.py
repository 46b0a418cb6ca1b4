"""A realistic, deterministic site for benchmarks and trials: ``hub generate --size``
fills an empty database with members, courses, enrolments, progress, quiz attempts,
forum discussions, practices and notifications, like Moodle's test-site generator."""
