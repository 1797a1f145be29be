"""The estimated cost of a run: worker time from the events × the machine's hourly price, written as money."""

from __future__ import annotations

import json

import pytest

from aeon_studio.core.i18n import set_language
from aeon_studio.core.training.cost import cost_text, fold, run_seconds
from aeon_studio.core.training.events import parse
from tests.core.training.test_worker import IDENTITY, tiny_base  # noqa: F401 - session fixture


def _ev(name: str, t: float, **fields):
    return parse({"event": name, "time": t, **fields})


def test_run_seconds_sums_each_worker_session_not_the_time_between():
    first = [_ev("preflight", 100, params=1, examples=1, dataset_tokens=1), _ev("start", 101),
             _ev("step", 110, step=1, loss=1.0), _ev("checkpoint", 130, step=1, path="c")]  # then kill -9
    second = [_ev("preflight", 1000, params=1, examples=1, dataset_tokens=1), _ev("resume", 1001, step=1,
                                                                                    checkpoint="c"),
              _ev("start", 1002), _ev("step", 1040, step=2, loss=0.5), _ev("cancelled", 1050)]
    third = [_ev("resume", 5000, step=2, checkpoint="c"), _ev("start", 5001),  # unsloth: no preflight
             _ev("done", 5100, adapter="a")]
    assert run_seconds(first) == 30
    assert run_seconds(first + second) == 30 + 50
    assert run_seconds(first + second + third) == 30 + 50 + 100
    assert run_seconds([parse('{"event": "step", "step": 1, "loss": 1}')]) is None  # a line without a time


def test_fold_adds_the_cost_only_when_the_run_recorded_a_price():
    events = [_ev("start", 0), _ev("done", 1800, adapter="a")]
    assert fold({}, events) == {"run_seconds": 1800.0}
    out = fold({"price": {"hourly": 0.9, "currency": "USD"}}, events)
    assert out["cost"] == pytest.approx(0.45) and out["currency"] == "USD" and out["run_seconds"] == 1800


@pytest.mark.parametrize("lang, expected", [
    ("en", "Estimated cost: $0.45 (30 minutes at $0.90 an hour)."),
    ("pt_BR", "Custo estimado: US$\xa00,45 (30 minutos a US$\xa00,90 por hora)."),
])
def test_cost_text_is_written_as_the_users_language_writes_money(lang, expected):
    metrics = {"price": {"hourly": 0.9, "currency": "USD"}, "cost": 0.45, "currency": "USD", "run_seconds": 1800}
    set_language(lang)
    try:
        assert cost_text(metrics) == expected
        assert cost_text({"run_seconds": 1800}) is None  # no price set: nothing shown
        small = cost_text({**metrics, "cost": 0.004, "run_seconds": 16})
        assert small.startswith({"en": "Estimated cost: less than $0.01",
                                 "pt_BR": "Custo estimado: menos de US$\xa00,01"}[lang])
    finally:
        set_language(None)


def test_a_run_shows_its_cost_in_the_cli_summary_and_in_its_json(tmp_path, tiny_base, capsys):  # noqa: F811
    from aeon_studio.core.cli.main import main

    assert main(["settings", "set", "machine_hourly_price", "3.6"]) == 0
    assert main(["settings", "set", "machine_currency", "brl"]) == 0  # the code, whatever its case
    data = tmp_path / "ident.jsonl"
    data.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in IDENTITY))
    capsys.readouterr()
    assert main(["train", "--dataset", str(data), "--base", str(tiny_base), "--max-steps", "2",
                 "--backend", "peft"]) == 0
    out = capsys.readouterr().out
    assert main(["runs", "list", "--json"]) == 0
    run = json.loads(capsys.readouterr().out)[0]
    m = run["metrics"]
    assert m["price"] == {"hourly": 3.6, "currency": "BRL"} and m["currency"] == "BRL"
    assert 0 < m["run_seconds"] < 600
    assert m["cost"] == pytest.approx(m["run_seconds"] / 3600 * 3.6, abs=1e-4)  # 3.6 an hour: 0.001 a second
    assert "Estimated cost: " in out and "R$" in out
    assert main(["runs", "show", run["id"]]) == 0
    assert "Estimated cost: " in capsys.readouterr().out


def test_settings_set_checks_the_value_before_saving(capsys):
    from aeon_studio.core.cli.main import main
    from aeon_studio.core.settings import get_settings

    assert main(["settings", "set", "machine_hourly_price", "-1"]) != 0
    assert main(["settings", "set", "machine_currency", "dollars"]) != 0
    assert main(["settings", "set", "no_such_setting", "1"]) != 0
    err = capsys.readouterr().err
    assert "machine_hourly_price: '-1' is not a valid value" in err and "There is no setting" in err
    assert not get_settings().settings_file.exists()  # nothing half-stored
    assert main(["settings", "show", "--json"]) == 0
    shown = json.loads(capsys.readouterr().out)
    assert shown["machine_hourly_price"] == 0 and shown["machine_currency"] == "USD" and "home" not in shown
