"""Completion rules, progress, the learner dashboard and trainer reports."""

from flask import Flask


def init_app(app: Flask) -> None:
    """Dashboards and reports, and the wiring that makes progress react: receivers that
    complete enrolments, the prerequisite check on enrolment, the badge criteria text.
    Progress uses certificates (dashboards and reports list them); certificates never
    imports progress, so the criteria reach it through ``set_criteria_provider``."""
    from .. import signals
    from ..certificates import services as certificates
    from ..courses import hooks
    from . import services
    from .views import bp

    app.register_blueprint(bp)
    signals.lesson_completed.connect(services.on_lesson_completed)
    signals.quiz_attempt_graded.connect(services.on_quiz_graded)
    signals.forum_post_created.connect(services.on_forum_post)
    signals.enrolled.connect(services.on_enrolled)
    signals.completion_rules_changed.connect(services.on_rules_changed)
    if services.prerequisites_check not in hooks.enrolment_checks:
        hooks.enrolment_check(services.prerequisites_check)
    certificates.set_criteria_provider(services.describe_rules)
