"""The shape of quizkit optimize --json: the fit's figures before and after, out of sample."""

from __future__ import annotations

from typing import TypedDict


class MetricsJSON(TypedDict):
    log_loss: float
    rmse_bins: float
    auc: float


class OptimizeJSON(TypedDict):
    n_reviews: int
    n_test: int
    before: MetricsJSON
    after: MetricsJSON
    parameters: list[float]
