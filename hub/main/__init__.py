"""Home page and site-wide pages."""
from .views import bp  # noqa: F401
