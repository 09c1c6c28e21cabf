import shutil

import pytest

from csewatch.policy import PolicyError, load_policy


def test_default_pack_is_valid(policy):
    assert policy.pack.name == "csewatch-default"
    assert policy.version.startswith("csewatch-default@")
    assert len(policy.term_entries()) > 100


def _copy(tmp_path):
    from csewatch.policy import DEFAULT_DIR

    d = tmp_path / "pack"
    shutil.copytree(DEFAULT_DIR, d)
    return d


def test_unknown_indicator_in_a_rule_is_named(tmp_path):
    d = _copy(tmp_path)
    p = d / "rules.yaml"
    p.write_text(p.read_text().replace("any: [transaction,", "any: [transacton,", 1))
    with pytest.raises(
        PolicyError, match=r"rules.yaml: rules\[1\] \(advert.explicit_term\).*unknown indicator 'transacton'"
    ):
        load_policy(d)


def test_type_errors_and_bad_yaml_are_named(tmp_path):
    d = _copy(tmp_path)
    (d / "pack.yaml").write_text((d / "pack.yaml").read_text().replace("flag: 0.5", "flag: high"))
    with pytest.raises(PolicyError, match=r"pack.yaml: Expected `float`.*thresholds.flag"):
        load_policy(d)
    d2 = _copy(tmp_path / "b")
    (d2 / "links.yaml").write_text("version: 1\ninvite_hosts: [ {host: t.me\n")
    with pytest.raises(PolicyError, match="links.yaml: not valid YAML"):
        load_policy(d2)


def test_missing_file(tmp_path):
    d = _copy(tmp_path)
    (d / "terms.yaml").unlink()
    with pytest.raises(PolicyError, match="terms.yaml: missing"):
        load_policy(d)


def test_operator_edit_changes_detection(tmp_path):
    """Configuration is data: a new term in the pack is detected without code changes."""
    from csewatch.detect import StreamState
    from csewatch.model import Post
    from csewatch.pipeline import DetectionEngine

    d = _copy(tmp_path)
    terms = d / "terms.yaml"
    terms.write_text(terms.read_text().replace("    - pthc\n", "    - pthc\n    - zqxcode\n", 1))
    engine = DetectionEngine(load_policy(d))
    signals, verdict = engine.process(
        Post(id="1", platform="native", author_id="a", text="z.q.x.c.o.d.e vids dm"), None, StreamState()
    )
    assert verdict is not None and verdict.category == "advert_sale_trade"
