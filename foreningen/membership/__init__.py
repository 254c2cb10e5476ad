"""A member's own page: details, payments, consents, their data, leaving."""

from flask import Blueprint

bp = Blueprint("membership", __name__, url_prefix="/membership")
