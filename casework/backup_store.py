"""Backups shipped to an S3-compatible object store, and fetched back for a restore (issue 11).

`casework backup` (after its base backup) and `casework backup --ship` (from cron, every few minutes) copy into the
store every base backup, archived write-ahead log segment and document copy of `<backups>` (casework.backup) that the
store does not hold yet:
- a base backup as one gzipped tar, `<prefix>/base/<name>.tar.gz`, made the same byte for byte every time (sorted
  members, no timestamps in the gzip header), then its description `<prefix>/base/<name>.json`, which marks it
  complete; a WAL segment as archived, `<prefix>/wal/<segment>.gz`; a document as copied,
  `<prefix>/documents/<storage name>`;
- each object carries its size and SHA-256 in its metadata (`x-amz-meta-sha256`, `x-amz-meta-size`) and S3's own
  SHA-256 checksum of the upload; it is read back (HEAD) and checked after the upload;
- an object already there is never overwritten: one of the same size is taken as shipped, one of another size is a
  problem named in the output (exit status 1), left as it is;
- with `CASEWORK_BACKUP_S3_LOCK_MODE` (GOVERNANCE or COMPLIANCE) and `CASEWORK_BACKUP_S3_LOCK_DAYS`, each object is
  written under object lock, retained for that many days (the bucket must have object lock switched on).

`casework restore --to MOMENT --into DIR` fetches what the local `<backups>` lacks: the base backup it needs (its tar
unpacked into `<backups>/base/`), every WAL segment from that backup on, and the document files the restored database
names; each file's SHA-256 is checked against the object's metadata before it is used.

Configured from the environment: `CASEWORK_BACKUP_S3_BUCKET` (switches it on), `CASEWORK_BACKUP_S3_PREFIX` (default
"casework"), `CASEWORK_BACKUP_S3_ENDPOINT` (a non-AWS store: MinIO, Ceph, a cloud's S3 endpoint),
`CASEWORK_BACKUP_S3_REGION`, and the credentials: `CASEWORK_BACKUP_S3_ACCESS_KEY_ID` and
`CASEWORK_BACKUP_S3_SECRET_ACCESS_KEY`, or boto3's own chain (AWS_ACCESS_KEY_ID..., a profile, an instance role).
Every refusal (no such bucket, credentials refused, the store cannot be reached) is said in plain words
(casework.backup.BackupError).
"""

from __future__ import annotations

import base64
import datetime as dt
import gzip
import hashlib
import json
import os
import shutil
import tarfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

CHUNK = 1024 * 1024
LOCK_MODES = ("GOVERNANCE", "COMPLIANCE")


class StoreError(Exception):
    """A problem with the object store, in plain words (casework.backup turns it into a BackupError)."""


@dataclass(frozen=True)
class StoreConfig:
    bucket: str
    prefix: str = "casework"
    endpoint_url: str | None = None
    region: str | None = None
    access_key_id: str | None = None
    secret_access_key: str | None = None
    lock_mode: str | None = None
    lock_days: int | None = None

    @property
    def where(self) -> str:
        place = f"s3://{self.bucket}/{self.prefix}"
        return f"{place} at {self.endpoint_url}" if self.endpoint_url else place


