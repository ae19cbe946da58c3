"""distill_helpers.lm against independent references: hand computations, closed forms, brute force."""
import math

import pytest
import torch
import torch.nn.functional as F
from torch import nn

from distill_helpers import lm
from distill_helpers.checkpoints import load_model
from distill_helpers.losses import kd_loss

torch.set_default_dtype(torch.float32)
LANG = lm.ToyLanguage()
TINY = {"d_model": 8, "n_layers": 2, "n_heads": 2, "d_ff": 16}


def tiny_model(seed=0, context=16):
    torch.manual_seed(seed)
    return lm.CharTransformer(LANG.vocab_size, context, **TINY).eval()


# ---------------------------------------------------------------- forward vs reverse KL on a bimodal target

@pytest.mark.parametrize("d, w", [(0.0, 0.5), (3.0, 0.5), (6.0, 0.5), (4.0, 0.3)])
def test_forward_kl_fit_is_moment_matching(d, w):
    # Closed form: argmin_q KL(p||q) over Gaussians matches p's mean and variance.
    mean = -w * d / 2 + (1 - w) * d / 2
    var = 1.0 + d * d / 4 - mean ** 2
    fit = lm.fit_gaussian(d, "forward", w=w)
    assert fit["mu"] == pytest.approx(mean, abs=1e-4)
    assert fit["sigma"] == pytest.approx(math.sqrt(var), rel=1e-4)


def test_reverse_kl_fit_seeks_one_mode_when_modes_are_apart():
    fit = lm.fit_gaussian(10.0, "reverse")
    # Far-apart modes: q sits on one of them with its width, and KL(q||p) -> log(1 / 0.5) = log 2.
    assert abs(fit["mu"]) == pytest.approx(5.0, abs=1e-3)
    assert fit["sigma"] == pytest.approx(1.0, abs=1e-3)
    assert fit["kl"] == pytest.approx(math.log(2), abs=1e-4)
    # The forward fit to the same target is centred between the modes, far wider.
    fwd = lm.fit_gaussian(10.0, "forward")
    assert abs(fwd["mu"]) < 1e-4 and fwd["sigma"] > 5


def test_reverse_kl_fit_is_central_for_a_unimodal_mixture():
    # Equal mixtures with d <= 2 sigma are unimodal; the reverse fit stays in the middle.
    fit = lm.fit_gaussian(1.0, "reverse")
    assert abs(fit["mu"]) < 1e-3
    # and it is a minimum: nudging mu or sigma raises the numerically integrated KL(q||p)
    x = torch.linspace(-15, 15, 6001, dtype=torch.float64)
    dx = float(x[1] - x[0])
    p = lm.bimodal_density(x, 1.0)
    kl = lambda mu, s: lm.kl_on_grid(lm.gaussian_density(x, mu, s), p, dx).item()  # noqa: E731
    best = kl(fit["mu"], fit["sigma"])
    for dm, ds in ((0.05, 0), (-0.05, 0), (0, 0.05), (0, -0.05)):
        assert kl(fit["mu"] + dm, fit["sigma"] + ds) > best


def test_kl_on_grid_matches_the_gaussian_closed_form():
    x = torch.linspace(-20, 20, 8001, dtype=torch.float64)
    dx = float(x[1] - x[0])
    m1, s1, m2, s2 = 0.3, 1.2, -0.5, 0.7
    closed = math.log(s2 / s1) + (s1 ** 2 + (m1 - m2) ** 2) / (2 * s2 ** 2) - 0.5
    got = lm.kl_on_grid(lm.gaussian_density(x, m1, s1), lm.gaussian_density(x, m2, s2), dx).item()
    assert got == pytest.approx(closed, rel=1e-6)


def test_fit_gaussian_rejects_a_bad_direction():
    with pytest.raises(ValueError, match="forward"):
        lm.fit_gaussian(2.0, "backward")


# ---------------------------------------------------------------- the toy language

def test_true_next_by_hand():
    p = LANG.true_next("")
    i = LANG.index
    # first words: a .25, the .2 + .15, two .15, every .1, some .15
    assert p[i["a"]].item() == pytest.approx(0.25)
    assert p[i["t"]].item() == pytest.approx(0.5)
    assert p[i["e"]].item() == pytest.approx(0.1)
    assert p[i["s"]].item() == pytest.approx(0.15)
    assert p.sum().item() == pytest.approx(1.0)
    # after "the cat": singular "the" (.2) then "cat" (.6 * .3), or plural "the" (.15) then "cats" (.6 * .3)
    q = LANG.true_next("the cat")
    assert q[i[" "]].item() == pytest.approx(0.2 / 0.35)
    assert q[i["s"]].item() == pytest.approx(0.15 / 0.35)
    # agreement: after "the cats " only plural verbs, so "sleep" + 's' is impossible
    assert LANG.true_next("the cats sleep")[i["s"]].item() == 0.0
    assert LANG.true_next("the cat sleep")[i["s"]].item() == pytest.approx(1.0)


