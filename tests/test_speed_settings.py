"""Issue 23's code paths on the CPU at tiny sizes: bfloat16 autocast, the device-side loss sums, IG with the LSTMs
in train mode, the budget knobs of chapter 02, the work model of the projection and the paired comparison."""

import json
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest
import torch
from captum.attr import IntegratedGradients

from lib import budget, paths
from lib.book import config
from lib.recipe import Recipe
from lib.splicing import attribution, experiments, models, speed_settings, train
from lib.splicing.models import Autoencoder, SpliceClassifier
from lib.splicing.tokens import encode_all

CPU = torch.device("cpu")


def _tokens(n=24, seed=0):
    rng = np.random.default_rng(seed)
    return encode_all(["".join(rng.choice(list("ACGT"), int(k))) for k in rng.integers(20, 50, n)])


# --- precision -----------------------------------------------------------------------------------------------

def test_precision_is_checked_and_left_out_of_float32_cache_keys():
    with pytest.raises(ValueError, match="precision='fp16'"):
        Recipe(1, 8, 1e-3, 0, precision="fp16")
    assert "precision" not in Recipe(1, 8, 1e-3, 0).as_key()  # the models trained before the knob keep their keys
    assert Recipe(1, 8, 1e-3, 0, precision="bf16").as_key()["precision"] == "bf16"
    with pytest.raises(config.ConfigError, match=r"precision='fp16': allowed: one of: fp32, bf16"):
        config.resolve("smoke", {"precision": "fp16"})


def test_bf16_trains_both_models_on_the_cpu_close_to_fp32_with_float32_weights():
    tokens, labels = _tokens(), np.arange(24) % 2
    results = {}
    for precision in ("fp32", "bf16"):
        torch.manual_seed(1)
        ae = Autoencoder(8, 4)
        history = train.fit_autoencoder(ae, tokens, tokens[:6], Recipe(2, 8, 3e-3, 0, precision=precision), CPU)
        torch.manual_seed(1)
        clf = SpliceClassifier("bilstm_attention", 4, 4)
        clf_history = train.fit_classifier(clf, tokens, labels, tokens[:6], labels[:6],
                                           Recipe(2, 8, 3e-3, 0, patience=None, precision=precision), CPU)
        assert all(p.dtype == torch.float32 for p in [*ae.parameters(), *clf.parameters()])
        results[precision] = (history[-1]["train_loss"], clf_history[-1]["train_loss"])
    assert results["bf16"] != results["fp32"]  # autocast did change the arithmetic ...
    assert np.allclose(results["bf16"], results["fp32"], rtol=0.02)  # ... by bfloat16's rounding, not more


def test_under_cpu_autocast_the_lstm_runs_as_nn_lstm(monkeypatch):
    """The fused LSTM is float32 only: under autocast torch's own LSTM runs (the GPU's path, cuDNN there)."""
    def refuse(*args, **kwargs):
        raise AssertionError("the fused LSTM ran under autocast")

    model = SpliceClassifier("lstm", 4, 4).eval()
    x, lengths = torch.randint(0, 4, (3, 12)), torch.tensor([12, 9, 5])
    expected = model(x, lengths)
    monkeypatch.setattr(models.fused_lstm, "lstm", refuse)
    with torch.autocast("cpu", dtype=torch.bfloat16):
        out = model(x, lengths)
    assert out.dtype == torch.bfloat16 and torch.allclose(out.float(), expected, atol=0.05)


def test_the_loss_sums_on_the_device_equal_python_sums_of_items():
    rng = np.random.default_rng(0)
    losses = [torch.tensor(v, dtype=torch.float32) for v in rng.random(50) * 3]
    weights = rng.integers(1, 500, 50)
    sums, total, count = train._Sums(CPU), 0.0, 0
    for loss, w in zip(losses, weights):
        sums.add(loss, int(w))
        total, count = total + loss.item() * int(w), count + int(w)
    assert sums.read() == (total, count)  # bit for bit: the histories of float32 runs do not change


# --- Integrated Gradients with the LSTMs in train mode -------------------------------------------------------------

