"""Lesson content: YAML files per skill area, with their schema and loader."""

from lessons.loader import Content, ContentError, ContentIssue, load_content

__all__ = ["Content", "ContentError", "ContentIssue", "load_content"]
