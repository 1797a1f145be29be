"""``aeon-studio domains list|show|set|classify|route``."""

from __future__ import annotations

import json

from aeon_studio.core.cli.main import main


def run(capsys, *argv) -> tuple[int, str, str]:
    rc = main(list(argv))
    out, err = capsys.readouterr()
    return rc, out, err


def test_list_set_show_classify(capsys):
    rc, out, _ = run(capsys, "domains", "list", "--json")
    assert rc == 0 and [d["name"] for d in json.loads(out)["domains"]] == ["technical", "support", "legal", "general"]
    rc, out, _ = run(capsys, "domains", "set", "cooking", "--keywords", "receita", "recipe", "--json")
    assert rc == 0 and json.loads(out)["keywords"] == ["receita", "recipe"]
    rc, out, _ = run(capsys, "domains", "show", "cooking")
    assert rc == 0 and "receita, recipe" in out
    rc, out, _ = run(capsys, "domains", "classify", "Uma receita de pão", "--json")
    got = json.loads(out)
    assert rc == 0 and got["domain"] == "cooking" and got["keywords"] == {"cooking": ["receita"]}
    rc, out, _ = run(capsys, "domains", "classify", "I need a refund")
    assert rc == 0 and out.startswith("support: keywords refund")


def test_bad_input_exits_non_zero_with_a_reason(capsys):
    rc, _, err = run(capsys, "domains", "show", "nope")
    assert rc == 2 and "No domain called 'nope'" in err and "technical" in err
    rc, _, err = run(capsys, "domains", "set", "cooking")
    assert rc == 2 and "Nothing to change" in err
    rc, _, err = run(capsys, "domains", "route", "casual", "--map", "kitchen=x")
    assert rc == 2 and "Unknown domain 'kitchen'" in err
    rc, _, err = run(capsys, "domains", "route", "casual", "--map", "technical=missing")
    assert rc == 2 and "No adapter called 'missing'" in err
    rc, _, err = run(capsys, "domains", "route", "casual", "--map", "technical")
    assert rc == 2 and "DOMAIN=ADAPTER" in err
    rc, out, _ = run(capsys, "domains", "route", "casual", "--json")
    assert json.loads(out) == {"persona": "casual", "route_by_domain": False, "domain_adapters": {}, "adapter": None}


def test_route_on_and_off(capsys):
    rc, out, _ = run(capsys, "domains", "route", "casual", "--enabled", "on", "--json")
    assert rc == 0 and json.loads(out)["route_by_domain"] is True
    rc, out, _ = run(capsys, "domains", "route", "casual", "--enabled", "off")
    assert rc == 0 and "route by domain off" in out
