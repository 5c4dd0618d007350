"""The remedies for mode collapse of §3.2 (thesis_lib.studies.toy.remedies): each variant changes what it
says and nothing else, the terms it adds equal a hand computation, runs are resumable and
recountable, and the committed table has five seeds per row."""

import json

import keras
import numpy as np
import pytest

from thesis_lib import backend
from thesis_lib.gan import losses
from thesis_lib.gan.model import GAN
from thesis_lib.studies import isolation as checks
from thesis_lib.studies.toy import mixtures, remedies, remedy_gan
from thesis_lib.studies.toy import networks as toy

FULL, QUICK = remedies.settings("full"), remedies.settings("quick")


def _numpy(x):
    return np.asarray(keras.ops.convert_to_numpy(x), dtype="float64")


def _kernels(model):
    return [_numpy(layer.kernel) for layer in model.layers
            if isinstance(layer, keras.layers.Dense)]


# --- every row ------------------------------------------------------------------------------
@pytest.mark.parametrize("row", list(remedies.VARIANTS))
def test_each_row_builds_and_each_update_changes_only_its_network(row):
    spec = remedies.VARIANTS[row]
    gan = remedies.build(row, seed=0, steps=10)
    assert isinstance(gan, remedy_gan.RemedyGAN)
    assert gan.loss_strategy.name == spec.loss and gan.critic_steps == spec.critic_steps
    real, _ = mixtures.ring_of_gaussians(8, seed=1)
    report = checks.isolation_report(gan, real)
    d_changed = report["d_step"]["discriminator"]
    if spec.loss.startswith("wasserstein"):
        # E C(G(z)) − E C(x) and the penalty ignore a constant added to every score: the
        # critic's output bias gets no gradient.
        assert d_changed[-1] is False
        d_changed = d_changed[:-1]
    assert all(d_changed) and not any(report["d_step"]["generator"])
    assert all(report["g_step"]["generator"]) and not any(report["g_step"]["discriminator"])


def test_rows_differ_from_the_standard_gan_only_where_they_say():
    gans = {row: remedies.build(row) for row in remedies.VARIANTS}
    base = gans["standard"]
    widths = lambda m: [l.units for l in m.layers if isinstance(l, keras.layers.Dense)]  # noqa
    assert widths(base.generator) == [128, 128, 128, 2]
    assert widths(gans["bigger_g"].generator) == [256, 256, 256, 256, 2]
    assert gans["d_steps_5"].critic_steps == 5 and gans["d_steps_2"].critic_steps == 2
    assert gans["minimax"].loss_strategy.name == "minimax"
    assert gans["l2_d"].d_l2 == 1e-3 and gans["l2_d"].g_l2 == 0.0
    assert gans["l2_g"].g_l2 == 1e-3 and gans["l2_g"].d_l2 == 0.0
    assert gans["mode_seeking"].mode_seeking == 1.0
    assert gans["wgan_gp"].loss_strategy.gp_weight == 10.0 and gans["wgan_gp"].critic_steps == 5
    # PyTorch compiles nothing for these tiny networks (toy.mlp_gan: a speed choice only).
    compiled = backend.name() != "torch"
    for row, gan in gans.items():
        assert gan.latent_dim == 2 and gan.jit_compile is compiled
        assert widths(gan.discriminator) == widths(base.discriminator)
        if row != "wgan_gp":
            assert float(gan.g_optimizer.learning_rate) == pytest.approx(2e-4)
            assert float(gan.d_optimizer.learning_rate) == pytest.approx(2e-4)
            assert gan.d_optimizer.beta_1 == 0.5
        if row != "bigger_g":
            assert widths(gan.generator) == widths(base.generator)
        if row not in ("minimax", "wgan_gp"):
            assert gan.loss_strategy.name == "non_saturating"
        if row not in ("d_steps_2", "d_steps_5", "wgan_gp"):
            assert gan.critic_steps == 1
        head = [l for l in gan.discriminator.layers
                if isinstance(l, (remedy_gan.InstanceNoise, remedy_gan.Pack))]
        assert len(head) == {"instance_noise": 1, "pacgan4": 1}.get(row, 0)
        penalties = (gan.d_l2, gan.g_l2, gan.mode_seeking, gan.pac)
        assert penalties == {"l2_d": (1e-3, 0, 0, 1), "l2_g": (0, 1e-3, 0, 1),
                             "mode_seeking": (0, 0, 1.0, 1),
                             "pacgan4": (0, 0, 0, 4)}.get(row, (0, 0, 0, 1))