def test_sentence_probability_by_hand():
    # a (.25) cat (.6 * .3) sleeps (.15) then stop (.65): the sentence ends with '.'
    want = math.log(0.25 * 0.6 * 0.3 * 0.15 * 0.65)
    assert LANG.log_prob("a cat sleeps.") == pytest.approx(want)
    assert LANG.log_prob("a cats sleeps.") == -math.inf
    assert LANG.log_prob("a cat sleeps") == -math.inf  # incomplete


def test_samples_match_the_true_first_character_distribution():
    sents = LANG.sample(4000, seed=5)
    counts = torch.zeros(LANG.vocab_size, dtype=torch.float64)
    for s in sents:
        counts[LANG.index[s[0]]] += 1
    p = LANG.true_next("")
    se = (p * (1 - p) / len(sents)).sqrt()
    assert ((counts / len(sents) - p).abs() <= 4 * se + 1e-12).all()
    assert all(LANG.log_prob(s) > -math.inf for s in sents[:200])


def test_true_distributions_agree_with_true_next():
    sents = LANG.sample(5, seed=3)
    tokens = LANG.encode(sents, 64)
    truth = LANG.true_distributions(tokens)
    mask = lm.target_mask(tokens)
    for r, s in enumerate(sents):
        assert int(mask[r].sum()) == min(len(s), 64)
        for t in range(int(mask[r].sum())):
            assert torch.allclose(truth[r, t], LANG.true_next(s[:t]))


def test_encode_decode_round_trip_and_bad_characters():
    sents = ["a cat sleeps.", "two dogs see a bird."]
    assert LANG.decode(LANG.encode(sents, 32)) == sents
    with pytest.raises(ValueError, match="outside the vocabulary"):
        LANG.encode(["A cat!"], 32)


# ---------------------------------------------------------------- the model

def test_causal_mask_perturbing_a_later_token_leaves_earlier_logits_unchanged():
    model = tiny_model()
    torch.manual_seed(1)
    x = torch.randint(0, LANG.vocab_size, (3, 16))
    base = model(x)
    for j in (1, 7, 15):
        x2 = x.clone()
        x2[:, j] = (x2[:, j] + 1) % LANG.vocab_size
        out = model(x2)
        assert torch.equal(out[:, :j], base[:, :j]) or torch.allclose(out[:, :j], base[:, :j], atol=1e-6)
        assert not torch.allclose(out[:, j], base[:, j])  # the perturbed position itself does change


def test_kv_cache_gives_the_full_forward_logits():
    model = tiny_model()
    x = torch.randint(0, LANG.vocab_size, (2, 12))
    full = model(x)
    cache = [[] for _ in model.blocks]
    steps = [model(x[:, t:t + 1], start=t, cache=cache) for t in range(12)]
    assert torch.allclose(torch.cat(steps, 1), full, atol=1e-5)


def test_model_rejects_bad_input():
    model = tiny_model()
    with pytest.raises(ValueError, match="int64"):
        model(torch.zeros(2, 3))
    with pytest.raises(ValueError, match="context"):
        model(torch.zeros(1, 17, dtype=torch.long))


def test_generation_is_deterministic_with_a_seed_and_well_formed():
    model = tiny_model()
    a = lm.generate(model, 20, seed=3)
    b = lm.generate(model, 20, seed=3)
    c = lm.generate(model, 20, seed=4)
    assert torch.equal(a, b) and not torch.equal(a, c)
    assert (a[:, 0] == 0).all()
    # after the first '.', only padding
    for row in a.tolist():
        if 1 in row[1:]:
            end = row.index(1, 1)
            assert all(v == 0 for v in row[end + 1:])
    # batch size does not change the samples? It does change the RNG order; the same call repeats exactly.
    assert torch.equal(lm.generate(model, 20, seed=3, batch_size=7), lm.generate(model, 20, seed=3, batch_size=7))


class ScriptedLM(nn.Module):
    """A 'teacher' that always writes one fixed sentence: its logits are +inf-like on the scripted token."""

    def __init__(self, text: str, context: int = 16):
        super().__init__()
        self.context, self.blocks = context, []
        self.ids = [LANG.index[c] for c in text]

    def forward(self, idx, start=0, cache=None):
        B, t = idx.shape
        out = torch.full((B, t, LANG.vocab_size), -30.0)
        for j in range(t):
            pos = start + j
            out[:, j, self.ids[pos] if pos < len(self.ids) else 1] = 30.0
        return out


def test_sequence_level_data_is_the_teachers_samples():
    teacher = ScriptedLM("a fox sleeps.")
    corpus = lm.teacher_corpus(teacher, 5, seed=0)
    assert LANG.decode(corpus) == ["a fox sleeps."] * 5


