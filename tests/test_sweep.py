"""nnscratch.sweep in this process: spaces, seeds, the results file, resume, TPE pruning."""

from __future__ import annotations

import numpy as np
import pytest

from nnscratch import sweep
from nnscratch.cli import main
from nnscratch.sweep import (
    BOOK_SETTINGS,
    Choice,
    IntUniform,
    LogUniform,
    MLPTrial,
    SearchSpace,
    Uniform,
    read_results,
    run_sweep,
)
from nnscratch.sweep.results import ResultsFile

# Tiny trials: 160 training and 40 validation images, one hidden layer of 16, 3 epochs.
TINY = {"hidden": (16,), "epochs": 3, "batch_size": 40, "optimizer": "sgd", "schedule": "constant"}


@pytest.fixture(scope="module")
def tiny(mnist):
    return MLPTrial(base=TINY, n_train=200)


# --- search spaces -----------------------------------------------------------------
def test_book_space_is_the_books_ranges():
    space = sweep.book_space()
    assert space.params == {
        "lr": LogUniform(1e-6, 1e-2),
        "weight_decay": LogUniform(1e-8, 1e-4),
    }
    draws = [space.sample(np.random.default_rng(i)) for i in range(2000)]
    lr = np.log10([d["lr"] for d in draws])
    assert lr.min() >= -6 and lr.max() <= -2
    # log-uniform: each of the four decades gets about a quarter of the draws
    counts = np.histogram(lr, bins=[-6, -5, -4, -3, -2])[0]
    assert np.all(np.abs(counts / 2000 - 0.25) < 0.04)


def test_distributions_sample_in_range():
    rng = np.random.default_rng(0)
    space = SearchSpace(
        {
            "a": Uniform(-1, 1),
            "b": IntUniform(2, 4),
            "c": Choice(("x", "y")),
            "d": LogUniform(1, 10),
        }
    )
    draws = [space.sample(rng) for _ in range(300)]
    assert {d["b"] for d in draws} == {2, 3, 4}
    assert {d["c"] for d in draws} == {"x", "y"}
    assert all(-1 <= d["a"] <= 1 and 1 <= d["d"] <= 10 for d in draws)


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"lr": LogUniform(1e-2, 1e-6)}, r"space\['lr'\]: expected a range with low < high"),
        ({"lr": LogUniform(1e-3, 1e-3)}, r"space\['lr'\]: expected a range with low < high"),
        ({"lr": LogUniform(-1e-3, 1e-2)}, r"space\['lr'\] low: expected a positive"),
        ({"lr": LogUniform(0.0, 1e-2)}, r"space\['lr'\] low: expected a positive"),
        ({"lr": Uniform(1.0, float("nan"))}, r"space\['lr'\] high: expected a finite"),
        ({"epochs": IntUniform(5, 2)}, r"space\['epochs'\]: expected a range with low <= high"),
        ({"activation": Choice(())}, r"space\['activation'\]: expected at least one option"),
        ({"learning_rate": LogUniform(1e-6, 1e-2)}, r"expected a parameter among .*'lr'"),
        ({"seed": IntUniform(0, 3)}, r"space\['seed'\]: expected a parameter among"),
        ({"activation": Choice(("relu", "nope"))}, r"space\['activation'\]: expected values"),
        ({"weight_decay": Uniform(-1.0, 1.0)}, r"space\['weight_decay'\]: expected values"),
        ({}, r"space: expected at least one parameter"),
    ],
)
def test_bad_space_fails_before_any_trial(params, message, tmp_path, monkeypatch):
    ran = []
    monkeypatch.setattr(MLPTrial, "__call__", lambda *a, **k: ran.append(a))
    results = tmp_path / "r.csv"
    with pytest.raises(ValueError, match=message):
        run_sweep(params, trials=3, workers=0, results=results)
    assert ran == [] and not results.exists()


def test_parse_reads_the_command_line_forms():
    assert sweep.parse("lr=log:1e-6:1e-2") == ("lr", LogUniform(1e-6, 1e-2))
    assert sweep.parse("label_smoothing=uniform:0:0.2") == ("label_smoothing", Uniform(0, 0.2))
    assert sweep.parse("epochs=int:2:5") == ("epochs", IntUniform(2, 5))
    assert sweep.parse("hidden=choice:50,100") == ("hidden", Choice((50, 100)))
    for bad in ("lr", "lr=log:1", "lr=cube:1:2", "lr=log:a:b"):
        with pytest.raises(ValueError, match="--param"):
            sweep.parse(bad)


def test_trial_seed_depends_on_sweep_seed_and_trial_only():
    a_rng, a_seed = sweep.trial_seed(7, 3)
    b_rng, b_seed = sweep.trial_seed(7, 3)
    assert a_seed == b_seed and a_rng.random() == b_rng.random()
    seeds = {sweep.trial_seed(7, i)[1] for i in range(100)} | {sweep.trial_seed(8, 0)[1]}
    assert len(seeds) == 101


