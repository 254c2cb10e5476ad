"""The coordinators' pages (the board reads the pipeline too): the pipeline, a person's page,
moving people, training, the record extract, requirements and who needs attention.

Coordinators change things; the board sees names and stages, never the private answers.
Everyone else gets 403."""

from __future__ import annotations

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user

from foreningen.accounts import queries as accounts
from foreningen.core import clock, vocabulary
from foreningen.core.extensions import db
from foreningen.core.forms import EmptyForm, choices, page_number
from foreningen.core.policy import can
from foreningen.core.security import Role, authorize, is_safe_next, refuse_unless, requires
from foreningen.core.web import carry_out
from foreningen.municipalities import queries as municipalities
from foreningen.supporters import exports, forms, queries, services
from foreningen.supporters.models import RequirementKind, Stage
from foreningen.supporters.policy import LIST_READERS
from foreningen.supporters.readiness import add_months

bp = Blueprint("supporters", __name__, url_prefix="/supporters")
ATTENTION_FIRST = 20  # people shown in each list of "needs attention" before "all"


@bp.before_request
def _readers_only():
    return refuse_unless(*LIST_READERS, Role.ADMIN)


def _actor():
    return current_user._get_current_object()


def _window() -> int:
    return current_app.config["SUPPORTER_RENEWAL_DAYS"]


def _words() -> dict:
    """The labels a page shows per row, translated once."""
    return {"stages": Stage.names(), **vocabulary.names()}


def _supporter_or_404(supporter_id: int):
    return queries.supporter(_actor(), supporter_id) or abort(404)


# --- the pipeline -------------------------------------------------------------------------

def _filters() -> tuple[forms.PipelineFilterForm, queries.PipelineFilter]:
    form = forms.PipelineFilterForm(request.args)
    form.municipality.choices = choices([("", _("All municipalities")), *(
        (str(m.id), m.name) for m in municipalities.all_municipalities())])
    form.validate()
    valid = {name: None if f.errors else f.data for name, f in form._fields.items()}
    return form, queries.PipelineFilter(
        q=valid["q"], stage=valid["stage"] or None, language=valid["language"] or None,
        municipality_id=int(valid["municipality"]) if valid["municipality"] else None,
        sort=valid["sort"] or "stage", direction=valid["direction"] or "asc")


def _move_form() -> forms.MoveForm:
    return forms.MoveForm()


@bp.route("/")
def pipeline():
    authorize("supporters.view_list")
    form, f = _filters()
    actor = _actor()
    pagination = queries.pipeline_page(actor, f, page_number(request.args.get("page")))
    columns = queries.columns(actor)
    shown = [p for people in columns.values() for p in people] + list(pagination.items)
    return render_template(
        "supporters/pipeline.html", form=form, filters=f, pagination=pagination,
        counts=queries.counts(actor), columns=columns, names=queries.names(shown),
        move_form=_move_form(), **_words())


@bp.route("/move", methods=["POST"])
@requires(Role.COORDINATOR)
def move_selected():
    """Several people to one stage at once (a training group approved): all or nothing."""
    authorize("supporters.manage")
    form = _move_form()
    if form.validate_on_submit():
        people = queries.many(_actor(), form.selected.data)
        moved = carry_out(lambda: services.move_many(
            people, form.to_stage.data, _actor(), note=form.note.data,
            effective_on=form.effective_on.data, interview_on=form.interview_on.data))
        if moved:
            flash(ngettext("%(num)d person moved to “%(stage)s”.",
                           "%(num)d people moved to “%(stage)s”.", moved.value,
                           stage=Stage(form.to_stage.data).label), "success")
    else:
        for errors in form.errors.values():
            for error in errors:
                flash(error, "error")
    back = request.form.get("back")
    return redirect(back if is_safe_next(back) else url_for("supporters.pipeline"))


# --- one person ---------------------------------------------------------------------------

def _render_person(supporter, *, move_form=None, extract_form=None, status=200):
    actor = _actor()
    private = None
    if can("supporters.view_private", supporter):
        private = services.experience(supporter)
    readiness = queries.readiness(supporter, clock.today(), _window())
    history = queries.history(supporter)
    people = queries.names([supporter])
    actors = {h.actor_id for h in history if h.actor_id}
    page = render_template(
        "supporters/person.html", supporter=supporter, private=private, readiness=readiness,
        history=history, name=people.get(supporter.user_id, ""),
        actor_names=accounts.display_names(actors),
        move_form=move_form or _move_form(), extract_form=extract_form or forms.ExtractForm(),
        transitions=services.TRANSITIONS[Stage(supporter.stage)],
        record_check=queries.current_requirement(RequirementKind.RECORD_CHECK),
        municipality=municipalities.get(supporter.municipality_id)
        if supporter.municipality_id else None, **_words())
    if private is not None and request.method == "GET":
        services.record_private_read(supporter, actor)
        db.session.commit()
    return page, status


