"""Typed keys (csewatch.keys): format and parse round trips, ids that contain ':', refusals."""

from __future__ import annotations

import pytest

from csewatch.keys import (
    CaseKey,
    EntityKey,
    account_case_id,
    case_id,
    entity_key,
    parse_case_id,
    parse_entity_key,
    platform_of,
)
from csewatch.triage import case_id as triage_case_id


def test_entity_keys_round_trip_and_keep_colons_in_ids():
    assert entity_key("native", "u1") == "native:u1"
    assert parse_entity_key("native:u1") == EntityKey("native", "u1")
    assert parse_entity_key("mastodon:https://example.invalid/users/x:1") == ("mastodon", "https://example.invalid/users/x:1")
    assert str(EntityKey("bsky", "did:plc:abc")) == "bsky:did:plc:abc"
    assert parse_entity_key(str(EntityKey("bsky", "did:plc:abc"))).id == "did:plc:abc"
    assert platform_of("bsky:did:plc:abc") == "bsky"


def test_case_ids_round_trip_and_match_triage():
    cid = case_id("native", "account", "u:7")
    assert cid == "native:account:u:7" == triage_case_id("native", "account", "u:7")
    assert parse_case_id(cid) == CaseKey("native", "account", "u:7")
    assert str(parse_case_id(cid)) == cid
    assert account_case_id("native:u9") == "native:account:u9"
    assert parse_case_id("native:cluster:") == CaseKey("native", "cluster", "")


@pytest.mark.parametrize("bad", ["native", ""])
def test_entity_key_without_separator_is_refused(bad):
    with pytest.raises(ValueError, match="platform:id"):
        parse_entity_key(bad)


@pytest.mark.parametrize("bad", ["native", "native:account", ""])
def test_case_id_without_two_separators_is_refused(bad):
    with pytest.raises(ValueError, match="case id"):
        parse_case_id(bad)


def test_separator_in_platform_or_subject_type_is_refused():
    with pytest.raises(ValueError):
        entity_key("a:b", "1")
    with pytest.raises(ValueError):
        case_id("native", "acc:ount", "1")
