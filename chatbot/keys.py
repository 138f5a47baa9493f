"""Moved to :mod:`chatbot.web.keys`; this name stays until every importer has moved."""

from chatbot.web.keys import *  # noqa: F403
from chatbot.web.keys import __all__ as __all__
