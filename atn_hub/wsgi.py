"""The WSGI entry point for gunicorn: ``gunicorn atn_hub.wsgi:app``."""
from . import create_app

app = create_app()