def test_teacher_samples_follow_the_teachers_distribution_not_the_corpus():
    # An untrained teacher's first-character distribution is far from the language's; samples follow the teacher.
    teacher = tiny_model(seed=2)
    with torch.no_grad():
        teacher.head.bias.copy_(torch.linspace(-2, 2, LANG.vocab_size))
        p = F.softmax(teacher(torch.zeros(1, 1, dtype=torch.long))[0, -1].double(), -1)
    p[1] += p[0]  # BOS is read as '.'
    p[0] = 0
    corpus = lm.teacher_corpus(teacher, 3000, seed=1)
    freq = torch.bincount(corpus[:, 1], minlength=LANG.vocab_size).double() / 3000
    se = (p * (1 - p) / 3000).sqrt()
    assert ((freq - p).abs() <= 4 * se + 1e-9).all()
    assert (freq - LANG.true_next("")).abs().max() > 0.2


# ---------------------------------------------------------------- losses

def hand_kl(p, q):
    return sum(pi * math.log(pi / qi) for pi, qi in zip(p, q) if pi > 0)


def softmax_list(z):
    m = max(z)
    e = [math.exp(v - m) for v in z]
    return [v / sum(e) for v in e]


def test_each_kl_direction_against_a_hand_computation():
    zs = [[0.2, -1.0, 2.0, 0.5], [1.0, 1.0, -3.0, 0.0]]
    vs = [[1.5, 0.0, -0.5, 0.3], [0.0, 2.0, 1.0, -1.0]]
    s, t = torch.tensor(zs, dtype=torch.float64), torch.tensor(vs, dtype=torch.float64)
    fwd = sum(hand_kl(softmax_list(v), softmax_list(z)) for z, v in zip(zs, vs)) / 2
    rev = sum(hand_kl(softmax_list(z), softmax_list(v)) for z, v in zip(zs, vs)) / 2
    assert kd_loss(s, t, None, T=1.0, alpha=1.0).item() == pytest.approx(fwd, rel=1e-10)
    assert lm.reverse_kl(s, t).item() == pytest.approx(rev, rel=1e-10)
    assert abs(fwd - rev) > 1e-3  # the two directions really differ here
    # and the gradient of the reverse KL flows through the student only
    s.requires_grad_(True)
    t.requires_grad_(True)
    lm.reverse_kl(s, t).backward()
    assert s.grad.abs().sum() > 0 and t.grad is None


def test_reverse_kl_gradient_by_finite_differences():
    s = torch.tensor([[0.3, -0.2, 1.1]], dtype=torch.float64, requires_grad=True)
    t = torch.tensor([[1.0, 0.0, -1.0]], dtype=torch.float64)
    torch.autograd.gradcheck(lambda z: lm.reverse_kl(z, t), (s,))


def _dense_topk_kl(p: list, q: list, k: int, tail: str) -> float:
    """KL of the teacher's top-k (p) against the student (q), by hand on full distributions: "renormalise"
    rescales the top k to sum to 1; "bucket" keeps them and lumps every other class into one."""
    top = sorted(range(len(p)), key=lambda j: -p[j])[:k]
    rest = [j for j in range(len(p)) if j not in top]
    if tail == "renormalise":
        mass = sum(p[j] for j in top)
        return hand_kl([p[j] / mass if j in top else 0.0 for j in range(len(p))], q)
    return hand_kl([p[j] for j in top] + [sum(p[j] for j in rest)], [q[j] for j in top] + [sum(q[j] for j in rest)])


@pytest.mark.parametrize("tail, rows, classes, ks, seed, rel", [("renormalise", 4, 7, (1, 3, 7), 0, 1e-5),
                                                              ("bucket", 3, 6, (1, 2, 5), 1, 1e-4)])
def test_topk_kd_loss_against_a_dense_computation(tail, rows, classes, ks, seed, rel):
    torch.manual_seed(seed)
    z, v = torch.randn(rows, classes, dtype=torch.float64), torch.randn(rows, classes, dtype=torch.float64) * 2
    for k in ks:
        lp, ids = lm.topk_from_logits(v, k)
        got = lm.topk_kd_loss(z, lp.double(), ids, tail=tail).item()
        want = sum(_dense_topk_kl(softmax_list(v[r].tolist()), softmax_list(z[r].tolist()), k, tail)
                   for r in range(rows)) / rows
        assert got == pytest.approx(want, rel=rel)


def test_topk_with_every_token_is_the_dense_forward_kl():
    torch.manual_seed(2)
    z, v = torch.randn(5, 8, dtype=torch.float64), torch.randn(5, 8, dtype=torch.float64)
    dense = kd_loss(z, v, None, T=1.0, alpha=1.0).item()
    lp, ids = lm.topk_from_logits(v, 8)
    assert lm.topk_kd_loss(z, lp.double(), ids, tail="renormalise").item() == pytest.approx(dense, rel=1e-5)
    assert lm.topk_kd_loss(z, lp.double(), ids, tail="bucket").item() == pytest.approx(dense, rel=1e-4)


def test_topk_rejects_bad_arguments():
    with pytest.raises(ValueError, match="k must"):
        lm.topk_from_logits(torch.zeros(2, 4), 5)
    with pytest.raises(ValueError, match="tail"):
        lm.topk_kd_loss(torch.zeros(2, 4), *lm.topk_from_logits(torch.zeros(2, 4), 2), tail="drop")