def test_ig_with_lstms_in_train_mode_equals_eval_mode_and_restores_eval():
    torch.manual_seed(0)
    model = SpliceClassifier("bilstm_attention", 4, 4, dropout=0.5)
    tokens = _tokens(4)
    values, deltas = attribution.integrated_gradients(model, tokens, steps=16, internal_batch_size=64, batch_size=4)
    assert not any(m.training for m in model.modules())
    model.eval()  # the path before: everything in eval mode
    ig = IntegratedGradients(attribution._log_odds(model))
    for i, t in enumerate(tokens):
        embedded = model.embedding(t[None]).detach()
        expected, delta = ig.attribute(embedded, torch.zeros_like(embedded), additional_forward_args=(
            torch.tensor([len(t)]),), n_steps=16, internal_batch_size=64, return_convergence_delta=True)
        assert np.allclose(values[i], expected.sum(-1)[0].detach().numpy(), atol=1e-6)
        assert np.isclose(deltas[i], delta.item(), atol=1e-6)


def test_the_recurrent_train_mode_keeps_dropout_off():
    model = SpliceClassifier("bilstm", 4, 4, dropout=0.5)
    with attribution._recurrent_train_mode(model):
        assert model.lstm.forward_lstm.training and model.lstm.backward_lstm.training
        assert not model.dropout.training and not model.training
    assert not any(m.training for m in model.modules())


# --- chapter 02's budget knobs -------------------------------------------------------------------------------------

def test_budget_knobs_are_checked():
    with pytest.raises(config.ConfigError, match=r"ae_addition_epochs=3: at most ae_epochs \(2\)"):
        config.resolve("smoke", {"ae_addition_epochs": 3})
    with pytest.raises(config.ConfigError, match=r"encoder_seeds=2: at most the number of clf_seeds \(1\)"):
        config.resolve("smoke", {"encoder_seeds": 2})


def test_encoder_seeds_map_classifier_seeds_onto_fewer_autoencoders():
    P = config.resolve("default", {"encoder_seeds": 2})
    assert [experiments.encoder_seed(P, s) for s in P.clf_seeds] == [0, 1, 0, 1, 0]
    assert [experiments.encoder_seed(config.resolve("default"), s) for s in (0, 3)] == [0, 3]
    assert experiments.addition_epochs(config.resolve("default")) == 10
    assert experiments.addition_epochs(config.resolve("paper")) == 10


def test_additions_train_for_their_own_epochs_and_classifiers_share_the_encoder(isolated_cache):
    P = config.resolve("smoke", {"ae_epochs": 2, "ae_addition_epochs": 1, "clf_seeds": [0, 1], "encoder_seeds": 1,
                                 "workers": 1})
    data = experiments.junction_data(P)
    experiments.train_autoencoders(P, data)
    assert {len(r.history) for r in experiments.replicas(P, data).values()} == {1}
    assert {len(r.history) for r in experiments.variant_runs(P, data).values()} == {1}
    encoders = experiments.encoders(P, data)
    sweep = experiments.autoencoder(P, P.ae_latent, data).model.encoder  # seed 0, ae_epochs
    for encoder in encoders.values():
        assert all(torch.equal(a, b) for a, b in zip(encoder.state_dict().values(), sweep.state_dict().values()))


# --- the projection ------------------------------------------------------------------------------------------------

def test_the_work_model_counts_the_papers_loops_and_the_additions():
    P = config.resolve("paper")
    loops = {loop.name: loop for loop in budget.loops(P)}
    n = 290_502
    sweep = loops["autoencoder sweep, latent 512: 1 x 300 epochs"]
    assert sweep.part == budget.PAPER and sweep.items == pytest.approx(300 * 0.9 * n)
    assert loops["autoencoder sweep, latent 512: held-out pass, 1 x 300"].items == pytest.approx(300 * 0.1 * n)
    replicas = loops["paper variant's seed replicas, latent 256: 3 x 10 epochs"]
    assert replicas.part == budget.ADDITION and replicas.items == pytest.approx(3 * 10 * 0.9 * n)
    assert loops["variant 'more data', latent 256: 1 x 10 epochs"].items == pytest.approx(2 * 10 * 0.9 * n)
    assert not any(name.startswith("encoders of further seeds") for name in loops)  # encoder_seeds = 1
    assert loops["classifier lstm: 2 runs x 6 epochs (at most)"].items == pytest.approx(2 * 6 * 0.9 * 2 * n)
    assert loops["classifier lstm: 4 runs x 6 epochs (at most)"].part == budget.ADDITION
    default = {loop.name for loop in budget.loops(config.resolve("default"))}
    assert "encoders of further seeds, latent 64: 4 x 10 epochs" in default  # one encoder per classifier seed
    assert "paper variant's seed replicas, latent 64: 4 x 10 epochs" in default  # seed 0's is the sweep's model
    with pytest.raises(KeyError, match="no rate for"):
        budget.hours(budget.loops(P), {})


