"""`python -m bot.webfront`: what `make run` starts for the web chat, with the directory's
read API (/api/services) and staff admin (/admin) mounted on the same app."""

from flask import Flask

from bot.webfront.server import serve


def mount_directory(app: Flask) -> None:
    """Both parts read DATABASE_URL (and the admin its ADMIN_* settings) when mounted;
    neither connects to the database before its first request."""
    from services_directory.admin import init_admin
    from services_directory.api import init_api

    init_api(app)
    init_admin(app)


if __name__ == "__main__":
    serve(extra_setup=mount_directory)