def test_target_mask_stops_after_the_first_end():
    tokens = LANG.encode(["a cat sleeps.", "a dog sleeps near a fox."], 20)
    m = lm.target_mask(tokens)
    assert m.sum(1).tolist() == [len("a cat sleeps."), 20]


# ---------------------------------------------------------------- training, evaluation, cache

def test_lm_loss_takes_student_teacher_targets_by_keyword_and_scores_only_the_masked_positions():
    g = torch.Generator().manual_seed(0)
    z, v = torch.randn(2, 5, 7, generator=g), torch.randn(2, 5, 7, generator=g)
    y = torch.randint(0, 7, (2, 5), generator=g)
    mask = torch.tensor([[True, True, True, False, False], [True, True, True, True, True]])
    kw = dict(student_logits=z, teacher_logits=v, targets=y, mask=mask)
    # a hand computation over the 8 valid positions: the mean of -log softmax(z)[y], and T^2 KL(v_T || z_T)
    logp = z.log_softmax(-1)[mask]
    assert torch.allclose(lm.lm_loss("labels", **kw), -logp.gather(1, y[mask][:, None]).mean())
    T = 2.0
    p_v, logp_z = (v[mask] / T).softmax(-1), (z[mask] / T).log_softmax(-1)
    kl = (p_v * (p_v.log() - logp_z)).sum(-1).mean() * T * T
    assert torch.allclose(lm.lm_loss("word", **kw, T=T), kl, atol=1e-6)
    with pytest.raises(TypeError):  # positional logits could be swapped unnoticed: keywords only
        lm.lm_loss("word", z, v, y, mask)


def test_evaluate_lm_against_a_direct_computation():
    model, teacher = tiny_model(0), tiny_model(1)
    tokens = LANG.encode(LANG.sample(6, seed=2), 16)
    truth = LANG.true_distributions(tokens)
    got = lm.evaluate_lm(model, tokens, teacher, truth)
    x, y, m = tokens[:, :-1], tokens[:, 1:], lm.target_mask(tokens)
    lq = F.log_softmax(model(x).double(), -1)
    lp = F.log_softmax(teacher(x).double(), -1)
    nll, kts, kst, ktr, n = 0.0, 0.0, 0.0, 0.0, 0
    for r in range(6):
        for t in range(16):
            if not m[r, t]:
                continue
            q, p, tr = lq[r, t].exp().tolist(), lp[r, t].exp().tolist(), truth[r, t].tolist()
            nll -= math.log(q[y[r, t]])
            kts += hand_kl(p, q)
            kst += hand_kl(q, p)
            ktr += hand_kl(tr, q)
            n += 1
    for key, val in (("bpc", nll), ("kl_ts", kts), ("kl_st", kst), ("kl_truth", ktr)):
        assert got[key] == pytest.approx(val / n / math.log(2), rel=1e-6)
    assert lm.evaluate_lm(model, tokens, model)["kl_ts"] == pytest.approx(0.0, abs=1e-9)


@pytest.mark.parametrize("method", lm.METHODS)
def test_every_method_trains_and_lowers_its_loss(method):
    teacher = tiny_model(1)
    tokens = LANG.encode(LANG.sample(64, seed=0), 16)
    student = tiny_model(0)
    h = lm.train_lm(student, method, tokens, teacher, recipe=lm.LMRecipe(steps=40, batch_size=16, lr=1e-2, seed=0, k=3))
    assert h["loss"][-1] < h["loss"][0]
    assert not student.training


def test_precomputed_teacher_logits_train_exactly_like_the_live_teacher():
    # The cached logits are computed on padded rows; causality makes them equal to those of trimmed batches.
    teacher = tiny_model(1, context=24)
    tokens = LANG.encode(LANG.sample(40, seed=4), 24)
    a, b = tiny_model(0, context=24), tiny_model(0, context=24)
    recipe = lm.LMRecipe(steps=6, batch_size=8, seed=3, T=2.0)
    lm.train_lm(a, "word", tokens, teacher, recipe=recipe)
    lm.train_lm(b, "word", tokens, None, recipe=recipe, teacher_logits=lm.teacher_lm_logits(teacher, tokens))
    for pa, pb in zip(a.parameters(), b.parameters()):
        assert torch.allclose(pa, pb, atol=1e-6)
    with pytest.raises(ValueError, match="teacher_logits has shape"):
        lm.train_lm(b, "word", tokens, None, recipe=lm.LMRecipe(steps=1), teacher_logits=torch.zeros(3, 23, LANG.vocab_size))


def test_train_lm_rejects_a_missing_teacher_and_unknown_method():
    tokens = LANG.encode(["a cat sleeps."], 16)
    with pytest.raises(ValueError, match="needs a teacher"):
        lm.train_lm(tiny_model(), "word", tokens, recipe=lm.LMRecipe(steps=1))
    with pytest.raises(ValueError, match="method must be"):
        lm.train_lm(tiny_model(), "beam", tokens, recipe=lm.LMRecipe(steps=1))


