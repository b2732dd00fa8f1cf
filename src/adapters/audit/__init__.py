"""Tamper evidence: re-check the store's hash chain (`verify`) and print its head (`digest`)."""

from __future__ import annotations

from .proofs import digest
from .verify import Digest, InvalidDigest, Progress, VerifyResult, verify

__all__ = ["Digest", "InvalidDigest", "Progress", "VerifyResult", "digest", "verify"]
