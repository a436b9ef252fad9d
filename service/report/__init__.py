"""Debrief model and renderers (JSON, Markdown, HTML), and the terminal view of a grade."""