def test_teacher_and_students_are_cached(tmp_path, monkeypatch):
    data = {"language": "toy-v1", "context": 24, "n_train": 64, "n_val": 16, "n_test": 16, "seeds": [1, 2, 3]}
    t_recipe, s_recipe = lm.TEACHER_RECIPE.with_(steps=5), lm.STUDENT_RECIPE.with_(steps=5)
    teacher = lm.get_lm_teacher(tmp_path, recipe=t_recipe, arch=TINY, data=data)
    student = lm.get_lm_student("seq", teacher, tmp_path, recipe=s_recipe, arch=TINY, data=data)
    assert "val" in student.history
    files = sorted(p.name for p in (tmp_path / "cache").iterdir())  # no lock file is left beside them
    assert len(files) == 2 and files[0].startswith("lm-student") and files[1].startswith("lm-teacher")

    def boom(*a, **k):
        raise AssertionError("retrained although cached")
    monkeypatch.setattr(lm.cached, "train_lm", boom)  # where get_lm_teacher and get_lm_student find it
    again = lm.get_lm_student("seq", lm.get_lm_teacher(tmp_path, recipe=t_recipe, arch=TINY, data=data), tmp_path,
                              recipe=s_recipe, arch=TINY, data=data)
    x = torch.zeros(1, 5, dtype=torch.long)
    assert torch.equal(again(x), student(x))
    loaded = load_model(tmp_path / "cache" / files[1])  # a plain checkpoint, rebuilt from its config
    assert torch.equal(loaded(x), teacher(x))
    with pytest.raises(AssertionError, match="retrained"):  # a changed config is not served from the cache
        lm.get_lm_student("seq", teacher, tmp_path, recipe=s_recipe.with_(steps=6), arch=TINY, data=data)


def test_kl_fits_state_and_explorer():
    s = lm.kl_fits_state(7.0)
    assert abs(s["reverse"]["mu"]) > 3 and abs(s["forward"]["mu"]) < 1e-3
    dx = float(s["x"][1] - s["x"][0])
    f = s["forward"]  # the plotted density holds the Gaussian's mass inside the plotting window
    inside = 0.5 * (math.erf((9 - f["mu"]) / (f["sigma"] * math.sqrt(2))) - math.erf((-9 - f["mu"]) / (f["sigma"] * math.sqrt(2))))
    assert float(s["q_forward"].sum() * dx) == pytest.approx(inside, abs=2e-3)
    widget = lm.kl_fits_explorer(d=7.0)
    assert widget.png[:8] == b"\x89PNG\r\n\x1a\n"  # the static picture for renderers without widgets


def test_helpers_restore_the_thread_count():
    before = torch.get_num_threads()
    torch.set_num_threads(2)
    try:
        lm.generate(tiny_model(), 2, seed=0)
        assert torch.get_num_threads() == 2
    finally:
        torch.set_num_threads(before)


# ---------------------------------------------------------------- issue 24 item 9: bad input, clear errors before any step

def _lm_tokens(n=8, context=16, seed=0):
    return LANG.encode(LANG.sample(n, seed), context)


def test_train_lm_refuses_bad_tokens_and_settings_before_any_step(monkeypatch):
    import distill_helpers.lm.train as L
    monkeypatch.setattr(L.torch.optim, "Adam", lambda *a, **k: (_ for _ in ()).throw(AssertionError("trained")))
    tok = _lm_tokens()
    too_big, negative = tok.clone(), tok.clone()
    too_big[0, 2], negative[1, 2] = LANG.vocab_size, -1
    empty = LANG.encode([""] + LANG.sample(3, 1), 16)
    cases = [({"tokens": too_big}, "vocabulary has"), ({"tokens": negative}, "from -1"),
             ({"tokens": empty}, "no next-character target"), ({"tokens": tok.float()}, "int64"),
             ({"tokens": LANG.encode(LANG.sample(2, 0), 32)}, "context is 16"),
             ({"lr": math.inf}, "lr"), ({"lr": float("nan")}, "lr"), ({"steps": -5}, "steps"), ({"steps": 0}, "steps"),
             ({"batch_size": 0}, "batch_size"), ({"T": 0.0}, "temperature"), ({"T": True}, "boolean"),
             ({"val_tokens": empty}, "val_tokens")]
    for change, message in cases:
        kw = {"tokens": tok, **change}
        recipe = lm.LMRecipe(steps=3).with_(**{k: kw.pop(k) for k in list(kw) if k not in ("tokens", "val_tokens")})
        with pytest.raises(ValueError, match=message):
            lm.train_lm(tiny_model(), "labels", kw.pop("tokens"), recipe=recipe, **kw)
    with pytest.raises(ValueError, match="k .* integer in 1"):
        lm.train_lm(tiny_model(), "topk", tok, tiny_model(1), recipe=lm.LMRecipe(k=LANG.vocab_size + 1, steps=3))
    for not_a_recipe in ({"steps": 3}, 3, None):  # a dict of the fields is not the recipe: say how to make one
        with pytest.raises(ValueError, match="recipe must be an LMRecipe"):
            lm.train_lm(tiny_model(), "labels", tok, recipe=not_a_recipe)
    with pytest.raises(TypeError, match="steps"):  # the old keywords are gone: Python names the one it refuses
        lm.train_lm(tiny_model(), "labels", tok, steps=3)
    with pytest.raises(TypeError, match="no field 'step'.*its fields are steps, batch_size"):
        lm.LMRecipe().with_(step=3)
    assert lm.STUDENT_RECIPE.with_(T=2.0) == lm.LMRecipe(lr=8e-2, T=2.0) and lm.STUDENT_RECIPE.T == 1.0


