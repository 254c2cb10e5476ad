"""The start page, the language switch and the health check."""

from flask import Blueprint

bp = Blueprint("main", __name__)
