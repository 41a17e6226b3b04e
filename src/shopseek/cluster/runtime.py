"""Ray start-up in one place: the optional import with a clear message, and joining or starting a cluster."""

from __future__ import annotations

from typing import Any


def ray_module() -> Any:
    """The `ray` module, or an ImportError that names the extra to install."""
    try:
        import ray
    except ImportError as exc:
        raise ImportError("running on Ray needs the 'ray' extra: pip install 'shopseek[ray]'") from exc
    return ray


def connect(address: str, workers: int) -> Any:
    """Join a Ray cluster (`auto` or `ray://...`), or start a local one with `local`; returns the `ray` module."""
    ray = ray_module()
    if not ray.is_initialized():
        if address == "local":
            ray.init(num_cpus=max(workers, 1), include_dashboard=False, log_to_driver=False)
        else:
            ray.init(address=address, log_to_driver=False)
    return ray