def test_evaluate_lm_refuses_rows_without_a_target():
    empty = LANG.encode([""], 16)
    with pytest.raises(ValueError, match="no next-character target"):
        lm.evaluate_lm(tiny_model(), empty)
    too_big = _lm_tokens()
    too_big[0, 1] = LANG.vocab_size
    with pytest.raises(ValueError, match="vocabulary"):
        lm.evaluate_lm(tiny_model(), too_big)


def test_reverse_kl_and_topk_refuse_mismatched_shapes_like_kd_loss():
    V = LANG.vocab_size
    z, v = torch.randn(6, V), torch.randn(1, V)
    with pytest.raises(ValueError, match="same shape"):
        kd_loss(z, v, None, alpha=1.0)  # the package's loss refuses it: so do these
    with pytest.raises(ValueError, match="same positions"):
        lm.reverse_kl(z, v)
    with pytest.raises(ValueError, match="same positions"):
        lm.reverse_kl(z, torch.randn(6, V + 1))
    lp, ids = lm.topk_from_logits(v, 3)
    with pytest.raises(ValueError, match="same positions"):
        lm.topk_kd_loss(z, lp, ids)
    lp6, ids6 = lm.topk_from_logits(torch.randn(6, V), 3)
    with pytest.raises(ValueError, match="topk_ids"):
        lm.topk_kd_loss(z, lp6, ids6[:, :2])
    assert torch.isfinite(lm.topk_kd_loss(z, lp6, ids6)) and torch.isfinite(lm.reverse_kl(z, torch.randn(6, V)))
# ---------------------------------------------------------------- notebook 08's 2 x 2 design and its intervals

def test_reverse_kl_at_a_temperature_is_t_squared_times_the_softened_kl():
    zs, vs = [[0.2, -1.0, 2.0, 0.5]], [[1.5, 0.0, -0.5, 0.3]]
    s, t = torch.tensor(zs, dtype=torch.float64), torch.tensor(vs, dtype=torch.float64)
    T = 3.0
    hand = hand_kl(softmax_list([z / T for z in zs[0]]), softmax_list([v / T for v in vs[0]])) * T * T
    assert lm.reverse_kl(s, t, T=T).item() == pytest.approx(hand, rel=1e-10)
    assert lm.reverse_kl(s, t, T=1.0).item() == pytest.approx(lm.reverse_kl(s, t).item(), rel=1e-12)


def test_the_warm_started_cells_share_their_first_half_exactly():
    # The three warm-started cells of the 2 x 2 differ only after the switch: same figures there.
    teacher = tiny_model(1)
    tokens = LANG.encode(LANG.sample(64, seed=0), 16)
    val = LANG.encode(LANG.sample(8, seed=5), 16)
    switch = {}
    for method in ("word", "word_reverse", "onpolicy_forward", "onpolicy"):
        h = lm.train_lm(tiny_model(0), method, tokens, teacher,
                        recipe=lm.LMRecipe(steps=12, batch_size=8, lr=1e-2, seed=0, T=2.0), val_tokens=val)
        switch[method] = h["val_switch"]
        assert h["val"] != h["val_switch"]  # the second half changed the student
    first = switch["onpolicy"]
    for figs in switch.values():
        for key in first:
            assert figs[key] == pytest.approx(first[key], rel=1e-6)
    assert set(lm.TWO_BY_TWO) == {"word", "word_reverse", "onpolicy_forward", "onpolicy"}
    assert len(set(lm.TWO_BY_TWO.values())) == 4  # four distinct (data, divergence) cells


def test_sentence_figures_add_up_to_evaluate_lm():
    model, teacher = tiny_model(0), tiny_model(1)
    tokens = LANG.encode(LANG.sample(7, seed=2), 16)
    truth = LANG.true_distributions(tokens)
    per = lm.sentence_figures(model, tokens, teacher, truth, batch_size=3)
    whole = lm.evaluate_lm(model, tokens, teacher, truth)
    assert per["n"].tolist() == lm.target_mask(tokens).sum(1).tolist()
    for key in ("bpc", "kl_st", "kl_ts", "kl_truth"):
        assert (per[key].sum() / per["n"].sum()).item() == pytest.approx(whole[key], rel=1e-9)