# --- packing ---------------------------------------------------------------------------------
def test_the_packing_layer_groups_consecutive_samples():
    x = np.arange(32, dtype="float32").reshape(16, 2)
    packed = _numpy(remedy_gan.Pack(4)(x))
    assert packed.shape == (4, 8)
    np.testing.assert_array_equal(packed[1], x[4:8].ravel())
    assert remedy_gan.Pack(4).compute_output_shape((16, 2)) == (4, 8)
    with pytest.raises(ValueError, match="pac must be"):
        remedy_gan.Pack(0)


def test_the_packed_discriminator_scores_packs():
    gan = remedies.build("pacgan4", seed=0)
    d = gan.discriminator
    x = np.random.default_rng(0).normal(size=(16, 2)).astype("float32")
    out = _numpy(d(x))
    assert out.shape == (4, 1)                                     # n / pac outputs
    # Each output depends on its own pack only: changing a sample of pack 2 changes output 2.
    moved = x.copy()
    moved[9] += 1.0
    diff = np.abs(_numpy(d(moved)) - out).ravel()
    assert diff[2] > 0 and np.all(diff[[0, 1, 3]] == 0)
    # Reordering whole packs reorders the outputs.
    order = [2, 0, 3, 1]
    shuffled = x.reshape(4, 4, 2)[order].reshape(16, 2)
    np.testing.assert_allclose(_numpy(d(shuffled)), out[order], rtol=1e-6, atol=1e-7)
    # As in PacGAN, a pack is a concatenation, so the order inside it matters; the samples of a
    # pack are independent draws, so that order carries no information D could use.
    swapped = x.copy()
    swapped[[8, 9]] = swapped[[9, 8]]
    assert not np.allclose(_numpy(d(swapped))[2], out[2])


def test_the_packed_critic_objective_splits_real_and_generated_packs():
    gan = remedies.build("pacgan4", seed=0)
    rng = np.random.default_rng(1)
    real = rng.normal(size=(8, 2)).astype("float32")
    fake = rng.normal(size=(8, 2)).astype("float32")
    loss, (acc, penalty) = gan.critic_objective(gan._d_call, real, fake, None, None)
    p_real, p_fake = _numpy(gan.discriminator(real)), _numpy(gan.discriminator(fake))
    assert p_real.shape == p_fake.shape == (2, 1)
    clip = lambda p: np.clip(p, losses.EPSILON, 1 - losses.EPSILON)  # noqa: E731
    expected = -np.mean(np.concatenate([np.log(clip(p_real)), np.log(1 - clip(p_fake))]))
    assert float(loss) == pytest.approx(expected, rel=1e-5)
    expected_acc = np.mean(np.concatenate([p_real > 0.5, p_fake <= 0.5]))
    assert float(acc) == pytest.approx(expected_acc) and float(penalty) == 0.0
    g_loss = gan.generator_objective(gan._g_call, gan._d_call,
                                     keras.ops.convert_to_tensor(real), None)
    assert np.isfinite(float(g_loss))


def test_packing_refuses_what_it_does_not_implement():
    with pytest.raises(ValueError, match="packing"):
        toy.mlp_gan(loss="wasserstein_gp", gan_class=remedy_gan.RemedyGAN,
                    gan_options={"pac": 2}, hidden=(8,))
    with pytest.raises(ValueError, match="multiple of pac"):
        remedies.run_one("pacgan4", "ring", 0, 1, "/nonexistent", batch=6)