def configured(environ: dict[str, str] | None = None) -> StoreConfig | None:
    """The object store the environment configures, or None (no CASEWORK_BACKUP_S3_BUCKET). Raises StoreError for a
    setting that cannot be right."""
    env = os.environ if environ is None else environ
    bucket = env.get("CASEWORK_BACKUP_S3_BUCKET", "").strip()
    if not bucket:
        return None
    mode = env.get("CASEWORK_BACKUP_S3_LOCK_MODE", "").strip().upper() or None
    days_text = env.get("CASEWORK_BACKUP_S3_LOCK_DAYS", "").strip()
    if mode is not None and mode not in LOCK_MODES:
        raise StoreError(f'CASEWORK_BACKUP_S3_LOCK_MODE is "{mode}": it must be GOVERNANCE or COMPLIANCE.')
    if days_text and not (days_text.isdigit() and int(days_text) > 0):
        raise StoreError(
            f'CASEWORK_BACKUP_S3_LOCK_DAYS is "{days_text}": it must be a whole number of days, 1 or more.'
        )
    if bool(mode) != bool(days_text):
        raise StoreError("Object lock needs both CASEWORK_BACKUP_S3_LOCK_MODE and CASEWORK_BACKUP_S3_LOCK_DAYS.")
    key_id = env.get("CASEWORK_BACKUP_S3_ACCESS_KEY_ID", "").strip() or None
    secret = env.get("CASEWORK_BACKUP_S3_SECRET_ACCESS_KEY", "").strip() or None
    if bool(key_id) != bool(secret):
        raise StoreError(
            "Give both CASEWORK_BACKUP_S3_ACCESS_KEY_ID and CASEWORK_BACKUP_S3_SECRET_ACCESS_KEY, or neither "
            "(boto3's own credentials are used then)."
        )
    return StoreConfig(
        bucket=bucket,
        prefix=env.get("CASEWORK_BACKUP_S3_PREFIX", "casework").strip().strip("/") or "casework",
        endpoint_url=env.get("CASEWORK_BACKUP_S3_ENDPOINT", "").strip() or None,
        region=env.get("CASEWORK_BACKUP_S3_REGION", "").strip() or None,
        access_key_id=key_id,
        secret_access_key=secret,
        lock_mode=mode,
        lock_days=int(days_text) if days_text else None,
    )


