"""Typed keys: the one place that formats and parses the string keys csewatch stores and passes
around. An entity key is ``platform:id`` (an account or a post: ``native:u123``); a case id is
``platform:subject_type:subject_id`` (``native:account:u123``, ``native:cluster:c9``). Platforms and
subject types never contain ':'; ids may (everything after the separator belongs to the id)."""

from __future__ import annotations

from typing import NamedTuple

SEP = ":"


class EntityKey(NamedTuple):
    platform: str
    id: str

    def __str__(self) -> str:
        return f"{self.platform}{SEP}{self.id}"


class CaseKey(NamedTuple):
    platform: str
    subject_type: str
    subject_id: str

    def __str__(self) -> str:
        return f"{self.platform}{SEP}{self.subject_type}{SEP}{self.subject_id}"


def entity_key(platform: str, id_: str) -> str:
    """``platform:id`` of an account or a post."""
    if SEP in platform:
        raise ValueError(f"a platform name cannot contain {SEP!r}: {platform!r}")
    return f"{platform}{SEP}{id_}"


def parse_entity_key(key: str) -> EntityKey:
    """(platform, id) of ``platform:id``; the id keeps any further ':'. A key without ':' is refused."""
    platform, sep, id_ = key.partition(SEP)
    if not sep:
        raise ValueError(f"not a platform:id key: {key!r}")
    return EntityKey(platform, id_)


def platform_of(key: str) -> str:
    """The platform of an entity key or a case id."""
    return key.partition(SEP)[0]


def case_id(platform: str, subject_type: str, subject_id: str) -> str:
    """``platform:subject_type:subject_id``: the id of the case about one subject."""
    if SEP in platform or SEP in subject_type:
        raise ValueError(f"platform and subject type cannot contain {SEP!r}: {platform!r}, {subject_type!r}")
    return f"{platform}{SEP}{subject_type}{SEP}{subject_id}"


def parse_case_id(cid: str) -> CaseKey:
    """(platform, subject type, subject id) of a case id; the subject id keeps any further ':'.
    An id with fewer than two separators is refused."""
    platform, sep1, rest = cid.partition(SEP)
    subject_type, sep2, subject_id = rest.partition(SEP)
    if not (sep1 and sep2):
        raise ValueError(f"not a platform:subject_type:subject_id case id: {cid!r}")
    return CaseKey(platform, subject_type, subject_id)


def account_case_id(account_key: str) -> str:
    """The account case id of an entity key ``platform:id``."""
    k = parse_entity_key(account_key)
    return case_id(k.platform, "account", k.id)
