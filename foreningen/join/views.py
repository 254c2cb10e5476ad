from foreningen.join import bp


@bp.route("/confirm/<token>")
def confirm(token):
    return ""