def sha256_path(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while block := handle.read(CHUNK):
            digest.update(block)
    return digest.hexdigest()


@dataclass
class Shipped:
    uploaded: dict[str, int] = field(default_factory=lambda: {"base": 0, "wal": 0, "documents": 0})
    size: int = 0
    already: int = 0
    problems: list[str] = field(default_factory=list)


class Store:
    """The configured bucket and prefix, through boto3, every failure said in plain words."""

    def __init__(self, config: StoreConfig) -> None:
        import boto3
        from botocore.config import Config

        self.config = config
        session = boto3.session.Session(
            aws_access_key_id=config.access_key_id,
            aws_secret_access_key=config.secret_access_key,
            region_name=config.region,
        )
        self.client = session.client(
            "s3",
            endpoint_url=config.endpoint_url,
            config=Config(retries={"max_attempts": 3, "mode": "standard"}, connect_timeout=10, read_timeout=60),
        )

    # -- plain words for what went wrong ---------------------------------------------------------------------------

    def _words(self, error: Exception, doing: str) -> StoreError:
        from botocore.exceptions import (
            ClientError,
            EndpointConnectionError,
            NoCredentialsError,
            PartialCredentialsError,
        )

        where = self.config.where
        if isinstance(error, NoCredentialsError | PartialCredentialsError):
            return StoreError(
                f"No credentials for the object store {where}: set CASEWORK_BACKUP_S3_ACCESS_KEY_ID and "
                "CASEWORK_BACKUP_S3_SECRET_ACCESS_KEY (or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY)."
            )
        if isinstance(error, EndpointConnectionError):
            return StoreError(f"Cannot reach the object store {where} while {doing}: check the address and network.")
        if isinstance(error, ClientError):
            code = str(error.response.get("Error", {}).get("Code", ""))
            status = error.response.get("ResponseMetadata", {}).get("HTTPStatusCode")
            if code in ("NoSuchBucket", "404", "NotFound") and doing == "checking the bucket":
                return StoreError(
                    f"The bucket {self.config.bucket} does not exist in the object store"
                    f"{' at ' + self.config.endpoint_url if self.config.endpoint_url else ''}: create it (with "
                    "versioning and object lock) or correct CASEWORK_BACKUP_S3_BUCKET."
                )
            if code in ("InvalidAccessKeyId", "SignatureDoesNotMatch", "AuthorizationHeaderMalformed") or (
                status == 403 and code in ("403", "Forbidden")
            ):
                return StoreError(
                    f"The object store {where} refused the credentials (the access key is unknown or the secret is "
                    "wrong): check CASEWORK_BACKUP_S3_ACCESS_KEY_ID and CASEWORK_BACKUP_S3_SECRET_ACCESS_KEY."
                )
            if code == "AccessDenied" or status == 403:
                return StoreError(
                    f"The object store {where} refused access while {doing}: the credentials may not read, list or "
                    "write that bucket."
                )
            if code in ("InvalidRequest", "InvalidArgument") and "lock" in str(error).lower():
                return StoreError(
                    f"The object store {where} refused object lock while {doing}: switch object lock on for the "
                    "bucket, or unset CASEWORK_BACKUP_S3_LOCK_MODE and CASEWORK_BACKUP_S3_LOCK_DAYS."
                )
            message = error.response.get("Error", {}).get("Message") or code
            return StoreError(f"The object store {where} answered “{message}” while {doing}.")
        return StoreError(f"The object store {where} failed while {doing}: {error}")

    def _call(self, doing: str, fn: Callable[..., Any], **kwargs: Any) -> Any:
        from botocore.exceptions import BotoCoreError, ClientError

        try:
            return fn(**kwargs)
        except (BotoCoreError, ClientError) as e:
            raise self._words(e, doing) from e

    def key(self, *parts: str) -> str:
        return "/".join([self.config.prefix, *parts])

    # -- the bucket as a whole -------------------------------------------------------------------------------------

    def check(self) -> None:
        self._call("checking the bucket", self.client.head_bucket, Bucket=self.config.bucket)

    def listing(self, folder: str) -> dict[str, int]:
        """{key below the prefix's folder: size} for every object under `<prefix>/<folder>/`."""
        found: dict[str, int] = {}
        start = self.key(folder) + "/"
        token: str | None = None
        while True:
            kwargs: dict[str, Any] = {"Bucket": self.config.bucket, "Prefix": start}
            if token:
                kwargs["ContinuationToken"] = token
            page = self._call("listing what it holds", self.client.list_objects_v2, **kwargs)
            for item in page.get("Contents", []):
                found[item["Key"][len(start) :]] = int(item["Size"])
            if not page.get("IsTruncated"):
                return found
            token = page.get("NextContinuationToken")

    # -- one object ------------------------------------------------------------------------------------------------

    def put(self, key: str, path: Path) -> int:
        """Upload `path` as `key` (which the caller found absent), with its size and SHA-256 in the metadata and S3's
        checksum, under object lock when configured; read back and checked. Returns the size."""
        sha = hashlib.sha256()
        size = 0
        with path.open("rb") as handle:
            while block := handle.read(CHUNK):
                sha.update(block)
                size += len(block)
        extra: dict[str, Any] = {}
        if self.config.lock_mode and self.config.lock_days:
            extra["ObjectLockMode"] = self.config.lock_mode
            extra["ObjectLockRetainUntilDate"] = dt.datetime.now(dt.UTC) + dt.timedelta(days=self.config.lock_days)
        with path.open("rb") as body:
            self._call(
                f"storing {key}",
                self.client.put_object,
                Bucket=self.config.bucket,
                Key=key,
                Body=body,
                ContentLength=size,
                ChecksumAlgorithm="SHA256",
                ChecksumSHA256=base64.b64encode(sha.digest()).decode(),
                Metadata={"sha256": sha.hexdigest(), "size": str(size)},
                **extra,
            )
        head = self._call(f"checking {key}", self.client.head_object, Bucket=self.config.bucket, Key=key)
        meta = head.get("Metadata", {})
        if int(head.get("ContentLength", -1)) != size or meta.get("sha256") != sha.hexdigest():
            raise StoreError(f"The object store holds {key} with another size or SHA-256 than was sent.")
        return size

    def read_json(self, key: str) -> Any:
        obj = self._call(f"reading {key}", self.client.get_object, Bucket=self.config.bucket, Key=key)
        return json.loads(obj["Body"].read())

    def get(self, key: str, target: Path) -> None:
        """Download `key` into `target` (whole or absent), its SHA-256 checked against the object's metadata."""
        obj = self._call(f"fetching {key}", self.client.get_object, Bucket=self.config.bucket, Key=key)
        expected = obj.get("Metadata", {}).get("sha256", "")
        target.parent.mkdir(parents=True, exist_ok=True)
        part = target.with_name(target.name + ".part")
        digest = hashlib.sha256()
        with part.open("wb") as handle:
            for block in obj["Body"].iter_chunks(CHUNK):
                digest.update(block)
                handle.write(block)
            handle.flush()
            os.fsync(handle.fileno())
        if not expected or digest.hexdigest() != expected:
            part.unlink(missing_ok=True)
            raise StoreError(
                f"{key} in the object store does not match the SHA-256 it was stored with"
                + ("" if expected else " (it has none)")
                + ": it was not used."
            )
        part.rename(target)


# ---------------------------------------------------------------------------------------------------------------
# Shipping


def _tar_base(folder: Path, target: Path) -> None:
    """The base backup `folder` as one gzipped tar, the same bytes every time it is made from the same files."""
    with (
        target.open("wb") as raw,
        gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=0, compresslevel=6) as gz,
        tarfile.open(fileobj=gz, mode="w", format=tarfile.PAX_FORMAT) as tar,
    ):
        for path in sorted(folder.rglob("*")):
            info = tar.gettarinfo(str(path), arcname=str(path.relative_to(folder)))
            info.uid = info.gid = 0
            info.uname = info.gname = ""
            if path.is_file():
                with path.open("rb") as handle:
                    tar.addfile(info, handle)
            else:
                tar.addfile(info)


