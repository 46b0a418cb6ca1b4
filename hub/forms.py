"""Forms shared across features."""
from flask_wtf import FlaskForm


class EmptyForm(FlaskForm):
    """A CSRF token for POST-only buttons (delete, mark read, enrol...)."""
