"""Forms of the office registers: they carry what people typed; the rules and the messages next to
the fields live in the services."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    FileField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Optional

from ..models.office import ARCHIVE_CLASSES, CHANNELS, DIRECTIONS, MINUTES_KINDS, NOTICE_KINDS, RETENTIONS
from ..services.archive import CLASS_LABELS, RETENTION_LABELS
from ..services.correspondence import CHANNEL_LABELS, DIRECTION_LABELS
from ..services.minutes import KIND_LABELS as MINUTES_LABELS
from ..services.notices import KIND_LABELS as NOTICE_LABELS
from ..services.seals import KIND_LABELS as SEAL_KIND_LABELS


def int_or_none(value):
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _choices(keys, labels):
    return [SelectChoice("", "—")] + [SelectChoice(k, labels[k]) for k in keys]


class ArchiveFileForm(FlaskForm):
    title = StringField(_l("案卷题名"))
    klass = SelectField(_l("类别"), choices=_choices(ARCHIVE_CLASSES, CLASS_LABELS), validate_choice=False)
    retention = SelectField(_l("保管期限"), choices=_choices(RETENTIONS, RETENTION_LABELS), validate_choice=False)
    location = StringField(_l("存放位置（柜号）"))
    contents = TextAreaField(_l("卷内目录（每行一件）"))


class ScanForm(FlaskForm):
    scan = FileField(_l("扫描件（图片或 PDF）"))


class AccessForm(FlaskForm):
    purpose = StringField(_l("查阅事由"))


class LoanForm(FlaskForm):
    borrower_id = SelectField(_l("借阅人"), coerce=int_or_none, validate_choice=False)
    purpose = StringField(_l("借阅用途"))
    due_on = DateField(_l("应还日期"), validators=[Optional()])


class SealUseForm(FlaskForm):
    seal_id = SelectField(_l("印章"), coerce=int_or_none, validate_choice=False)
    kind = SelectField(_l("类型"), choices=_choices(SEAL_KIND_LABELS, SEAL_KIND_LABELS), validate_choice=False)
    document = StringField(_l("用印文件"))
    purpose = StringField(_l("用途"))
    copies = StringField(_l("份数"), default="1")
    due_back = DateField(_l("归还日期（带离时填写）"), validators=[Optional()])


class IncidentForm(FlaskForm):
    seal_id = SelectField(_l("印章"), coerce=int_or_none, validate_choice=False)
    taken_by_id = SelectField(_l("带离人"), coerce=int_or_none, validate_choice=False)
    day = DateField(_l("发生日期"), validators=[Optional()])
    note = StringField(_l("经过"))


class ViolationFromIncidentForm(FlaskForm):
    harm = BooleanField(_l("造成后果（罚款 ¥1,000）"))


class NoticeForm(FlaskForm):
    kind = SelectField(_l("类别"), choices=_choices(NOTICE_KINDS, NOTICE_LABELS), validate_choice=False)
    title = StringField(_l("标题"))
    body = TextAreaField(_l("正文"))
    roles = SelectMultipleField(_l("按岗位传阅"), validate_choice=False)
    user_ids = SelectMultipleField(_l("传阅人员"), coerce=int_or_none, validate_choice=False)
    sign_ids = SelectMultipleField(_l("请以下领导批示"), coerce=int_or_none, validate_choice=False)


class SignForm(FlaskForm):
    comment = StringField(_l("批示意见"))


class MinutesForm(FlaskForm):
    kind = SelectField(_l("会议类型"), choices=_choices(MINUTES_KINDS, MINUTES_LABELS), validate_choice=False)
    title = StringField(_l("会议名称"))
    held_on = DateField(_l("会议日期"), validators=[Optional()])
    attendees = StringField(_l("参会人员"))
    decisions = TextAreaField(_l("会议决定"))


class TaskForm(FlaskForm):
    assignee_id = SelectField(_l("谁来做"), coerce=int_or_none, validate_choice=False)
    what = StringField(_l("做什么"))
    due_on = DateField(_l("何时完成"), validators=[Optional()])
    place = StringField(_l("在哪里做"))
    check_method = StringField(_l("如何检查"))


class ResultForm(FlaskForm):
    result = TextAreaField(_l("完成结果"))


class CheckForm(FlaskForm):
    comment = StringField(_l("检查意见（退回时必填）"))


class CorrespondenceForm(FlaskForm):
    direction = SelectField(_l("收文/发文"), choices=_choices(DIRECTIONS, DIRECTION_LABELS), validate_choice=False)
    channel = SelectField(_l("方式"), choices=_choices(CHANNELS, CHANNEL_LABELS), validate_choice=False)
    day = DateField(_l("日期"), validators=[Optional()])
    counterpart = StringField(_l("对方单位 / 来电人"))
    phone = StringField(_l("联系电话"))
    subject = StringField(_l("事由 / 留言内容"))
    handler_id = SelectField(_l("经办人（收文必填）"), coerce=int_or_none, validate_choice=False)


class AckForm(FlaskForm):
    reply = StringField(_l("处理情况"))


class TenderForm(FlaskForm):
    title = StringField(_l("项目名称"))
    region_id = SelectField(_l("区域"), coerce=int_or_none, validate_choice=False)
    source = StringField(_l("信息来源"))
    buyer = StringField(_l("招标单位"))
    deadline = DateField(_l("投标截止日期"), validators=[Optional()])
    assignee_id = SelectField(_l("负责业务员"), coerce=int_or_none, validate_choice=False)
    documents = TextAreaField(_l("招标文件要求"))


class BidForm(FlaskForm):
    bid_note = StringField(_l("投标文件递交情况"))


class QuestionsForm(FlaskForm):
    questions = StringField(_l("答疑 / 质疑事项"))
    answer_by = DateField(_l("答复截止日期"), validators=[Optional()])


class AnswerForm(FlaskForm):
    answer = StringField(_l("答复内容"))


class OutcomeForm(FlaskForm):
    outcome = SelectField(_l("结果"), choices=[SelectChoice("", "—"), SelectChoice("won", _l("中标")),
                                                SelectChoice("lost", _l("未中标")), SelectChoice("abandoned", _l("放弃"))],
                          validate_choice=False)
    outcome_note = StringField(_l("说明"))


class TenderSearchForm(FlaskForm):
    day = DateField(_l("检索日期"), validators=[Optional()])
    sources = StringField(_l("检索来源（网站、报刊）"))
    found = StringField(_l("找到条数"), default="0")


class PartnerForm(FlaskForm):
    name = StringField(_l("单位名称"))
    kind = SelectField(_l("类别"), choices=[SelectChoice("", "—"), SelectChoice("carrier", _l("承运公司")),
                                             SelectChoice("other", _l("其他合作单位"))], validate_choice=False)
    region_id = SelectField(_l("区域"), coerce=int_or_none, validate_choice=False)
    contact = StringField(_l("联系人"))
    phone = StringField(_l("电话"))
    notes = StringField(_l("备注"))
    active = BooleanField(_l("在用"), default=True)


class QualificationForm(FlaskForm):
    name = StringField(_l("资质名称"))
    number = StringField(_l("证书编号"))
    issuer = StringField(_l("发证机关"))
    expires_on = DateField(_l("有效期至"), validators=[Optional()])