def _local_files(folder: Path) -> Iterator[Path]:
    if folder.is_dir():
        yield from sorted(p for p in folder.rglob("*") if p.is_file() and not p.name.endswith(".part"))


def ship(store: Store, root: Path, out: Callable[[str], None]) -> Shipped:
    """Copy into the store what `root` (the backups folder) holds and the store does not (see the module's
    docstring). Problems (an object of another size already there) are listed in the result, never overwritten."""
    store.check()
    shipped = Shipped()

    def send(key_parts: tuple[str, ...], path: Path, held: dict[str, int], kind: str) -> None:
        relative = "/".join(key_parts[1:])
        size = path.stat().st_size
        if relative in held:
            if kind != "base" and held[relative] != size:
                shipped.problems.append(
                    f"{store.key(*key_parts)} is already in the store with {held[relative]} bytes, not {size}: "
                    "it was left as it is"
                )
            else:
                shipped.already += 1
            return
        shipped.size += store.put(store.key(*key_parts), path)
        shipped.uploaded[kind] += 1

    base_held = store.listing("base")
    from casework.backup import base_backups

    for backup in base_backups(root):
        if f"{backup.name}.json" in base_held:
            shipped.already += 1
            continue
        scratch = root / "ship"
        scratch.mkdir(exist_ok=True)
        tarball = scratch / f"{backup.name}.tar.gz"
        try:
            out(f"Packing base backup {backup.name} for the object store…")
            _tar_base(backup.path, tarball)
            if f"{backup.name}.tar.gz" in base_held:
                # An earlier run stopped between the two objects: the same files make the same tar.
                size = tarball.stat().st_size
                if base_held[f"{backup.name}.tar.gz"] != size:
                    shipped.problems.append(
                        f"{store.key('base', backup.name + '.tar.gz')} is in the store with another size: it was "
                        "left as it is and the backup's description not shipped"
                    )
                    continue
            else:
                shipped.size += store.put(store.key("base", f"{backup.name}.tar.gz"), tarball)
            shipped.size += store.put(store.key("base", f"{backup.name}.json"), root / "base" / f"{backup.name}.json")
            shipped.uploaded["base"] += 1
        finally:
            tarball.unlink(missing_ok=True)
            shutil.rmtree(scratch, ignore_errors=True)

    wal_held = store.listing("wal")
    for path in _local_files(root / "wal"):
        send(("wal", path.name), path, wal_held, "wal")
    documents_held = store.listing("documents")
    for path in _local_files(root / "documents"):
        send(("documents", *path.relative_to(root / "documents").parts), path, documents_held, "documents")
    return shipped


