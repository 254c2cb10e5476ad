"""A signed-in person's own account: password, second factor, sessions, language."""

from flask import Blueprint

bp = Blueprint("account", __name__, url_prefix="/account")