# --- instance noise --------------------------------------------------------------------------
def test_instance_noise_is_active_in_training_only_and_anneals():
    x = np.zeros((20_000, 2), dtype="float32")
    constant = remedy_gan.InstanceNoise(0.5, seed=0)
    np.testing.assert_array_equal(_numpy(constant(x, training=False)), x)
    noisy = _numpy(constant(x, training=True))
    assert noisy.std() == pytest.approx(0.5, rel=0.03)
    assert not np.array_equal(noisy, _numpy(constant(x, training=True)))   # fresh noise
    annealed = remedy_gan.InstanceNoise(0.5, anneal_calls=4, seed=0)
    sds = [_numpy(annealed(x, training=True)).std() for _ in range(5)]
    np.testing.assert_allclose(sds, [0.5, 0.375, 0.25, 0.125, 0.0], rtol=0.03, atol=1e-12)
    assert float(annealed.calls) == 5.0
    annealed(x, training=False)
    assert float(annealed.calls) == 5.0                     # inference does not count


def test_instance_noise_reaches_d_in_both_updates_but_not_at_inference():
    steps = 10
    gan = remedies.build("instance_noise", seed=0, steps=steps)
    noise = gan.discriminator.get_layer("instance_noise")
    assert noise.anneal_calls == steps * 2                  # one D call per D and per G update
    x = np.random.default_rng(0).normal(size=(64, 2)).astype("float32")
    plain = _numpy(gan.discriminator(x, training=False))
    np.testing.assert_array_equal(plain, _numpy(gan.discriminator(x, training=False)))
    assert not np.allclose(_numpy(gan._d_call(x, None)), plain)          # training call
    gan.discriminator_update(x)
    gan.generator_update(64)
    assert float(noise.calls) == 3.0                        # the _d_call above, D, G


# --- the terms added to the losses -----------------------------------------------------------
def test_mode_seeking_term_against_numpy():
    fake = np.array([[0.0, 0.0], [1.0, 2.0], [3.0, 0.0], [1.0, 1.0]], dtype="float32")
    z = np.array([[0.0, 1.0], [2.0, 0.0], [1.0, 1.0], [0.0, 0.0]], dtype="float32")
    # pairs (0, 2) and (1, 3): |G| differences 3, 0, 0, 1 -> 1; |z| differences 1, 0, 2, 0 -> 0.75
    assert float(remedy_gan.mode_seeking_term(fake, z)) == pytest.approx(1 / (1 / 0.75 + 1e-5))


def test_the_weight_penalties_add_lambda_times_the_squared_kernels():
    rng = np.random.default_rng(2)
    real = rng.normal(size=(8, 2)).astype("float32")
    fake = rng.normal(size=(8, 2)).astype("float32")
    z = keras.ops.convert_to_tensor(rng.normal(size=(16, 2)).astype("float32"))
    d_gan = remedies.build("l2_d", seed=0)
    with_l2, _ = d_gan.critic_objective(d_gan._d_call, real, fake, None, None)
    without, _ = GAN.critic_objective(d_gan, d_gan._d_call, real, fake, None, None)
    by_hand = 1e-3 * sum((k ** 2).sum() for k in _kernels(d_gan.discriminator))
    assert by_hand > 0.05
    assert float(with_l2) - float(without) == pytest.approx(by_hand, rel=1e-4)
    g_gan = remedies.build("l2_g", seed=0)
    with_l2 = g_gan.generator_objective(g_gan._g_call, g_gan._d_call, z, None)
    without = GAN.generator_objective(g_gan, g_gan._g_call, g_gan._d_call, z, None)
    by_hand = 1e-3 * sum((k ** 2).sum() for k in _kernels(g_gan.generator))
    assert float(with_l2) - float(without) == pytest.approx(by_hand, rel=1e-4)
    # L2 on G does not touch D's objective, and vice versa.
    same, _ = g_gan.critic_objective(g_gan._d_call, real, fake, None, None)
    base, _ = GAN.critic_objective(g_gan, g_gan._d_call, real, fake, None, None)
    assert float(same) == float(base)


