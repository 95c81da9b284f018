"""Payment-terms rules (付款条件规则, SPEC 2.10 "payment terms by customer class and amount"): the sales
manager and director keep a small table — for customers of one class (or of every class) and contracts
of at least an amount, the deposit at signing (定金) and when the balance is due (款到发货, after delivery,
after acceptance, monthly statement). A contract whose payment terms are left blank gets the text of
the proposal (services/contracts.py); typed terms are kept as typed.

The proposal for (customer, amount): the active rule of the customer's class with the highest
min_amount not above the amount; if the class has none that fits, the same among the rules for every
class; else none. Two active rules of one class never share a min_amount, so the choice is unique.
"""

from __future__ import annotations

import unicodedata
from decimal import Decimal, InvalidOperation

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from ..extensions import db
from ..models import User
from ..models.contracts import BALANCE_RULES, PaymentTermRule
from ..models.customers import KINDS as CUSTOMER_KINDS
from ..models.customers import Customer
from . import audit
from .customers import KIND_LABELS as CUSTOMER_KIND_LABELS
from .errors import DomainError, Forbidden
from .samples import InputErrors

MAINTAINERS = ("manager", "director")
READERS = ("manager", "director")
ALL_CLASSES = ""  # the form's value for a rule that applies to every customer class (stored as NULL)
MAX_AMOUNT = Decimal("99999999.99")
MAX_DAYS = 365
BALANCE_LABELS = {"before_shipment": _l("款到发货（发货前付清）"), "after_delivery": _l("货到后付清"),
                  "after_acceptance": _l("验收合格后付清"), "monthly": _l("月结")}
ALL_CLASSES_LABEL = _l("所有客户类别")


def class_label(kind: str | None):
    return CUSTOMER_KIND_LABELS.get(kind, ALL_CLASSES_LABEL) if kind else ALL_CLASSES_LABEL


# ---- the text a rule writes into a contract ---------------------------------------------------------

def percent(value: Decimal) -> str:
    """30.00 → "30", 12.50 → "12.5" (as a contract writes a percentage)."""
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return text or "0"


def text(rule: PaymentTermRule) -> str:
    """The payment terms as the contract states them, e.g. 签订时付 30% 定金，验收合格后 30 天内付清余款.

    The contract's own wording (a Chinese document, like its other clauses), not a UI label: it is
    stored in the contract as written, whatever language the person who made it reads."""
    deposit, days = rule.deposit_percent or Decimal("0"), rule.balance_days or 0
    if deposit >= 100:
        body = "签订时付清全部货款"
    else:
        rest = "余款" if deposit > 0 else "全部货款"
        balance = {
            "before_shipment": f"发货前付清{rest}（款到发货）",
            "after_delivery": f"货到后 {days} 天内付清{rest}" if days else f"货到即付清{rest}",
            "after_acceptance": f"验收合格后 {days} 天内付清{rest}" if days else f"验收合格后付清{rest}",
            "monthly": f"{rest}月结 {days} 天" if days else f"{rest}月结",
        }[rule.balance_rule]
        body = f"签订时付 {percent(deposit)}% 定金，{balance}" if deposit > 0 else balance
    return f"{body}；{rule.note}" if rule.note else body


# ---- the proposal -----------------------------------------------------------------------------------

def _best(kind_filter, amount: Decimal) -> PaymentTermRule | None:
    return db.session.scalar(select(PaymentTermRule).where(
        PaymentTermRule.active, kind_filter, PaymentTermRule.min_amount <= amount)
        .order_by(PaymentTermRule.min_amount.desc(), PaymentTermRule.id.desc()).limit(1))


def proposal(customer: Customer | None, amount: Decimal) -> PaymentTermRule | None:
    """The rule for a contract of `amount` with `customer` (see the module's docstring), or None."""
    if customer is None or amount is None:
        return None
    amount = Decimal(amount)
    return (_best(PaymentTermRule.customer_kind == customer.kind, amount)
            or _best(PaymentTermRule.customer_kind.is_(None), amount))


def proposed_text(customer: Customer | None, amount: Decimal) -> str:
    rule = proposal(customer, amount)
    return text(rule) if rule else ""


def terms_for(customer: Customer | None, amount: Decimal, typed: str,
              previous: tuple[str, int | None] | None = None) -> tuple[str, PaymentTermRule | None]:
    """What a contract states and which rule wrote it: the typed terms as typed, blank ones from the
    proposal. `previous` is the contract's stored (terms, rule id): a proposal left as it was is proposed
    again (its amount or customer may have changed). Typed text equal to the proposal counts as it."""
    typed = (typed or "").strip()
    if previous and previous[1] is not None and typed == (previous[0] or "").strip():
        typed = ""
    rule = proposal(customer, amount)
    if not typed:
        return (text(rule), rule) if rule else ("", None)
    return typed, rule if rule is not None and text(rule) == typed else None


# ---- the settings table -----------------------------------------------------------------------------

def rules() -> list[PaymentTermRule]:
    """Every rule, the active ones first, by class and amount."""
    return list(db.session.scalars(select(PaymentTermRule).order_by(
        PaymentTermRule.active.desc(), PaymentTermRule.customer_kind.is_(None), PaymentTermRule.customer_kind,
        PaymentTermRule.min_amount, PaymentTermRule.id)))