@bp.route("/<int:supporter_id>")
def supporter(supporter_id: int):
    authorize("supporters.view_list")
    return _render_person(_supporter_or_404(supporter_id))


@bp.route("/<int:supporter_id>/move", methods=["POST"])
@requires(Role.COORDINATOR)
def move(supporter_id: int):
    person = _supporter_or_404(supporter_id)
    authorize("supporters.manage", person)
    form = _move_form()
    if form.validate_on_submit() and carry_out(
            lambda: services.move(person, form.to_stage.data, _actor(), note=form.note.data,
                                  effective_on=form.effective_on.data,
                                  interview_on=form.interview_on.data),
            form.to_stage.errors.append):
        flash(_("%(name)s is now at “%(stage)s”.", name=person.display_name,
                stage=Stage(form.to_stage.data).label), "success")
        return redirect(url_for("supporters.supporter", supporter_id=supporter_id))
    return _render_person(person, move_form=form, status=400)


@bp.route("/<int:supporter_id>/record-check", methods=["POST"])
@requires(Role.COORDINATOR)
def record_check(supporter_id: int):
    person = _supporter_or_404(supporter_id)
    authorize("supporters.manage", person)
    form = forms.ExtractForm()
    requirement = queries.current_requirement(RequirementKind.RECORD_CHECK) or abort(404)
    if form.validate_on_submit() and carry_out(
            lambda: services.record_extract(person, requirement, seen_on=form.seen_on.data,
                                            dated_on=form.dated_on.data, actor=_actor()),
            form.dated_on.errors.append):
        flash(_("The extract is noted as seen. The document itself is not kept."),
              "success")
        return redirect(url_for("supporters.supporter", supporter_id=supporter_id))
    return _render_person(person, extract_form=form, status=400)


# --- training -----------------------------------------------------------------------------

def _training_form(selected=()):
    form = forms.TrainingForm()
    modules = [r for r in queries.current_requirements() if r.kind == RequirementKind.TRAINING]
    form.requirement_id.choices = choices(
        [("", _("Choose a module"))] + [(r.id, r.title) for r in modules])
    return form


@bp.route("/training", methods=["GET", "POST"])
@requires(Role.COORDINATOR)
def training():
    """Record a session for everyone who attended it: one all-or-nothing action."""
    authorize("supporters.manage")
    form = _training_form()
    actor = _actor()
    group = _group(actor, default_stage=Stage.IN_TRAINING)
    form.selected.choices = choices((p.id, p.display_name) for p in group["people"])
    if form.validate_on_submit():
        requirement = queries.requirement(form.requirement_id.data)
        chosen = queries.many(actor, form.selected.data)
        recorded = carry_out(lambda: services.record_training(
            chosen, requirement, form.completed_on.data, actor), form.selected.errors.append)
        if recorded:
            flash(ngettext("Training recorded for %(num)d person.",
                           "Training recorded for %(num)d people.", recorded.value),
                  "success")
            return redirect(url_for("supporters.training", **request.args))
    status = 400 if form.errors else 200
    return render_template("supporters/training.html", form=form, **group, **_words()), status


def _group(actor, default_stage: str) -> dict:
    """Who may be ticked as attending: one stage (the one asked for, or the default) and
    optionally one kommun, so that a list of thousands stays a group of tens."""
    stage = request.args.get("stage") or default_stage
    stage = stage if stage in queries.WATCHED else default_stage
    municipality = request.args.get("municipality", "")
    municipality_id = int(municipality) if municipality.isdecimal() and len(municipality) < 10 \
        else None
    people = queries.trainable(actor, stage, municipality_id)
    return {"people": people, "names": queries.row_names(people), "stage": stage,
            "municipality_id": municipality_id, "watched": queries.WATCHED,
            "municipalities": municipalities.all_municipalities()}


# --- requirements -------------------------------------------------------------------------

@bp.route("/requirements", methods=["GET", "POST"])
def requirements():
    authorize("supporters.configure")
    form = forms.RequirementForm()
    if form.validate_on_submit():
        if not form.name.data:
            form.name.errors.append(_("Give the module a name."))
        else:
            services.add_requirement(RequirementKind.TRAINING, _actor(), name=form.name.data,
                                     required=form.required.data,
                                     validity_months=form.validity_months.data)
            db.session.commit()
            flash(_("The training module is added."), "success")
            return redirect(url_for("supporters.requirements"))
    status = 400 if form.errors else 200
    return render_template("supporters/requirements.html", form=form,
                           requirements=queries.current_requirements(),
                           kinds=RequirementKind.names(), retire_form=EmptyForm()), status


