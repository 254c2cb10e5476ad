"""The public membership application and its email confirmation."""

from flask import Blueprint

bp = Blueprint("join", __name__, url_prefix="/join")