def test_paired_interval_over_sentences_matches_the_standard_error():
    # One scored position per sentence, differences N(0.1, 1): the sentence half-width is 1.96 / sqrt(N).
    g = torch.Generator().manual_seed(0)
    N = 4000
    base = torch.randn(N, generator=g, dtype=torch.float64)
    noise = torch.randn(N, generator=g, dtype=torch.float64)
    ones = torch.ones(N, dtype=torch.float64)
    a = [{"bpc": base + 0.1 + s * 1e-3, "n": ones} for s in range(3)]  # seeds differ by 0.001
    b = [{"bpc": base - noise, "n": ones} for _ in range(3)]  # so a - b = 0.1 + noise + seed offset
    out = lm.paired_seeds_and_sentences(a, b, "bpc", n_boot=2000, seed=1)
    assert out["mean"] == pytest.approx((0.1 + noise).mean().item() + 1e-3, abs=1e-6)
    assert out["sentences"] == pytest.approx(1.96 * noise.std().item() / math.sqrt(N), rel=0.1)
    assert out["seeds"] == pytest.approx(4.303 * 1e-3 / math.sqrt(3), rel=1e-3)  # t_2 * sd / sqrt(3)
    assert out["half_width"] == pytest.approx(math.hypot(out["seeds"], out["sentences"]), rel=1e-12)
    assert out["excludes_zero"]
    same = lm.paired_seeds_and_sentences(a, a, "bpc")
    assert same["mean"] == 0 and same["half_width"] == 0 and not same["excludes_zero"]
    with pytest.raises(ValueError, match="same seeds"):
        lm.paired_seeds_and_sentences(a, b[:2], "bpc")


def test_own_sample_figures_score_the_models_own_text():
    model, teacher = tiny_model(0), tiny_model(1)
    got = lm.own_sample_figures(model, LANG, teacher, n=12, seed=4)
    samples = lm.generate(model, 12, seed=4)
    assert got["entropy"] == pytest.approx(lm.evaluate_lm(model, samples)["bpc"], rel=1e-12)
    assert got["kl_st"] == pytest.approx(lm.evaluate_lm(model, samples, teacher)["kl_st"], rel=1e-12)
    assert got["valid"] == lm.sample_stats(model, LANG, 12, seed=4)["valid"]
    assert lm.own_sample_figures(teacher, LANG, teacher, n=12, seed=4)["kl_st"] == pytest.approx(0.0, abs=1e-9)


# ---------------------------------------------------------------- students trained in parallel processes

SMALL = {"language": "toy-v1", "context": 24, "n_train": 64, "n_val": 16, "n_test": 16, "seeds": [1, 2, 3]}


def test_students_trained_in_processes_equal_the_serial_ones(tmp_path, monkeypatch):
    """workers=2 trains in two Python processes; the weights equal one get_lm_student call each, here."""
    a, b = tmp_path / "parallel", tmp_path / "serial"
    specs = [dict(method="labels", seed=0, steps=6, arch=TINY, data=SMALL),
             dict(method="word", seed=1, T=2.0, steps=6, arch=TINY, data=SMALL),
             dict(method="onpolicy", seed=0, T=2.0, steps=6, arch=TINY, data=SMALL),
             dict(method="labels", seed=0, steps=6, arch=TINY, data=SMALL)]  # a repeat: trained once
    t_recipe = lm.TEACHER_RECIPE.with_(steps=5)
    teacher_a = lm.get_lm_teacher(a, recipe=t_recipe, arch=TINY, data=SMALL)
    par = lm.get_lm_students(specs, teacher_a, a, workers=2)
    teacher_b = lm.get_lm_teacher(b, recipe=t_recipe, arch=TINY, data=SMALL)
    fields = lambda s: {k: v for k, v in s.items() if k not in ("method", "arch", "data")}  # noqa: E731
    ser = [lm.get_lm_student(s["method"], teacher_b, b, recipe=lm.STUDENT_RECIPE.with_(**fields(s)), arch=TINY,
                             data=SMALL) for s in specs]
    for p, s in zip(par, ser):
        assert p.metadata["cache_config"] == s.metadata["cache_config"]
        assert all(torch.equal(x, y) for x, y in zip(p.state_dict().values(), s.state_dict().values()))
    assert par[0].metadata["cache_config"]["teacher"] == teacher_a.metadata["cache_config"]  # not a weights hash
    assert len(list((a / "cache").glob("lm-student-*.pt"))) == 3
    monkeypatch.setenv("DISTILL_NO_TRAINING", "1")  # a second call trains nothing and starts no process
    again = lm.get_lm_students(specs, teacher_a, a, workers=2)
    assert torch.equal(again[1](torch.zeros(1, 3, dtype=torch.long)), par[1](torch.zeros(1, 3, dtype=torch.long)))


