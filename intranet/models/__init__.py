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
from .contract_performance import ContractEvent as ContractEvent
from .contracts import Contract as Contract
from .contracts import ContractChange as ContractChange
from .contracts import ContractLine as ContractLine
from .contracts import PaymentTermRule as PaymentTermRule
from .contracts import Quotation as Quotation
from .contracts import QuotationLine as QuotationLine
from .customers import Certificate as Certificate
from .customers import CertificateCheck as CertificateCheck
from .customers import Contact as Contact
from .customers import Customer as Customer
from .customers import Interaction as Interaction
from .daily import DailyNote as DailyNote
from .daily import DailyReportSend as DailyReportSend
from .daily import DailySheet as DailySheet
from .daily import Subscription as Subscription
from .enquiries import Enquiry as Enquiry
from .expenses import Advance as Advance
from .expenses import AdvanceOffset as AdvanceOffset
from .expenses import ExpenseBudget as ExpenseBudget
from .expenses import ExpenseClaim as ExpenseClaim
from .expenses import ExpenseLine as ExpenseLine
from .expenses import Promotion as Promotion
from .expenses import PromotionLine as PromotionLine
from .expenses import Receipt as Receipt
from .expenses import SpendMonthTotal as SpendMonthTotal
from .imports import ImportBatch as ImportBatch
from .ledger import LedgerEntry as LedgerEntry
from .ledger import PeriodClose as PeriodClose
from .ledger import PettyCashAccount as PettyCashAccount
from .office import ArchiveAccess as ArchiveAccess
from .office import ArchiveFile as ArchiveFile
from .office import ArchiveLoan as ArchiveLoan
from .office import ArchiveScan as ArchiveScan
from .office import Correspondence as Correspondence
from .office import Minutes as Minutes
from .office import Notice as Notice
from .office import NoticeFile as NoticeFile
from .office import NoticeRecipient as NoticeRecipient
from .office import Partner as Partner
from .office import Qualification as Qualification
from .office import Seal as Seal
from .office import SealIncident as SealIncident
from .office import SealUse as SealUse
from .office import Task as Task
from .office import Tender as Tender
from .office import TenderFile as TenderFile
from .office import TenderSearch as TenderSearch
from .orders import Invoice as Invoice
from .orders import InvoiceLine as InvoiceLine
from .orders import InvoiceSummary as InvoiceSummary
from .orders import MasterChange as MasterChange
from .orders import Order as Order
from .orders import OrderLine as OrderLine
from .orders import OrderShortage as OrderShortage
from .orders import PaymentNotice as PaymentNotice
from .orders import ProductMovement as ProductMovement
from .orders import ProductStock as ProductStock
from .orders import ReturnOrderLink as ReturnOrderLink
from .orders import Shipment as Shipment
from .orders import ShipmentLine as ShipmentLine
from .orders import StockCount as StockCount
from .outbox import Email, Todo
from .people import ROLE_RANK, ROLES, Region, Team, User
from .reports import JobRun as JobRun
from .reports import JobSwitch as JobSwitch
from .reports import ReportRun as ReportRun
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
from .targets import SalesForecast as SalesForecast
from .targets import SalesPlan as SalesPlan
from .targets import SalesPlanLine as SalesPlanLine
from .targets import SalesTarget as SalesTarget
from .targets import SalesTargetLine as SalesTargetLine
from .visits import FollowUp as FollowUp
from .visits import PlannedVisit as PlannedVisit
from .visits import VisitPlan as VisitPlan
from .visits import VisitReport as VisitReport

__all__ = [
    "ApprovalDecision", "ApprovalReminder", "ApprovalRequest", "ApprovalRoute", "Delegation", "RouteStep",
    "AuditEntry", "Email", "Product", "ROLES", "ROLE_RANK", "Region", "Setting", "Team", "Todo", "User"]
from .receivables import DunningLine as DunningLine  # noqa: E402
from .receivables import DunningNotice as DunningNotice  # noqa: E402
from .receivables import IncomingPayment as IncomingPayment  # noqa: E402
from .receivables import PaymentAllocation as PaymentAllocation  # noqa: E402
