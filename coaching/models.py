"""One-to-ones, feedback, action items and coaching time (models arrive with the coaching work)."""
