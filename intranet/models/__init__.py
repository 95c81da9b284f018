"""All models, imported here so that metadata (and Alembic) sees every table."""

from .approvals import (
    ApprovalDecision,
    ApprovalReminder,
    ApprovalRequest,
    ApprovalRoute,
    Delegation,
    RouteStep,
)
from .attendance import AttendanceCorrection as AttendanceCorrection
from .attendance import AttendanceMonth as AttendanceMonth
from .attendance import AttendanceRecord as AttendanceRecord
from .attendance import CalendarOverride as CalendarOverride
from .attendance import LeaveQuota as LeaveQuota
from .attendance import LeaveRequest as LeaveRequest
from .attendance import MorningMeeting as MorningMeeting
from .attendance import Trip as Trip
from .attendance import TripLink as TripLink
from .attendance import Violation as Violation
from .audit import AuditEntry
from .catalog import Product
from .customers import Certificate as Certificate
from .customers import Contact as Contact
from .customers import Customer as Customer
from .customers import Interaction as Interaction
from .enquiries import Enquiry as Enquiry
from .expenses import Advance as Advance
from .expenses import AdvanceOffset as AdvanceOffset
from .expenses import ExpenseClaim as ExpenseClaim
from .expenses import ExpenseLine as ExpenseLine
from .expenses import Promotion as Promotion
from .expenses import PromotionLine as PromotionLine
from .expenses import Receipt as Receipt
from .ledger import LedgerEntry as LedgerEntry
from .ledger import PeriodClose as PeriodClose
from .ledger import PettyCashAccount as PettyCashAccount
from .outbox import Email, Todo
from .people import ROLE_RANK, ROLES, Region, Team, User
from .returns import QualityComplaint as QualityComplaint
from .returns import ReturnAttachment as ReturnAttachment
from .returns import ReturnEvent as ReturnEvent
from .returns import ReturnLine as ReturnLine
from .returns import ReturnRequest as ReturnRequest
from .samples import Mailing as Mailing
from .samples import SampleItem as SampleItem
from .samples import SampleRequest as SampleRequest
from .samples import SampleRequestLine as SampleRequestLine
from .samples import Shortage as Shortage
from .samples import StockDoc as StockDoc
from .samples import StockDocLine as StockDocLine
from .samples import StockMovement as StockMovement
from .settings import Setting
from .visits import FollowUp as FollowUp
from .visits import PlannedVisit as PlannedVisit
from .visits import VisitPlan as VisitPlan
from .visits import VisitReport as VisitReport

__all__ = [
    "ApprovalDecision", "ApprovalReminder", "ApprovalRequest", "ApprovalRoute", "Delegation", "RouteStep",
    "AuditEntry", "Email", "Product", "ROLES", "ROLE_RANK", "Region", "Setting", "Team", "Todo", "User"]