@bp.route("/requirements/<int:requirement_id>", methods=["GET", "POST"])
def requirement(requirement_id: int):
    authorize("supporters.configure")
    current = queries.requirement(requirement_id) or abort(404)
    form = forms.RequirementForm(obj=current if request.method == "GET" else None)
    if current.retired_at is None and form.validate_on_submit():
        problem = None
        if current.kind == RequirementKind.TRAINING and not form.name.data:
            problem = (form.name, _("Give the module a name."))
        elif current.kind == RequirementKind.PLEDGE and not form.body.data:
            problem = (form.body, _("Give the text of the pledge."))
        if problem:
            problem[0].errors.append(problem[1])
        else:
            revised = carry_out(lambda: services.revise_requirement(
                current, _actor(), name=form.name.data, required=form.required.data,
                validity_months=form.validity_months.data, body=form.body.data),
                form.required.errors.append)
            if revised:
                flash(_("Version %(version)d is now in force.", version=revised.value.version),
                      "success")
                return redirect(url_for("supporters.requirement",
                                        requirement_id=revised.value.id))
    status = 400 if form.errors else 200
    return render_template("supporters/requirement.html", form=form, requirement=current,
                           versions=queries.requirement_versions(current.key),
                           kinds=RequirementKind.names()), status


@bp.route("/requirements/<int:requirement_id>/retire", methods=["POST"])
def retire_requirement(requirement_id: int):
    authorize("supporters.configure")
    current = queries.requirement(requirement_id) or abort(404)
    if EmptyForm().validate_on_submit() and carry_out(
            lambda: services.retire_requirement(current, _actor())):
        flash(_("“%(name)s” is no longer asked for.", name=current.title), "success")
    return redirect(url_for("supporters.requirements"))


# --- needs attention ----------------------------------------------------------------------

@bp.route("/attention")
def attention():
    authorize("supporters.view_list")
    days = current_app.config["SUPERVISION_MAX_DAYS"]
    found = queries.attention(_actor(), clock.today(), _window(), days)
    show = request.args.get("show")
    return render_template("supporters/attention.html", found=found, window=_window(),
                           supervision_days=days, show=show, first=ATTENTION_FIRST,
                           per_page=queries.PER_PAGE,
                           page=page_number(request.args.get("page")), **_words())


# --- supervision --------------------------------------------------------------------------

@bp.route("/supervision", methods=["GET", "POST"])
@requires(Role.COORDINATOR)
def supervision():
    """Record a supervision session and who came; the hours per person for a period."""
    authorize("supporters.manage")
    actor = _actor()
    form = forms.SupervisionForm()
    group = _group(actor, default_stage=Stage.ACTIVE)
    form.selected.choices = choices((p.id, p.display_name) for p in group["people"])
    if form.validate_on_submit():
        chosen = queries.many(actor, form.selected.data)
        if carry_out(lambda: services.record_supervision(
                held_on=form.held_on.data, minutes=form.minutes.data, kind=form.kind.data,
                leader=form.leader.data, supporters=chosen, actor=actor),
                form.selected.errors.append):
            flash(ngettext("Supervision recorded for %(num)d person.",
                           "Supervision recorded for %(num)d people.", len(chosen)), "success")
            return redirect(url_for("supporters.supervision", **request.args))
    status = 400 if form.errors else 200
    today = clock.today()
    return render_template("supporters/supervision.html", form=form, **group,
                           period=forms.PeriodForm(data={"start": add_months(today, -12),
                                                         "end": today}),
                           **_words()), status


@bp.route("/supervision.csv")
@requires(Role.COORDINATOR)
def supervision_export():
    """Hours of supervision per person for a period (default: the last 12 months)."""
    authorize("supporters.manage")
    period = forms.PeriodForm(request.args)
    today = clock.today()
    if not period.validate():
        abort(400)
    start = period.start.data or add_months(today, -12)
    end = period.end.data or today
    rows = queries.supervision_hours(_actor(), start, end)
    people = queries.names(rows)
    body = exports.supervision_csv(rows, people)
    services.record_supervision_export(len(rows))
    db.session.commit()
    filename = f"handledning-{start.isoformat()}-{end.isoformat()}.csv"
    return Response(body, content_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="{filename}"'})
