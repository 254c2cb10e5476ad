from flask_login import login_required

from foreningen.membership import bp


@bp.route("/")
@login_required
def index():
    return ""