# --- the trial -------------------------------------------------------------------------
def test_trial_uses_the_training_set_only(mnist):
    from nnscratch.sweep import trial as trial_module

    x, _, xv, _ = trial_module._split(200, 0.2, 0)
    assert (len(x), len(xv)) == (160, 40)
    (x_all, _), (x_test, _) = mnist
    # every image comes from the training set, none twice
    index = {row.tobytes(): i for i, row in enumerate(x_all[:60000])}
    picked = [index[row.tobytes()] for row in np.vstack([x, xv])]
    assert len(set(picked)) == 200
    test_rows = {row.tobytes() for row in x_test}
    assert not any(row.tobytes() in test_rows for row in np.vstack([x, xv]))


def test_trial_reports_each_epoch(tiny):
    row = tiny({"lr": 0.1, "weight_decay": 1e-5}, seed=3)
    assert row["status"] == "ok" and row["epochs"] == 3
    assert len(row["val_accuracy_curve"]) == len(row["val_loss_curve"]) == 3
    assert row["val_accuracy"] == row["val_accuracy_curve"][-1]
    assert row["val_accuracy"] > 0.25  # well above chance (0.1) after 3 epochs of 160 images
    assert (
        tiny({"lr": 0.1, "weight_decay": 1e-5}, seed=3)["val_loss_curve"] == row["val_loss_curve"]
    )


def test_book_settings_match_the_book():
    assert BOOK_SETTINGS["hidden"] == (100,) * 6
    assert (BOOK_SETTINGS["epochs"], BOOK_SETTINGS["batch_size"]) == (50, 100)
    assert BOOK_SETTINGS["optimizer"] == "sgd"
    trial = MLPTrial()
    assert (trial.n_train, trial.validation) == (500, 0.2)


# --- the results file ------------------------------------------------------------------
def test_results_file_drops_a_torn_last_line(tmp_path):
    path = tmp_path / "r.csv"
    f = ResultsFile.open(path, ["trial", "x"], {"a": 1}, resume=False)
    f.append({"trial": 0, "x": 1.5})
    f.append({"trial": 1, "x": [0.1, 0.2]})
    f.append({"trial": 1, "x": 9.0})  # a retried task: recorded once
    with open(path, "ab") as out:
        out.write(b'2,"[0.3, 0.')  # the driver killed during a write
    assert [r["trial"] for r in read_results(path)] == [0, 1]
    again = ResultsFile.open(path, ["trial", "x"], {"a": 1}, resume=True)
    assert again.done() == {0, 1}
    assert path.read_bytes().endswith(b"\n")
    with pytest.raises(ValueError, match="resume: expected the settings"):
        ResultsFile.open(path, ["trial", "x"], {"a": 2}, resume=True)
    with pytest.raises(ValueError, match="resume=True"):
        ResultsFile.open(path, ["trial", "x"], {"a": 1}, resume=False)


# --- whole sweeps in this process -----------------------------------------------------------
def test_sweep_is_reproducible_and_resumes_without_rerunning(tiny, tmp_path):
    path = tmp_path / "s.csv"
    whole = run_sweep(trial=tiny, trials=6, seed=4, workers=0, progress=False)
    assert [r["trial"] for r in whole.rows] == list(range(6))
    part = run_sweep(trial=tiny, trials=3, seed=4, workers=0, results=path, progress=False)
    assert part.ran == 3
    seen = []
    rest = run_sweep(trial=tiny, trials=6, seed=4, workers=0, results=path, resume=True,
                     progress=False, on_trial=lambda r: seen.append(r["trial"]))  # fmt: skip
    assert seen == [3, 4, 5] and rest.ran == 3
    assert rest.table(6) == whole.table(6)
    assert [r["trial"] for r in read_results(path)] == list(range(6))
    assert len(set(whole.table(6).splitlines())) == 8  # six distinct rows, head, rule


def test_time_budget_stops_starting_trials(tiny):
    result = run_sweep(trial=tiny, trials=1000, time_limit=1e-9, workers=0, progress=False)
    assert result.ran <= 1


def test_tpe_prunes_hopeless_trials(tiny):
    pytest.importorskip("optuna")
    trial = MLPTrial(base={**TINY, "epochs": 6}, n_train=200)
    result = run_sweep(trial=trial, trials=14, strategy="tpe", seed=1, workers=0, progress=False)
    counts = result.counts()
    assert counts["ok"] + counts["pruned"] + counts["failed"] == 14
    assert counts["pruned"] >= 1
    pruned = [r for r in result.rows if r["status"] == "pruned"]
    assert all(r["epochs_run"] < 6 for r in pruned)
    again = run_sweep(trial=trial, trials=14, strategy="tpe", seed=1, workers=0, progress=False)
    assert again.table(14) == result.table(14)


