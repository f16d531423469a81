"""Front-end strategies: analyst-editable, versioned rules that turn warnings into actions, with backtests
(``grayshield.strategies.backtest``, which needs pandas, is imported on its own)."""

from grayshield.strategies.repository import PublishedStrategy, StrategyRepository
from grayshield.strategies.rules import Action, Rule, RuleSet, default_rule_text, parse_rule_set

__all__ = [
    "Action",
    "PublishedStrategy",
    "Rule",
    "RuleSet",
    "StrategyRepository",
    "default_rule_text",
    "parse_rule_set",
]
