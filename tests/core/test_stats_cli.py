"""``aeon-studio stats``: the overall summary stays; ``--by`` groups per version, persona or week as JSON."""

from __future__ import annotations

import json

from aeon_studio.core.cli.main import main
from aeon_studio.core.storage import get_database
from aeon_studio.core.storage.chats import ChatStore


def run_cli(capsys, *argv):
    code = main(list(argv))
    out = capsys.readouterr()
    return code, out.out, out.err


def _seed() -> None:
    store = ChatStore(get_database())
    conv = store.create_conversation("casual", "m").id
    for adapter, likert in ((None, 2), (None, 3), ("casual-v1", 5), ("casual-v1", 4), ("casual-v1", 5)):
        store.rate(store.add_message(conv, "assistant", "a", adapter_id=adapter, persona_key="casual").id, likert)
    store.add_survey("nps", 10)


def test_stats_by_adapter_json(capsys):
    _seed()
    code, out, _ = run_cli(capsys, "stats", "--by", "adapter", "--since", "30d", "--json")
    assert code == 0
    data = json.loads(out)
    assert data["by"] == "adapter" and data["min_ratings"] == 10 and data["since"]
    groups = {g["key"]: g for g in data["groups"]}
    assert set(groups) == {"base", "casual-v1"}
    v1 = groups["casual-v1"]
    assert (v1["likert_n"], v1["likert_mean"], v1["enough"]) == (3, 4.667, False)
    assert (v1["nps"], v1["nps_n"]) == (100.0, 1)  # answered after v1's last reply
    assert {"usability_mean", "arena_win_rate", "likert_low", "likert_high"} <= v1.keys()
    code, out, _ = run_cli(capsys, "stats", "--by", "persona", "--json")
    assert [(g["key"], g["likert_n"]) for g in json.loads(out)["groups"]] == [("casual", 5)]
    code, out, _ = run_cli(capsys, "stats", "--by", "week", "--adapter", "base", "--json")
    assert [g["likert_n"] for g in json.loads(out)["groups"]] == [2]
    code, out, _ = run_cli(capsys, "stats", "--by", "adapter")
    assert code == 0 and "casual-v1" in out and "not enough ratings yet (3)" in out
    code, out, _ = run_cli(capsys, "stats", "--json")  # the summary without --by is unchanged
    assert json.loads(out)["rated"] == 5


def test_stats_bad_input(capsys):
    code, _, err = run_cli(capsys, "stats", "--by", "adapter", "--since", "soon")
    assert code == 2 and "'soon'" in err and "30d" in err
    code, _, err = run_cli(capsys, "stats", "--by", "persona", "--persona", "nobody")
    assert code == 2 and "nobody" in err
    code, _, err = run_cli(capsys, "stats", "--since", "30d")
    assert code == 2 and "--by" in err
    code, out, _ = run_cli(capsys, "stats", "--by", "week")
    assert code == 0 and "No ratings" in out
