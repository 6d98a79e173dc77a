"""briefing: footnoted policy briefs, as DOCX and PDF, from a sourced YAML fact base."""

__version__ = "0.1.0"
