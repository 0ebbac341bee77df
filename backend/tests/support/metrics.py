"""Prometheus samples as the tests read them from a server's or a worker's /metrics."""

from __future__ import annotations

from prometheus_client.parser import text_string_to_metric_families

# Sample name plus sorted labels, as Prometheus writes them: 'execbox_runs_total{status="success"}'.
Metrics = dict[str, float]


def parse_metrics(text: str) -> Metrics:
    """Every sample of a Prometheus text exposition (raises ValueError when it is not one)."""
    samples: Metrics = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            labels = ",".join(f'{key}="{value}"' for key, value in sorted(sample.labels.items()))
            samples[f"{sample.name}{{{labels}}}" if labels else sample.name] = sample.value
    return samples


def metric_sum(metrics: Metrics, name: str) -> float:
    """The sum of the samples called `name` over all their labels."""
    return sum(value for key, value in metrics.items() if key == name or key.startswith(name + "{"))
