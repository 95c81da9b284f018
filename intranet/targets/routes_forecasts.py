"""The regional forecasts page (/targets/forecasts): the year's forecasts beside the actual sales, and
the supervisors' form to file one. Rules in services/forecasts.py."""

from flask import request, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from ..clock import today_local
from ..extensions import db
from ..services import forecasts as svc
from ..services import sales_figures as fig
from ..services.errors import DomainError
from ..web.actions import done
from ..web.excel import send_workbook, workbook
from ..web.form_errors import attach_error
from ..web.guards import role_required
from ..web.rendering import render
from ..web.transaction import commit
from . import bp
from .forms import ForecastForm


def _year() -> int:
    year = request.args.get("year", type=int) or today_local().year
    return year if 2000 <= year <= 2100 else today_local().year


def _form() -> ForecastForm:
    form = ForecastForm()
    form.region_id.choices = [(r.id, r.name) for r in svc.regions_for(current_user)]
    return form


def _page(form, year: int):
    rows = svc.rows(current_user, year)
    if request.args.get("format") == "xlsx":
        return _workbook(rows, year)
    return render("targets/forecasts.html", "form", form=form, rows=rows, year=year, labels=svc.KIND_LABELS,
                  may_file=current_user.role in svc.FILERS and bool(form.region_id.choices))


@bp.get("/forecasts")
@role_required(*svc.READERS)
def forecasts():
    form = _form()
    form.period.data = f"{today_local():%Y-%m}"
    return _page(form, _year())


@bp.post("/forecasts")
@role_required(*svc.FILERS)
def forecast_file():
    form = _form()
    if form.validate_on_submit():
        try:
            row = svc.file_forecast(current_user, svc.region_or_none(form.region_id.data), form.period.data,
                                    form.amount.amount, form.note.data)
        except DomainError as exc:
            db.session.rollback()
            attach_error(form, exc)
        else:
            commit()
            return done(url_for("targets.forecasts", year=row.year),
                        _l("%(region)s %(period)s 的销售预测已保存", region=row.region.name, period=row.period))
    return _page(form, _year())


def _workbook(rows, year: int):
    data = [[r.forecast.region.name, str(svc.KIND_LABELS[r.forecast.kind]), r.forecast.period, r.forecast.amount,
             r.actual, f"{r.reached}%" if r.reached is not None else "", r.forecast.filed_by.name,
             r.forecast.note] for r in rows]
    data.append(["统计口径", "", str(fig.basis_label()), "", "", "", "", ""])
    return send_workbook(workbook(f"区域销售预测 {year}", ["区域", "类型", "期间", "预测销售额", "实际销售额",
                                                       "完成率", "填报人", "说明"], data),
                         f"sales-forecasts-{year}.xlsx")
