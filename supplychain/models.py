"""Every feature's models, imported in one place so the metadata (and Alembic) sees all
tables."""

from supplychain.audit.models import AuditLog  # noqa: F401
from supplychain.auth.models import ApiToken, User  # noqa: F401
from supplychain.catalog.models import *  # noqa: F401,F403
from supplychain.delivery.models import Vehicle  # noqa: F401
from supplychain.jobs.models import JobRun  # noqa: F401
from supplychain.merchants.models import *  # noqa: F401,F403
from supplychain.numbering import DocumentCounter  # noqa: F401
from supplychain.stock.models import *  # noqa: F401,F403
from supplychain.orders.models import *  # noqa: F401,F403
