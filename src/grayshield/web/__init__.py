"""The console: web pages and JSON API for analysts, investigators, QA staff, supervisors and admins."""

from grayshield.web.app import create_app

__all__ = ["create_app"]