@pytest.mark.all_backends
@pytest.mark.parametrize("net", ["discriminator", "generator"])
def test_a_weight_penalty_reaches_the_update_on_every_backend(net):
    """With plain SGD an L2 penalty λ‖W‖² moves each kernel by −lr·2λ·W beyond the data's own
    gradient: the penalty is differentiated with the weights it reads, on JAX's stateless step
    too (where the weights are values, not variables)."""
    lam, lr = 0.5, 0.1
    real, _ = mixtures.ring_of_gaussians(8, seed=1)
    after = {}
    for l2 in (0.0, lam):
        gan = toy.mlp_gan(seed=0, gan_class=remedy_gan.RemedyGAN,
                          gan_options={"d_l2" if net == "discriminator" else "g_l2": l2})
        gan.compile(d_optimizer=keras.optimizers.SGD(lr), g_optimizer=keras.optimizers.SGD(lr))
        before = _kernels(getattr(gan, net))
        if net == "discriminator":
            gan.discriminator_update(real, None)
        else:
            gan.generator_update(16)
        after[l2] = _kernels(getattr(gan, net))
    for w0, plain, penalised in zip(before, after[0.0], after[lam]):
        np.testing.assert_allclose(penalised - plain, -lr * 2 * lam * w0, rtol=1e-3, atol=1e-6)


def test_the_mode_seeking_row_adds_msgan_term_to_g_loss_only():
    rng = np.random.default_rng(3)
    z = rng.normal(size=(16, 2)).astype("float32")
    gan = remedies.build("mode_seeking", seed=0)
    with_term = gan.generator_objective(gan._g_call, gan._d_call, keras.ops.convert_to_tensor(z),
                                        None)
    without = GAN.generator_objective(gan, gan._g_call, gan._d_call,
                                      keras.ops.convert_to_tensor(z), None)
    g = _numpy(gan.generator(z))
    ratio = np.abs(g[:8] - g[8:]).mean() / np.abs(z[:8] - z[8:]).mean()
    assert float(with_term) - float(without) == pytest.approx(1.0 / (ratio + 1e-5), rel=1e-4)


# --- runs, cards, table ----------------------------------------------------------------------
def test_run_one_writes_card_and_samples_resumes_and_recounts(tmp_path, monkeypatch):
    card = remedies.run_one("pacgan4", "grid", 3, 4, tmp_path, n_train=512, n_samples=300,
                            profile="test", compile_options={"jit_compile": False})
    folder = tmp_path / "grid" / "pacgan4" / "seed3"
    samples = np.load(folder / "samples.npy")
    assert samples.shape == (300, 2) and samples.dtype == np.float32
    on_disk = json.loads((folder / "card.json").read_text())
    assert on_disk == json.loads(json.dumps(card))
    assert card["kind"] == "toy_gan" and card["seed"] == 3 and card["steps"] == 4
    assert card["batch"] == 64 and card["loss"] == "non_saturating" and card["profile"] == "test"
    assert card["precision"] == "float32" and card["seconds"] > 0 and card["hardware"]
    assert card["metrics"]["n_samples"] == 300 and len(card["metrics"]["per_mode"]) == 25
    assert card["config"]["row"]["gan_options"] == {"pac": 4}
    assert card["config"]["jit_compile"] is False and card["config"]["steps_per_execution"] == 25
    assert card["history"]["step"][-1] == 4
    # Resumable: a finished run is read back, not trained again.
    monkeypatch.setattr(toy, "train_toy", lambda *a, **k: pytest.fail("trained again"))
    seen = []
    cards = remedies.run_grid(tmp_path, seeds=[3], steps=4, datasets=["grid"],
                              variants=["pacgan4"], on_done=lambda c, skipped: seen.append(skipped))
    assert seen == [True] and cards[0] == on_disk
    with pytest.raises(ValueError, match="not 5"):
        remedies.run_grid(tmp_path, seeds=[3], steps=5, datasets=["grid"], variants=["pacgan4"])
    recounted = remedies.recount(tmp_path)
    assert len(recounted) == 1 and bool(recounted["same"].iloc[0])
    assert recounted["modes"].iloc[0] == card["metrics"]["modes_captured"]
    table = remedies.load_table(tmp_path)
    assert table[["dataset", "variant", "n_seeds", "steps"]].values.tolist() == [
        ["grid", "pacgan4", 1, 4]]
    assert table["modes_mean"].iloc[0] == card["metrics"]["modes_captured"]


