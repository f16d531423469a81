"""JSON API routers, mounted under ``/api/v1`` by :func:`grayshield.web.app.create_app`."""
