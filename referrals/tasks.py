"""Referral files uploaded on the web are imported in the background, through Django's tasks
framework (django-tasks; `manage.py db_worker` runs the database backend's queue), so that no
request waits for a large file. The upload is checked quickly (its type, its size, a workbook's
parts, the column names), kept in a ReferralImportJob, and queued; the job's page shows the
progress and then the outcome."""

import io
import logging
import time
from datetime import timedelta

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django_tasks import task

from rjportal.imports import ImportRejected, RowError
from rjportal.organisations.models import Organisation

from .importing import check_actor, referral_file_check, referral_import
from .models import ReferralImportJob

logger = logging.getLogger(__name__)

PROGRESS_EVERY_SECONDS = 1.0  # the job row is updated at most this often while a file is checked
# Far longer than any import takes (the largest file allowed is checked and saved in about a
# minute): a job still running after this was left by a worker that stopped part way.
STALE_AFTER = timedelta(hours=1)
Status = ReferralImportJob.Status


def referral_import_job_create(*, actor, provider: Organisation, upload) -> ReferralImportJob:
    """Check `upload` quickly and queue its import. A file that fails the quick checks gives a
    job that is already rejected, with its problems, and is not kept."""
    check_actor(actor, provider)
    filename = getattr(upload, "name", "") or "upload"
    try:
        referral_file_check(source=upload, filename=filename)
    except ImportRejected as rejected:
        return ReferralImportJob.objects.create(
            provider=provider,
            uploaded_by=actor,
            filename=filename[:255],
            size=getattr(upload, "size", 0) or 0,
            status=Status.REJECTED,
            errors=_stored(rejected.errors),
            finished_at=timezone.now(),
        )
    upload.seek(0)
    content = upload.read()
    with transaction.atomic():
        job = ReferralImportJob.objects.create(
            provider=provider, uploaded_by=actor, filename=filename[:255], size=len(content), content=content
        )
        transaction.on_commit(lambda: run_referral_import.enqueue(job.pk))
    return job


def referral_import_jobs_fail_stale(*, now=None) -> int:
    """Mark as failed, and drop the files of, the jobs that a worker stopped part way through (a
    restart, a crash) left running: their import's transaction ended with the worker, so nothing
    of them was saved, but their pages would say "checking" for ever. Returns how many."""
    now = now or timezone.now()
    stale = ReferralImportJob.objects.filter(status=Status.RUNNING, started_at__lt=now - STALE_AFTER)
    ids = list(stale.values_list("pk", flat=True))
    if not ids:
        return 0
    # Only those still running: one that finished meanwhile keeps its outcome.
    failed = ReferralImportJob.objects.filter(pk__in=ids, status=Status.RUNNING).update(
        status=Status.FAILED, finished_at=now, content=b"", phase=""
    )
    logger.warning("Referral import jobs %s were left running by a stopped worker: marked failed", ids)
    return failed


@task()
def run_referral_import(job_id: int) -> str:
    """Import a queued job's file, keeping its progress and outcome on the job. Returns the
    job's final status. Jobs left running by a worker that stopped are marked failed first."""
    referral_import_jobs_fail_stale()
    claimed = ReferralImportJob.objects.filter(pk=job_id, status=Status.QUEUED).update(
        status=Status.RUNNING, started_at=timezone.now()
    )
    if not claimed:  # already run, or taken by another worker
        return "skipped"
    job = ReferralImportJob.objects.select_related("provider", "uploaded_by").get(pk=job_id)
    content = bytes(job.content)
    if job.uploaded_by is None:
        _finish(job_id, Status.REJECTED, errors=[RowError(None, "", "The person who uploaded this file has left.")])
        return Status.REJECTED
    try:
        result = referral_import(
            actor=job.uploaded_by,
            provider=job.provider,
            source=io.BytesIO(content),
            filename=job.filename,
            progress=_Progress(job_id),
            import_job=job,
        )
    except ImportRejected as rejected:
        _finish(job_id, Status.REJECTED, errors=rejected.errors)
        return Status.REJECTED
    except PermissionDenied:
        message = "You can no longer import this provider's referrals."
        _finish(job_id, Status.REJECTED, errors=[RowError(None, "", message)])
        return Status.REJECTED
    except Exception:
        logger.exception("Referral import job %s stopped", job_id)
        _finish(job_id, Status.FAILED)
        raise
    _finish(
        job_id,
        Status.DONE,
        created=result.created,
        updated=result.updated,
        unchanged=result.unchanged,
        moved=result.moved,
        rows_done=result.total,
        rows_total=result.total,
    )
    return Status.DONE


class _Progress:
    """The import's progress callback: notes the phase and the rows done on the job, at most
    once a second (and at every change of phase)."""

    def __init__(self, job_id: int):
        self.job_id = job_id
        self.last = 0.0
        self.phase = ""

    def __call__(self, phase: str, done: int, total: int | None) -> None:
        now = time.monotonic()
        if phase == self.phase and now - self.last < PROGRESS_EVERY_SECONDS:
            return
        self.phase, self.last = phase, now
        ReferralImportJob.objects.filter(pk=self.job_id).update(phase=phase, rows_done=done, rows_total=total)


def _finish(job_id: int, status: str, *, errors: list[RowError] = (), **counts) -> None:
    ReferralImportJob.objects.filter(pk=job_id).update(
        status=status, errors=_stored(errors), finished_at=timezone.now(), content=b"", phase="", **counts
    )


def _stored(errors) -> list[list]:
    return [[error.row, error.column, error.message] for error in errors]
