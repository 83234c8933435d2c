"""Campaigns: the escalation ladder run over a portfolio, once a day.

- :mod:`~notifysdk.campaign.ladder`: the ladder (TOML) — stages by days overdue, media,
  failover, per-profile overrides.
- :mod:`~notifysdk.campaign.portfolio`: CSV/JSONL portfolios streamed and validated row
  by row.
- :mod:`~notifysdk.campaign.planner`: the stages due today and their idempotency keys
  (account, stage, local date, medium, recipient).
- :mod:`~notifysdk.campaign.runner`: sending through a dispatcher with bounded
  concurrency; :mod:`~notifysdk.campaign.summary`: what happened, as counters.
- :mod:`~notifysdk.campaign.sources`: data the portfolio cannot give (a booked visit),
  supplied by registered rules.
"""

from .ladder import Ladder, ProfileOverride, Stage, default_ladder, load_ladder, parse_ladder, route
from .planner import PlannedStage, Planner, campaign_key
from .portfolio import CSV_COLUMNS, BadRow, PortfolioRow, Row, read_portfolio
from .runner import CampaignRunner, run_campaign
from .sources import NoticeDataSource, data_sources
from .summary import Summary

__all__ = [
    "CSV_COLUMNS",
    "BadRow",
    "CampaignRunner",
    "Ladder",
    "NoticeDataSource",
    "PlannedStage",
    "Planner",
    "PortfolioRow",
    "ProfileOverride",
    "Row",
    "Stage",
    "Summary",
    "campaign_key",
    "data_sources",
    "default_ladder",
    "load_ladder",
    "parse_ladder",
    "read_portfolio",
    "route",
    "run_campaign",
]
