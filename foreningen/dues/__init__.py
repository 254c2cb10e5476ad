"""Membership dues: rates, payments by hand or from a bank file, reminders."""

from flask import Blueprint

bp = Blueprint("dues", __name__, url_prefix="/dues")
