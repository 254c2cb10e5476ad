"""The member register: applications, statuses, the board's register, a member's own page."""

from flask import Blueprint

bp = Blueprint("members", __name__, url_prefix="/members")
