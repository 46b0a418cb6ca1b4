"""Completion rules, progress, the learner dashboard and trainer reports."""
