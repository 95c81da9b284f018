"""The payment-terms rules (付款条件规则) at /contracts/payment-terms: the sales manager's and director's
settings table — the list, a new rule, a rule changed or stopped. Thin views: the role (403), one
service call (services/payment_terms.py), commit once; a refusal goes next to its fields."""

from flask import request, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from ..extensions import db
from ..models.contracts import PaymentTermRule
from ..services import payment_terms as rules_svc
from ..services.errors import DomainError
from ..web.actions import act, done, failed
from ..web.guards import role_required
from ..web.rendering import render
from ..web.transaction import commit
from . import bp
from .forms import ButtonForm, PaymentRuleForm

FIELDS = ("customer_kind", "min_amount", "deposit_percent", "balance_rule", "balance_days", "note", "active")


def _fields(form: PaymentRuleForm) -> dict:
    return {name: form[name].data for name in FIELDS}


def _list_page(form=None):
    return render("contracts/payment_terms.html", "form", form=form or PaymentRuleForm(), rules=rules_svc.rules())


def _saved(form, work, message):
    """Validate, call the service; the refusal's messages next to their fields (None: show the form)."""
    if not form.validate_on_submit():
        return None
    try:
        work(_fields(form))
    except DomainError as exc:
        failed(form, exc)
        return None
    commit()
    return done(url_for("contracts.payment_terms"), message)


@bp.get("/payment-terms")
@role_required(*rules_svc.READERS)
def payment_terms():
    return _list_page()


@bp.post("/payment-terms/new")
@role_required(*rules_svc.MAINTAINERS)
def payment_term_new():
    form = PaymentRuleForm()
    return _saved(form, lambda fields: rules_svc.create(current_user, fields), _l("付款条件规则已添加")) \
        or _list_page(form)


@bp.route("/payment-terms/<int:payment_rule_id>", methods=["GET", "POST"])
@role_required(*rules_svc.MAINTAINERS)
def payment_term_edit(payment_rule_id):
    rule = db.get_or_404(PaymentTermRule, payment_rule_id)
    form = PaymentRuleForm(obj=rule) if request.method == "GET" else PaymentRuleForm()
    if request.method == "GET":
        form.customer_kind.data = rule.customer_kind or rules_svc.ALL_CLASSES
        form.min_amount.data, form.deposit_percent.data = f"{rule.min_amount:.2f}", f"{rule.deposit_percent:.2f}"
        form.balance_days.data = str(rule.balance_days)
    return _saved(form, lambda fields: rules_svc.update(current_user, rule, fields), _l("付款条件规则已保存")) \
        or render("contracts/payment_term_form.html", "form", form=form, rule=rule)


@bp.post("/payment-terms/<int:payment_rule_id>/deactivate")
@role_required(*rules_svc.MAINTAINERS)
def payment_term_deactivate(payment_rule_id):
    rule = db.get_or_404(PaymentTermRule, payment_rule_id)
    form = ButtonForm()
    form.validate_on_submit()
    return act(url_for("contracts.payment_terms"), lambda: rules_svc.deactivate(current_user, rule),
               _l("付款条件规则已停用，不再用于新合同"))
