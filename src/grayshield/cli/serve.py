"""``grayshield serve``: run the console (web pages and JSON API) with uvicorn."""

from __future__ import annotations

import typer

from grayshield.cli.common import console, handle_errors
from grayshield.core.settings import get_settings


@handle_errors
def serve(
    host: str = typer.Option("127.0.0.1", "--host", help="Address to listen on (intranet interface in production)."),
    port: int = typer.Option(8000, "--port", min=1, max=65535, help="Port to listen on."),
) -> None:
    """启动控制台 — serve the console; the store is migrated to the newest schema first."""
    import uvicorn

    from grayshield.core.logging import configure_logging
    from grayshield.lake.world import open_world
    from grayshield.services.screening import MappingDirectory, Screener, TagCache
    from grayshield.store import Database, upgrade
    from grayshield.web import create_app

    settings = get_settings()
    configure_logging(settings.log_level)
    db = Database(settings.db_url)
    upgrade(db)
    lake = settings.lake_dir
    directory = MappingDirectory.from_source(open_world(lake)) if lake.is_dir() else MappingDirectory({})
    screener = Screener(TagCache(db), directory)
    app = create_app(settings, db=db, screener=screener)
    console.print(f"GrayShield 控制台：http://{host}:{port}/")
    uvicorn.run(app, host=host, port=port, log_level=settings.log_level.lower(), access_log=False,
                proxy_headers=False, server_header=False)
