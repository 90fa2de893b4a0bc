"""Domain errors. Each carries the HTTP status, the snake_case code and the details that
blueprints/errors.py turns into the one JSON error shape of contracts.md (or a flash
message).
"""

from __future__ import annotations

from typing import Any


class DomainError(Exception):
    status = 400
    code = "domain_error"

    def __init__(self, message: str, *, details: dict[str, Any] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.details = details or {}


class NotFound(DomainError):
    """Unknown id — or another merchant's: tenancy hides existence (404, never 403)."""

    status = 404
    code = "not_found"


class ValidationFailed(DomainError):
    """Semantic validation; details = field → list of messages (marshmallow shape)."""

    status = 422
    code = "validation_error"

    def __init__(
        self, errors: dict[str, Any], message: str = "The input is not valid."
    ) -> None:
        super().__init__(message, details=errors)
        self.errors = errors


class Conflict(DomainError):
    status = 409
    code = "conflict"


class DuplicateKey(ValidationFailed):
    """A natural key (sku, merchant code, warehouse code, username) is already taken."""

    def __init__(self, field: str, value: str) -> None:
        super().__init__({field: [f"'{value}' is already in use."]})


class PermissionDenied(DomainError):
    status = 403
    code = "forbidden"


class OutOfStock(Conflict):
    """A reservation or issue asked for more than is available."""

    code = "insufficient_stock"

    def __init__(self, lines: list[dict[str, Any]]) -> None:
        from supplychain.messages import msg

        skus = ", ".join(str(line["sku"]) for line in lines)
        super().__init__(
            msg("Not enough stock for: %(skus)s.", skus=skus), details={"lines": lines}
        )
        self.lines = lines


class OrderCutoffPassed(Conflict):
    code = "cutoff_passed"


class CreditLimitExceeded(Conflict):
    code = "credit_limit_exceeded"


class IdempotencyKeyInUse(Conflict):
    code = "idempotency_key_in_use"


class ImportRejected(ValidationFailed):
    """An import file was refused; details = {"rows": [{"row", "column",
    "message"}]}."""

    def __init__(
        self, problems: list[dict[str, Any]], message: str | None = None
    ) -> None:
        DomainError.__init__(
            self,
            message
            or (
                f"The file was refused: {len(problems)} problem(s); "
                "nothing was imported."
            ),
            details={"rows": problems},
        )
        self.errors = {"rows": problems}
        self.problems = problems
