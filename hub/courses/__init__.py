"""Courses: catalogue, enrolment, lessons, authoring and the content on disk."""
