"""Each library's convention against kd_loss (or a hand computation), float64, over a grid of T, weights and shapes.

Every test names the relation it checks: equal; equal up to a factor; equal except at a named setting.
"""
import math

import pytest
import torch
import torch.nn.functional as F

from distill_helpers.teaching import conventions as C
from distill_helpers.losses import kd_loss

SHAPES = [(1, 2), (7, 10), (32, 100)]
TS = [1.0, 4.0, 10.0]


def _batch(shape, seed=0, scale=3.0):
    g = torch.Generator().manual_seed(seed)
    s = torch.randn(shape, generator=g, dtype=torch.float64)
    t = torch.randn(shape, generator=g, dtype=torch.float64) * scale
    y = torch.randint(0, shape[1], (shape[0],), generator=g)
    return s, t, y


def _close(a, b, rtol=1e-12):
    assert torch.allclose(torch.as_tensor(a, dtype=torch.float64), torch.as_tensor(b, dtype=torch.float64),
                          rtol=rtol, atol=1e-12), (float(a), float(b))


def _via_translation(name, s, t, y, **settings):
    tr = C.translate(name, **settings)
    return tr.scale * kd_loss(s, t, y, **tr.kwargs) + tr.offset(t)


# ---------------------------------------------------------------- torchdistill

@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("T", TS)
@pytest.mark.parametrize("alpha", [0.1, 0.5, 0.9, 1.0])
def test_torchdistill_equals_kd_loss_with_alpha_flipped(shape, T, alpha):
    """Equal: torchdistill(alpha=a) == kd_loss(alpha=1-a), for every a > 0."""
    s, t, y = _batch(shape)
    _close(C.torchdistill_kd_loss(s, t, y, temperature=T, alpha=alpha), kd_loss(s, t, y, T=T, alpha=1 - alpha))
    _close(C.torchdistill_kd_loss(s, t, y, temperature=T, alpha=alpha), _via_translation("torchdistill", s, t, y, temperature=T, alpha=alpha))


@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("T", TS)
def test_torchdistill_at_alpha_zero_drops_the_T_squared(shape, T):
    """Equal except at alpha = 0 (or None, or no targets): there it is 1/T^2 of kd_loss(alpha=1)."""
    s, t, y = _batch(shape)
    pure = kd_loss(s, t, y, T=T, alpha=1.0)
    for value in (C.torchdistill_kd_loss(s, t, y, temperature=T, alpha=0),
                  C.torchdistill_kd_loss(s, t, y, temperature=T, alpha=None, beta=1.0),
                  C.torchdistill_kd_loss(s, t, None, temperature=T, alpha=0.5)):
        _close(value * T ** 2, pure)
    _close(_via_translation("torchdistill", s, t, y, temperature=T, alpha=0), pure / T ** 2)
    # moving alpha from 0 to a hair above 0 multiplies the soft term by T^2: the discontinuity, measured
    eps = 1e-9
    jump = C.torchdistill_kd_loss(s, t, y, temperature=T, alpha=eps) / C.torchdistill_kd_loss(s, t, y, temperature=T, alpha=0)
    assert abs(jump.item() - T ** 2) < 1e-6 * T ** 2 * max(1.0, F.cross_entropy(s, y).item())


def test_torchdistill_defaults_raise_like_the_library():
    s, t, y = _batch((4, 3))
    with pytest.raises(TypeError):
        C.torchdistill_kd_loss(s, t, y, temperature=2.0)  # alpha = beta = None: 1 - None


# ---------------------------------------------------------------- Keras

@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("T", TS)
@pytest.mark.parametrize("alpha", [0.0, 0.1, 0.5, 1.0])
def test_keras_example_equals_kd_loss_while_nothing_is_clipped(shape, T, alpha):
    """Equal (alpha flipped) while every probability is above 1e-7, Keras' clipping threshold."""
    s, t, y = _batch(shape, scale=1.0)
    assert min(F.softmax(s / T, 1).min(), F.softmax(t / T, 1).min()) > C.KERAS_EPSILON
    _close(C.keras_example_kd_loss(s, t, y, alpha=alpha, temperature=T), kd_loss(s, t, y, T=T, alpha=1 - alpha))
    _close(C.keras3_distiller_loss(s, t, y, temperature=T, student_loss_weight=alpha), kd_loss(s, t, y, T=T, alpha=1 - alpha))
    _close(C.keras_example_kd_loss(s, t, y, alpha=alpha, temperature=T),
           _via_translation("keras_example", s, t, y, alpha=alpha, temperature=T))


