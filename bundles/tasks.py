"""The bundles' background task, run by `casework worker` (django-tasks' database backend): building a bundle that
is too big to build in the request that asked for it (bundles.building)."""

from __future__ import annotations

from django_tasks import task

from . import building


@task()
def build_bundle(bundle_id: int) -> str:
    return building.bundle_build(bundle_id).status