def test_cli_sweep_prints_the_best_table(tmp_path, capsys, mnist):
    out = tmp_path / "cli.csv"
    argv = ["sweep", "--set", "epochs=2", "--set", "hidden=16", "--train", "200", "--trials",
            "3", "--workers", "0", "--results", str(out)]  # fmt: skip
    assert main(argv) == 0
    text = capsys.readouterr().out
    assert "3 trials in" in text and "rank  trial  val acc" in text
    assert main(argv) == 2
    assert "--resume" in capsys.readouterr().err
    assert main(["sweep", "--param", "lr=log:0:1", "--results", str(tmp_path / "x.csv")]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "space['lr'] low: expected a positive" in err
    assert not (tmp_path / "x.csv").exists()


# --- figures from a results file ---------------------------------------------------------
def test_sweep_figures_read_a_results_file(tiny, tmp_path):
    pytest.importorskip("matplotlib")
    from nnscratch import plots

    path = tmp_path / "fig.csv"
    result = run_sweep(trial=tiny, trials=4, seed=2, workers=0, results=path, progress=False)
    fig = plots.plot_sweep_curves(path, k=3)
    assert len(fig.axes) == 3 and [len(ax.lines) for ax in fig.axes] == [2, 2, 2]
    best = result.best(1)[0]
    assert list(fig.axes[0].lines[0].get_ydata()) == best["val_accuracy_curve"]
    fig = plots.plot_sweep_scatter(path)
    assert len(fig.axes[0].collections[-1].get_offsets()) == 4
    with pytest.raises(ValueError, match="momentum: expected a column"):
        plots.plot_sweep_scatter(path, x="momentum")


# --- the minima experiment over many seeds ------------------------------------------------
def test_wilson_interval_matches_scipy():
    stats = pytest.importorskip("scipy.stats")
    from nnscratch.sweep.seeds import wilson_interval

    for k, n in ((0, 10), (4, 10), (10, 10), (37, 50), (4_321, 10_000)):
        ci = stats.binomtest(k, n).proportion_ci(confidence_level=0.95, method="wilson")
        assert wilson_interval(k, n) == pytest.approx((ci.low, ci.high), abs=1e-12)
    with pytest.raises(ValueError, match="successes: expected an integer in \\[0, 10\\]"):
        wilson_interval(11, 10)


def test_minima_sweep_counts_every_seed_once_and_resumes(tmp_path):
    from nnscratch.minima import minima_experiment
    from nnscratch.sweep.seeds import _seed_of, minima_sweep

    small = {"rastrigin_budget": 40, "xor_updates": 20}
    path = tmp_path / "m.csv"
    whole = minima_sweep(6, **small, workers=0, block=4, progress=False)
    part = minima_sweep(3, **small, workers=0, block=2, results=path, progress=False)
    rest = minima_sweep(6, **small, workers=0, block=2, results=path, resume=True, progress=False)
    assert (part.ran, rest.ran) == (3, 3)
    assert [r["trial"] for r in read_results(path)] == list(range(6))
    key = [(r.problem, r.strategy, r.successes, r.runs, r.mean_final) for r in rest.rows]
    assert key == [(r.problem, r.strategy, r.successes, r.runs, r.mean_final) for r in whole.rows]
    # seed 0's row is the single-seed experiment with seed (0, 0)
    one = minima_experiment(seeds=1, seed=_seed_of(0, 0), **small)
    first = read_results(path)[0]["runs"]
    assert [(p, s, h) for p, s, h, *_ in first] == [
        (r.problem, r.strategy, r.successes) for r in one.rows
    ]
    text = rest.as_table()
    assert "95% CI (Wilson)" in text and text.count("/6") == 8


@pytest.mark.slow
def test_cli_demo_minima_with_seeds(capsys):
    argv = ["demo", "minima", "--seeds", "2", "--workers", "0"]
    assert main(argv) == 0
    out = capsys.readouterr().out
    assert "95% CI (Wilson)" in out and "2 seeds run now" in out


def test_without_dask_the_sweep_runs_here(tiny, monkeypatch):
    from nnscratch.sweep import execution

    monkeypatch.setattr(execution, "have_distributed", lambda: False)
    here = run_sweep(trial=tiny, trials=2, seed=9, progress=False)  # workers=None: no dask
    assert here.table(2) == run_sweep(trial=tiny, trials=2, seed=9, workers=0).table(2)
    with pytest.raises(ImportError, match=r"scheduler: expected the 'distributed' extra"):
        run_sweep(trial=tiny, trials=2, scheduler="tcp://127.0.0.1:1")


def test_minima_sweep_passes_the_experiment_keywords_on():
    from nnscratch.sweep.seeds import minima_sweep

    with pytest.raises(TypeError, match="xor_steps"):  # not a keyword of minima_experiment
        minima_sweep(1, xor_steps=3, workers=0, progress=False)
    with pytest.raises(ValueError, match="rastrigin_budget"):  # checked by the experiment
        minima_sweep(1, rastrigin_budget=1, workers=0, progress=False)
