"""Tamper evidence: re-check the store's hash chain (`verify`) and print its head (`digest`)."""

from __future__ import annotations

from .verify import Digest, InvalidDigest, Progress, VerifyResult, digest, verify

__all__ = ["Digest", "InvalidDigest", "Progress", "VerifyResult", "digest", "verify"]