def _project(*args):
    return subprocess.run([sys.executable, "benchmarks/project_paper.py", *args], cwd=paths.REPO, check=False,
                          capture_output=True, text=True, timeout=600)


def test_project_paper_from_the_stored_h200_rates_prints_every_loop_and_the_total():
    result = _project("--rates", "benchmarks/rates/h200-issue23.json")
    assert result.returncode == 0, result.stderr
    P = config.resolve("paper")
    rates = json.loads((paths.REPO / "benchmarks/rates/h200-issue23.json").read_text())["rates"]
    total = sum(budget.hours(budget.loops(P), rates).values())
    line = next(line for line in result.stdout.splitlines() if line.startswith("total ") and "days" in line)
    assert float(line.split()[1]) == pytest.approx(total, abs=0.005)
    assert "measured here" not in result.stdout  # every rate came from the file
    refused = _project("--rates", "benchmarks/rates/h200-issue23.json", "-p", "precision=fp32")
    assert refused.returncode == 2 and "precision=bf16 (this profile: fp32)" in refused.stderr


def test_project_paper_measures_on_the_cpu(tmp_path):
    saved = tmp_path / "rates.json"
    result = _project("--profile", "smoke", "--batches", "1", "--device", "cpu", "--save-rates", str(saved))
    assert result.returncode == 0, result.stderr
    assert "measured here on cpu" in result.stdout and "total, addition loops" in result.stdout
    rates = json.loads(saved.read_text())["rates"]
    assert set(rates) == {loop.rate for loop in budget.loops(config.resolve("smoke"))}
    assert all(v > 0 for v in rates.values())


# --- the paired comparison -----------------------------------------------------------------------------------------

def test_scaled_multiplies_both_batches():
    P = config.resolve("default")
    Q = speed_settings.scaled(P, 4, ae_lr=6e-3)
    assert (Q.batch_size, Q.clf_batch_size, Q.lr, Q.clf_lr) == (256, 128, 6e-3, P.clf_lr)
    assert (Q.ae_epochs, Q.clf_epochs, Q.patience) == (P.ae_epochs, P.clf_epochs, P.patience)
    S = speed_settings.scaled(P, 4, same_steps=True)  # as many optimizer steps as P's models take
    assert (S.ae_epochs, S.clf_epochs, S.patience, S.ae_addition_epochs) == (40, 60, 12, None)
    assert speed_settings.scaled(config.resolve("paper"), 2, same_steps=True).ae_addition_epochs == 20


def test_paired_compares_each_quantity_by_seed_against_the_base_seed_sd():
    runs = []
    for kind in experiments.LABELS:
        for init in ("random", "autoencoder"):
            for seed in range(3):
                runs.append({"model": kind, "init": init, "seed": seed, "test accuracy %": 70.0 + seed})
    base = {"ae_loss": {0: 1.30, 1: 1.31, 2: 1.32}, "runs": pd.DataFrame(runs)}
    moved = pd.DataFrame(runs).assign(**{"test accuracy %": lambda t: t["test accuracy %"] + np.where(
        t["model"] == "lstm", 5.0, 0.5)})
    table = speed_settings.paired(base, {"ae_loss": {0: 1.30, 1: 1.32, 2: 1.32}, "runs": moved})
    assert table.loc["LSTM, random init: test accuracy (%)", "difference"] == pytest.approx(5.0)
    assert not table.loc["LSTM, random init: test accuracy (%)", "inside seed noise"]  # 5 > seed sd 1
    assert table.loc["BiLSTM, autoencoder init: test accuracy (%)", "inside seed noise"]  # 0.5 < 1
    assert table.loc["autoencoder held-out loss (nats/base)", "inside seed noise"]
    assert list(table["seeds"]) == [3] * 7
    random_only = {"ae_loss": None, "runs": moved[moved["init"] == "random"]}  # random_init_outcomes' shape
    table = speed_settings.paired(base, random_only)
    assert len(table) == 3 and table.index[0] == "LSTM, random init: test accuracy (%)"
