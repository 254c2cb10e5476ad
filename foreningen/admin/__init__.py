"""Administration: accounts and roles, municipalities, the audit log."""

from flask import Blueprint

bp = Blueprint("admin", __name__, url_prefix="/admin")