def test_keras_clipping_by_hand():
    """Equal except below 1e-7: a confident teacher's tiny probabilities are clipped, by a hand computation."""
    t = torch.tensor([[20.0, 0.0, 0.0]], dtype=torch.float64)
    s = torch.tensor([[0.0, 0.0, 0.0]], dtype=torch.float64)
    z = math.exp(20) + 2
    p = [math.exp(20) / z, 1 / z, 1 / z]               # 1/z ~ 2e-9 < 1e-7: clipped up to 1e-7
    clipped = sum(max(pi, 1e-7) * math.log(max(pi, 1e-7) / (1 / 3)) for pi in p)
    exact = sum(pi * math.log(pi / (1 / 3)) for pi in p)
    y = torch.tensor([0])
    _close(C.keras_example_kd_loss(s, t, y, alpha=0.0, temperature=1), clipped)
    assert abs(clipped - exact) > 1e-7  # the difference the clipping makes here: about 2e-7 nats
    _close(kd_loss(s, t, y, T=1.0, alpha=1.0), exact)


def test_keras3_non_kl_loss_sees_logits_as_probabilities():
    """No translation: 'categorical_crossentropy' normalises the scaled logits as if they were probabilities."""
    s = torch.tensor([[1.0, 2.0, 3.0]], dtype=torch.float64)
    t = torch.tensor([[3.0, 1.0, 2.0]], dtype=torch.float64)
    y, T = torch.tensor([2]), 2.0
    pred = [v / 6.0 for v in (1.0, 2.0, 3.0)]            # (s/T) / sum(s/T): logits treated as probabilities
    by_hand = -sum(tv / T * math.log(pv) for tv, pv in zip((3.0, 1.0, 2.0), pred))
    ce = -math.log(math.exp(3) / sum(math.exp(v) for v in (1, 2, 3)))
    _close(C.keras3_distiller_loss(s, t, y, temperature=T, loss="categorical_crossentropy"), 0.5 * ce + 0.5 * by_hand)
    with pytest.raises(C.NoTranslation, match="probabilities"):
        C.translate("keras3", loss="categorical_crossentropy")


# ---------------------------------------------------------------- separate weights: RepDistiller, mdistiller, DistilBERT

WEIGHTS = [(0.1, 0.9), (1.0, 1.0), (0.0, 2.5), (3.0, 0.0)]


@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("T", TS)
@pytest.mark.parametrize("w_hard,w_soft", WEIGHTS)
def test_separate_weights_equal_kd_loss_up_to_their_sum(shape, T, w_hard, w_soft):
    """Equal up to a factor: w_hard CE + w_soft T^2 KL == (w_hard + w_soft) kd_loss(alpha = w_soft / sum)."""
    s, t, y = _batch(shape)
    ref = (w_hard + w_soft) * kd_loss(s, t, y, T=T, alpha=w_soft / (w_hard + w_soft))
    _close(C.repdistiller_kd_loss(s, t, y, kd_T=T, gamma=w_hard, alpha=w_soft, beta=0.7), ref)
    _close(C.mdistiller_kd_loss(s, t, y, temperature=T, ce_weight=w_hard, kd_weight=w_soft), ref)
    _close(C.distilbert_ce_loss(s, t, y, temperature=T, alpha_ce=w_soft, alpha_mlm=w_hard), ref)
    for name, kw in (("repdistiller", dict(kd_T=T, gamma=w_hard, alpha=w_soft)),
                     ("mdistiller", dict(temperature=T, ce_weight=w_hard, kd_weight=w_soft)),
                     ("distilbert", dict(temperature=T, alpha_ce=w_soft, alpha_mlm=w_hard))):
        _close(_via_translation(name, s, t, y, **kw), ref)


def test_distilbert_ignores_masked_labels_in_the_mlm_term():
    s, t, y = _batch((6, 5))
    masked = y.clone()
    masked[::2] = -100
    hand = 2.0 * F.cross_entropy(s[1::2], y[1::2]) + 0.5 * kd_loss(s, t, None, T=2.0, alpha=1.0)
    _close(C.distilbert_ce_loss(s, t, masked, temperature=2.0, alpha_ce=0.5, alpha_mlm=2.0), hand)


