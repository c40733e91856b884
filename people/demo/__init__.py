"""A generated, believable English local authority for demos, tests and benchmarks (`casework seed`)."""

from .generator import SIZES, SeedResult, generate, plan_digest

__all__ = ["SIZES", "SeedResult", "generate", "plan_digest"]