def say_shipped(store: Store, shipped: Shipped, say_size: Callable[[float], str]) -> str:
    u = shipped.uploaded
    return (
        f"Object store {store.config.where}: shipped {u['base']} base backup{'s' if u['base'] != 1 else ''}, "
        f"{u['wal']} write-ahead log file{'s' if u['wal'] != 1 else ''} and {u['documents']} document "
        f"file{'s' if u['documents'] != 1 else ''} ({say_size(shipped.size)}), each checked by SHA-256; "
        f"{shipped.already} already there."
    )


# ---------------------------------------------------------------------------------------------------------------
# Fetching for a restore


@dataclass(frozen=True)
class RemoteBackup:
    name: str
    finished: dt.datetime
    description: dict[str, Any]


def remote_backups(store: Store) -> list[RemoteBackup]:
    """The complete base backups in the store (those with a description), oldest first."""
    store.check()
    held = store.listing("base")
    found = []
    for key in sorted(k for k in held if k.endswith(".json")):
        name = key[: -len(".json")]
        if f"{name}.tar.gz" not in held:
            continue
        info = store.read_json(store.key("base", key))
        found.append(RemoteBackup(name, dt.datetime.fromisoformat(info["finished"]), info))
    return sorted(found, key=lambda b: b.finished)


def fetch_base(store: Store, backup: RemoteBackup, root: Path, out: Callable[[str], None]) -> None:
    """Put the store's base backup into `root/base/<name>/` with its description (the description last)."""
    base = root / "base"
    base.mkdir(parents=True, exist_ok=True)
    tarball = base / f"{backup.name}.tar.gz"
    out(f"Fetching base backup {backup.name} from the object store {store.config.where}…")
    store.get(store.key("base", f"{backup.name}.tar.gz"), tarball)
    partial = base / f"{backup.name}.fetching"
    shutil.rmtree(partial, ignore_errors=True)
    try:
        with tarfile.open(tarball, mode="r:gz") as tar:
            tar.extractall(partial, filter="data")
        partial.rename(base / backup.name)
    finally:
        tarball.unlink(missing_ok=True)
        shutil.rmtree(partial, ignore_errors=True)
    store.get(store.key("base", f"{backup.name}.json"), base / f"{backup.name}.json")


def fetch_wal(store: Store, root: Path, since: str, out: Callable[[str], None]) -> int:
    """Fetch the store's WAL segments from `since` on (and any timeline history files) that `root/wal` lacks."""
    wal = root / "wal"
    wal.mkdir(parents=True, exist_ok=True)
    wanted = [
        name
        for name in sorted(store.listing("wal"))
        if not (wal / name).exists() and (name.endswith(".history.gz") or name[8:24] >= since[8:24])
    ]
    for name in wanted:
        store.get(store.key("wal", name), wal / name)
    if wanted:
        out(f"Fetched {len(wanted)} write-ahead log files from the object store.")
    return len(wanted)


def fetch_document(store: Store, name: str, target: Path) -> bool:
    """Fetch one document file (its storage name) into `target`; False when the store does not hold it."""
    from botocore.exceptions import ClientError

    try:
        store.client.head_object(Bucket=store.config.bucket, Key=store.key("documents", name))
    except ClientError:
        return False
    store.get(store.key("documents", name), target)
    return True
