"""briefing: footnoted policy briefs, as DOCX, PDF and HTML, from a sourced YAML fact base."""

__version__ = "0.1.0"