def test_a_failing_worker_is_reported_and_bad_specs_are_refused_first(tmp_path):
    teacher = lm.get_lm_teacher(tmp_path, recipe=lm.TEACHER_RECIPE.with_(steps=5), arch=TINY, data=SMALL)
    bad = [dict(method="labels", seed=s, steps=6, lr=-1.0, arch=TINY, data=SMALL) for s in (0, 1)]
    with pytest.raises(RuntimeError, match="worker process.*failed"):
        lm.get_lm_students(bad, teacher, tmp_path, workers=2)
    with pytest.raises(ValueError, match="method must be one of"):
        lm.get_lm_students([dict(method="nope")], teacher, tmp_path)
    with pytest.raises(ValueError, match="except teacher and root"):
        lm.get_lm_students([dict(method="labels", root=tmp_path)], teacher, tmp_path)
    with pytest.raises(ValueError, match="list of dicts"):
        lm.get_lm_students(["labels"], teacher, tmp_path)
    with pytest.raises(ValueError, match="LMRecipe fields"):  # a typo is refused, not silently ignored
        lm.get_lm_students([dict(method="labels", step=6)], teacher, tmp_path)
    with pytest.raises(ValueError, match="shared holds only"):
        lm.get_lm_student("labels", teacher, tmp_path, shared={"logits": None})


def test_adopt_trusts_a_copy_only_with_unchanged_weights():
    from distill_helpers.cache import adopt, provenance, teacher_identity, weights_digest
    m = tiny_model()
    m.metadata = {"cache_config": {"role": "lm-teacher", "x": 1}}
    assert provenance(m) is None and "weights_sha256" in teacher_identity(m)  # not from the cache
    digest = weights_digest(m)
    assert teacher_identity(adopt(m, digest)) == {"role": "lm-teacher", "x": 1}
    n = tiny_model()
    n.metadata = m.metadata
    with torch.no_grad():
        next(n.parameters()).add_(1.0)  # changed after the parent saw it
    assert "weights_sha256" in teacher_identity(adopt(n, digest))


def test_lm_data_is_generated_once_and_copied():
    lang, a = lm.lm_data(SMALL)
    _, b = lm.lm_data(SMALL)
    assert torch.equal(a["train"], b["train"]) and a["train"] is not b["train"]
    a["train"].zero_()  # a caller's change stays in its copy
    assert not torch.equal(lm.lm_data(SMALL)[1]["train"], a["train"])
    ref = lang.encode(lang.sample(SMALL["n_val"], SMALL["seeds"][1]), SMALL["context"])  # generated directly
    assert torch.equal(b["val"], ref)


def test_sentence_figures_run_the_teacher_once_per_text_and_again_after_it_changes():
    teacher, student = tiny_model(1), tiny_model(0)
    tokens = LANG.encode(LANG.sample(12, seed=5), 16)
    calls = []
    hook = teacher.register_forward_hook(lambda *a: calls.append(1))
    first = lm.sentence_figures(student, tokens, teacher)
    second = lm.sentence_figures(tiny_model(2), tokens, teacher)  # another student, the same teacher and text
    assert len(calls) == 1, "the teacher's log-probs on one text are computed once"
    again = lm.sentence_figures(student, tokens, teacher)
    assert all(torch.equal(first[k], again[k]) for k in first)
    with torch.no_grad():  # a teacher trained further in place is another teacher: scored again
        next(teacher.parameters()).add_(0.5)
    changed = lm.sentence_figures(student, tokens, teacher)
    hook.remove()
    assert len(calls) == 2 and not torch.equal(changed["kl_st"], first["kl_st"])
    # and the figures are the textbook KL of the two distributions, computed here without the memo
    x, mask = tokens[:, :-1], lm.target_mask(tokens)
    log_q = torch.log_softmax(student(x).double(), -1)
    log_p = torch.log_softmax(teacher(x).double(), -1)
    kl_st = ((log_q.exp() * (log_q - log_p)).sum(-1) * mask).sum(1) / math.log(2)
    assert torch.allclose(changed["kl_st"], kl_st, atol=1e-9)
    assert second["n"].sum() == first["n"].sum()


def test_the_wing_registers_nothing_with_prepare_at_import():
    # issue 19: importing the language-model wing loads no classroom code; prepare.py registers notebook 08's
    # models itself, with the wing's public prepare_notebook_08
    import subprocess
    import sys
    code = ("import sys, distill_helpers.lm as lm\n"
            "assert 'distill_helpers.classroom.prepare' not in sys.modules, 'lm imported prepare'\n"
            "from distill_helpers import prepare\n"
            "[r] = [r for r in prepare.REGISTRY if '08' in r.notebooks]\n"
            "assert r.load is lm.prepare_notebook_08, r\n")
    subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True)


def test_every_module_of_the_wing_is_reexported_where_learners_look():
    # `from distill_helpers.lm import X` and dh.lm.X work for every public name of every module of the wing
    import importlib
    import pkgutil
    import distill_helpers as dh
    for info in pkgutil.iter_modules(lm.__path__):
        module = importlib.import_module(f"distill_helpers.lm.{info.name}")
        for name in getattr(module, "__all__", []):
            if name in lm.__all__:
                assert getattr(dh.lm, name) is getattr(module, name), (info.name, name)
    assert {"train_lm", "get_lm_student", "get_lm_students", "LMRecipe", "NB08_LR_GRID", "fit_gaussian"} <= set(lm.__all__)
