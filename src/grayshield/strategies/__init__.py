"""Front-end strategies: analyst-editable, versioned rules that turn warnings into actions, with backtests."""

from grayshield.strategies.backtest import backtest
from grayshield.strategies.repository import PublishedStrategy, StrategyRepository
from grayshield.strategies.rules import Action, Rule, RuleSet, default_rule_text, parse_rule_set

__all__ = [
    "Action",
    "PublishedStrategy",
    "Rule",
    "RuleSet",
    "StrategyRepository",
    "backtest",
    "default_rule_text",
    "parse_rule_set",
]
