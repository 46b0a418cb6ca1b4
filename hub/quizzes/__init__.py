"""Quizzes: Moodle-compatible questions (GIFT and Moodle XML), attempts, grading,
review, the trainer's question bank and quiz editor, results and statistics."""