# ---------------------------------------------------------------- soft cross-entropy: TextBrewer, PyTorch tutorial

@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("T", TS)
def test_textbrewer_is_kl_over_T_squared_plus_teacher_entropy(shape, T):
    """Equal up to 1/T^2 plus a constant (the teacher's entropy); the gradient is 1/T^2 of kd_loss's."""
    s, t, y = _batch(shape)
    p = F.softmax(t / T, 1)
    entropy = -(p * p.log()).sum(1).mean()
    _close(C.textbrewer_kd_ce_loss(s, t, temperature=T), kd_loss(s, t, None, T=T, alpha=1.0) / T ** 2 + entropy)
    _close(C.textbrewer_kd_ce_loss(s, t, temperature=T), _via_translation("textbrewer", s, t, y, temperature=T))
    a, b = s.clone().requires_grad_(True), s.clone().requires_grad_(True)
    C.textbrewer_kd_ce_loss(a, t, temperature=T).backward()
    (kd_loss(b, t, None, T=T, alpha=1.0) / T ** 2).backward()
    _close(0.0, (a.grad - b.grad).abs().max())
    _close(C.textbrewer_kd_ce_loss(t, t, temperature=T), entropy)  # never 0 for equal logits


@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("T", TS)
@pytest.mark.parametrize("w_soft,w_ce", [(0.25, 0.75), (1.0, 0.0), (0.5, 2.0)])
def test_pytorch_tutorial_is_kd_loss_plus_a_constant(shape, T, w_soft, w_ce):
    """Equal up to the factor w_soft + w_ce, plus w_soft T^2 H(teacher); same gradient up to the factor."""
    s, t, y = _batch(shape)
    p = F.softmax(t / T, 1)
    const = w_soft * T ** 2 * -(p * p.log()).sum(1).mean()
    ref = (w_soft + w_ce) * kd_loss(s, t, y, T=T, alpha=w_soft / (w_soft + w_ce)) + const
    kw = dict(T=T, soft_target_loss_weight=w_soft, ce_loss_weight=w_ce)
    _close(C.pytorch_tutorial_kd_loss(s, t, y, **kw), ref)
    _close(_via_translation("pytorch_tutorial", s, t, y, **kw), ref)


# ---------------------------------------------------------------- DKD

def _mdistiller_style_dkd(s, t, y, alpha, beta, T):
    """The same loss by the library's method (a second formulation): masks by -1000 on the target logit."""
    gt = F.one_hot(y, s.shape[1]).bool()
    ps, pt = F.softmax(s / T, 1), F.softmax(t / T, 1)
    bs = torch.stack([(ps * gt).sum(1), (ps * ~gt).sum(1)], 1)
    bt = torch.stack([(pt * gt).sum(1), (pt * ~gt).sum(1)], 1)
    tckd = (bt * (bt.log() - bs.log())).sum() * T ** 2 / len(y)
    log_qs = F.log_softmax(s / T - 1000.0 * gt, 1)
    pt2 = F.softmax(t / T - 1000.0 * gt, 1)
    nckd = (pt2 * (torch.log(pt2.clamp_min(1e-300)) - log_qs)).sum() * T ** 2 / len(y)
    return alpha * tckd + beta * nckd


@pytest.mark.parametrize("shape", [(7, 10), (32, 100), (3, 2)])
@pytest.mark.parametrize("T", TS)
def test_dkd_decomposition_and_second_formulation(shape, T):
    """KD = TCKD + (1 - p_t) NCKD, example by example; dkd_loss equals the -1000-mask formulation."""
    s, t, y = _batch(shape)
    parts = C.dkd_parts(s, t, y, T)
    per_example = T ** 2 * F.kl_div(F.log_softmax(s / T, 1), F.log_softmax(t / T, 1), reduction="none",
                                    log_target=True).sum(1)
    _close(parts["tckd"] + (1 - parts["p_t"]) * parts["nckd"], per_example)
    _close((parts["tckd"] + (1 - parts["p_t"]) * parts["nckd"]).mean(), kd_loss(s, t, y, T=T, alpha=1.0))
    for alpha, beta in ((1.0, 8.0), (1.0, 1.0), (0.5, 2.0)):
        _close(C.dkd_loss(s, t, y, alpha=alpha, beta=beta, temperature=T), _mdistiller_style_dkd(s, t, y, alpha, beta, T),
               rtol=1e-9)