def test_count_handles_a_diverged_generator():
    stats = remedies.count(np.full((10, 2), np.nan), "ring")
    assert stats["modes_captured"] == 0 and stats["diverged"] and stats["kl"] is None
    centers = mixtures.ring_centers()
    assert remedies.count(centers, "ring")["modes_captured"] == 8


def test_plans_and_profiles():
    plan = remedies.plan_runs(seeds=[0, 1], datasets=["ring", "grid"], variants=["standard"])
    assert plan == [(0, "ring", "standard"), (0, "grid", "standard"),
                    (1, "ring", "standard"), (1, "grid", "standard")]
    full = remedies.plan_runs(seeds=FULL["seeds"], datasets=FULL["datasets"],
                              variants=FULL["variants"])
    assert len(FULL["seeds"]) >= 5
    assert {r for _, d, r in full if d == "ring"} == set(remedies.VARIANTS)
    assert {"standard", "wgan_gp", "pacgan4"} <= {r for _, d, r in full if d == "grid"}
    quick = remedies.plan_runs(seeds=QUICK["seeds"],
                               datasets=QUICK["datasets"], variants=QUICK["variants"])
    assert len(quick) * QUICK["steps"] <= 1000     # well under a minute on a CPU
    for bad, match in (({"seeds": []}, "seeds"), ({"seeds": [-1]}, "seeds"),
                       ({"seeds": [0], "variants": ["nope"]}, "unknown variant"),
                       ({"seeds": [0], "datasets": ["moon"]}, "unknown dataset")):
        with pytest.raises(ValueError, match=match):
            remedies.plan_runs(**bad)


@pytest.mark.parametrize("argv, message", [
    (["--profile", "huge"], "invalid choice"),
    (["--variants", "nope"], "unknown variant 'nope'"),
    (["--rows", "nope"], "unknown variant 'nope'"),  # the flag's old name still works
    (["--datasets", "moon"], "unknown dataset 'moon'"),
    (["--steps", "0"], "steps must be a positive integer"),
    (["--seeds", "-1"], "seeds must be non-negative"),
    (["--steps", "many"], "invalid int value"),
])
def test_cli_errors_are_one_line_with_status_2(argv, message, capsys, tmp_path):
    with pytest.raises(SystemExit) as exit_info:
        remedies.main(["--out", str(tmp_path), *argv])
    assert exit_info.value.code == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and message in err and "Traceback" not in err
    assert not any(tmp_path.iterdir())


def test_cli_dry_run_prints_the_plan(capsys, tmp_path):
    assert remedies.main(["--out", str(tmp_path), "--profile", "full", "--dry-run"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == len(remedies.plan_runs(seeds=FULL["seeds"],
                                                datasets=FULL["datasets"],
                                                variants=FULL["variants"]))
    assert lines[0] == f"ring standard seed 0: {FULL['steps']} steps"


# --- the committed results -------------------------------------------------------------------
def test_the_committed_table_has_five_seeds_per_row_and_recounts():
    table = remedies.load_table()
    for dataset in FULL["datasets"]:
        rows = FULL["variants"][dataset]
        got = table[table["dataset"] == dataset]
        assert list(got["variant"]) == list(rows)
        assert (got["n_seeds"] >= 5).all(), got[["variant", "n_seeds"]]
        assert (got["steps"] == FULL["steps"]).all()
    assert remedies.recount()["same"].all()
    assert remedies.published_table()["modes"].notna().all()