def _decimal(raw, field: str, upper: Decimal, too_big) -> Decimal:
    if isinstance(raw, Decimal):
        value = raw
    else:
        cleaned = unicodedata.normalize("NFKC", str(raw or "")).strip().replace(",", "").lstrip("¥").rstrip("%")
        if not cleaned:
            raise DomainError(_l("请填写数字"), field=field)
        try:
            value = Decimal(cleaned.strip())
        except InvalidOperation as exc:
            raise DomainError(_l("请填写有效的数字"), field=field) from exc
    if not value.is_finite():
        raise DomainError(_l("请填写有效的数字"), field=field)
    if value < 0:
        raise DomainError(_l("不能为负数"), field=field)
    if value.as_tuple().exponent < -2:
        raise DomainError(_l("最多两位小数"), field=field)
    if value > upper:
        raise DomainError(too_big, field=field)
    return value.quantize(Decimal("0.01"))


def _days(raw, balance_rule: str) -> int:
    if balance_rule == "before_shipment":
        return 0  # 款到发货: no term to count
    cleaned = unicodedata.normalize("NFKC", str(raw if raw is not None else "")).strip()
    if not cleaned:
        return 0
    if not cleaned.isascii() or not cleaned.isdigit():
        raise DomainError(_l("天数请填写 0 到 365 的整数"), field="balance_days")
    days = int(cleaned)
    if days > MAX_DAYS:
        raise DomainError(_l("天数请填写 0 到 365 的整数"), field="balance_days")
    return days


def _clean(fields: dict) -> dict:
    """Every field checked, every wrong one reported next to itself at once."""
    errors, out = {}, {}
    kind = (fields.get("customer_kind") or ALL_CLASSES).strip()
    if kind != ALL_CLASSES and kind not in CUSTOMER_KINDS:
        errors["customer_kind"] = _l("请选择客户类别")
    out["customer_kind"] = kind or None
    for name, upper, too_big in (("min_amount", MAX_AMOUNT, _l("金额过大")),
                                 ("deposit_percent", Decimal("100"), _l("定金比例应在 0 到 100 之间"))):
        try:
            out[name] = _decimal(fields.get(name), name, upper, too_big)
        except DomainError as exc:
            errors[name] = exc.message
    rule = (fields.get("balance_rule") or "").strip()
    if rule not in BALANCE_RULES:
        errors["balance_rule"] = _l("请选择余款支付方式")
    out["balance_rule"] = rule
    try:
        out["balance_days"] = _days(fields.get("balance_days"), rule)
    except DomainError as exc:
        errors["balance_days"] = exc.message
    note = (fields.get("note") or "").strip()
    if len(note) > 200:
        errors["note"] = _l("最多 200 个字")
    out["note"] = note
    out["active"] = bool(fields.get("active", True))
    if errors:
        raise InputErrors(errors)
    return out


def _check_unique(values: dict, rule: PaymentTermRule | None) -> None:
    if not values["active"]:
        return
    kind = values["customer_kind"]
    clash = select(PaymentTermRule.id).where(
        PaymentTermRule.active, PaymentTermRule.min_amount == values["min_amount"],
        PaymentTermRule.customer_kind == kind if kind else PaymentTermRule.customer_kind.is_(None))
    if rule is not None:
        clash = clash.where(PaymentTermRule.id != rule.id)
    if db.session.scalar(clash.limit(1)) is not None:
        raise DomainError(_l("该客户类别已有相同起点金额的启用规则，请修改那一条"), field="min_amount")


def _check_actor(actor: User) -> None:
    if actor.role not in MAINTAINERS:
        raise Forbidden(_l("付款条件规则由销售经理或销售总监维护"))


def _snapshot(rule: PaymentTermRule) -> dict:
    return {"customer_kind": rule.customer_kind, "min_amount": rule.min_amount, "deposit_percent": rule.deposit_percent,
            "balance_rule": rule.balance_rule, "balance_days": rule.balance_days, "note": rule.note,
            "active": rule.active, "text": text(rule)}


def save(actor: User, rule: PaymentTermRule | None, fields: dict) -> PaymentTermRule:
    """Create (rule None) or change a rule from what the form holds; nothing is written when any field
    is wrong. Contracts already written keep their text."""
    _check_actor(actor)
    values = _clean(fields)
    _check_unique(values, rule)
    before = _snapshot(rule) if rule is not None else None
    rule = rule or PaymentTermRule()
    for name, value in values.items():
        setattr(rule, name, value)
    db.session.add(rule)
    db.session.flush()
    audit.record(actor, "payment_rule.update" if before else "payment_rule.create", rule, before=before,
                 after=_snapshot(rule))
    return rule


def create(actor: User, fields: dict) -> PaymentTermRule:
    return save(actor, None, fields)


def update(actor: User, rule: PaymentTermRule, fields: dict) -> PaymentTermRule:
    return save(actor, rule, fields)


def deactivate(actor: User, rule: PaymentTermRule) -> None:
    """A rule no longer proposed (kept: contracts name the rule that wrote their terms)."""
    _check_actor(actor)
    if not rule.active:
        raise DomainError(_l("该规则已停用"))
    rule.active = False
    db.session.flush()
    audit.record(actor, "payment_rule.deactivate", rule, before={"active": True}, after={"active": False})