def test_dkd_has_no_kd_loss_equivalent():
    """No translation: even at alpha = beta = 1, DKD exceeds KD by the mean of p_t NCKD."""
    s, t, y = _batch((32, 10))
    parts = C.dkd_parts(s, t, y, 4.0)
    gap = C.dkd_loss(s, t, y, alpha=1.0, beta=1.0) - kd_loss(s, t, y, T=4.0, alpha=1.0)
    _close(gap, (parts["p_t"] * parts["nckd"]).mean())
    assert gap > 1e-3
    with pytest.raises(C.NoTranslation, match="1 - p_t"):
        C.translate("dkd", alpha=1.0, beta=8.0)


# ---------------------------------------------------------------- TRL's generalised JSD

@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("T", TS)
def test_trl_beta_zero_is_the_forward_kl_and_one_the_reverse(shape, T):
    """Equal at beta = 0 to kd_loss(alpha=1)/T^2; at beta = 1, the reverse KL by hand; no translation between."""
    s, t, y = _batch(shape)
    _close(C.trl_generalized_jsd(s, t, beta=0, temperature=T), kd_loss(s, t, None, T=T, alpha=1.0) / T ** 2)
    _close(_via_translation("trl", s, t, y, beta=0, temperature=T), kd_loss(s, t, None, T=T, alpha=1.0) / T ** 2)
    q, p = F.softmax(s / T, 1), F.softmax(t / T, 1)
    _close(C.trl_generalized_jsd(s, t, beta=1, temperature=T), (q * (q.log() - p.log())).sum(1).mean())
    with pytest.raises(C.NoTranslation):
        C.translate("trl", beta=0.5)


def test_trl_interior_beta_by_hand_and_its_scale():
    """JSD_beta by hand with M = beta T + (1 - beta) S; symmetric under (S, T, beta) -> (T, S, 1 - beta); small at small beta."""
    s, t, _ = _batch((16, 10))
    q, p = F.softmax(s, 1), F.softmax(t, 1)
    for beta in (0.1, 0.5, 0.9):
        m = beta * p + (1 - beta) * q
        hand = (beta * (p * (p / m).log()).sum(1) + (1 - beta) * (q * (q / m).log()).sum(1)).mean()
        _close(C.trl_generalized_jsd(s, t, beta=beta), hand)
        _close(C.trl_generalized_jsd(s, t, beta=beta), C.trl_generalized_jsd(t, s, beta=1 - beta))
    ratio = C.trl_generalized_jsd(s, t, beta=0.01) / C.trl_generalized_jsd(s, t, beta=0)
    assert ratio < 0.05, "an interior beta near 0 is orders of magnitude below the forward KL it is next to"


def test_trl_masks_and_batchmean():
    """labels is a mask: -100 rows are dropped and batchmean divides by the rows kept; 3-D logits without labels
    are divided by the batch size, not by the number of tokens."""
    s, t, _ = _batch((6, 5))
    mask = torch.tensor([0, -100, 3, -100, 1, 2])
    keep = mask != -100
    _close(C.trl_generalized_jsd(s, t, mask, beta=0), kd_loss(s[keep], t[keep], None, T=1.0, alpha=1.0))
    s3, t3 = s.reshape(2, 3, 5), t.reshape(2, 3, 5)
    _close(C.trl_generalized_jsd(s3, t3, beta=0), 3 * kd_loss(s, t, None, T=1.0, alpha=1.0))


# ---------------------------------------------------------------- the decoder ring itself

def test_every_convention_has_a_row_a_citation_and_a_translator_answer():
    s, t, y = _batch((8, 10))
    assert set(C.CONVENTIONS) == set(C._TRANSLATORS)
    for name, conv in C.CONVENTIONS.items():
        assert "@" in conv.source and conv.fn.__doc__ and "commit" in conv.fn.__doc__, name
        args = (s, t) if name in ("textbrewer", "trl") else (s, t, y)
        value = conv.fn(*args, **conv.defaults)
        try:
            tr = C.translate(name, **conv.defaults)
        except C.NoTranslation:
            assert name in ("dkd", "trl"), name
            continue
        _close(value, tr.scale * kd_loss(s, t, y, **tr.kwargs) + tr.offset(t))
    with pytest.raises(ValueError, match="unknown convention"):
        C.translate("distiller")
