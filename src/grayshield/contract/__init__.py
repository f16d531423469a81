"""The data contract: every input table a card issuer feeds in, and the ground truth of simulated worlds."""

from grayshield.contract.model import Column, DType, Sensitivity, Table
from grayshield.contract.tables import TABLES
from grayshield.contract.truth import TRUTH_TABLES

__all__ = ["TABLES", "TRUTH_TABLES", "Column", "DType", "Sensitivity", "Table", "get_table"]


def get_table(name: str) -> Table:
    """The contract table called ``name``; an unknown name is a clear error."""
    from grayshield.core.errors import ContractError

    try:
        return TABLES[name]
    except KeyError:
        raise ContractError(f"unknown table {name!r}; the contract has: {', '.join(TABLES)}") from None
