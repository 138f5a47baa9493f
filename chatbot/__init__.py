"""Self-hosted support chat assistant for hosting and cloud providers."""

__all__ = ["__version__"]

__version__ = "0.1.0"
