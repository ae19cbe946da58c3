import torch

from distill_helpers.exercises import check, check_function


def test_check_says_right_and_wrong_without_the_answer(capsys):
    assert check("a", 0.5, 0.5)
    capsys.readouterr()
    assert not check("b", 0.123456, 0.987654)
    verdict = capsys.readouterr().out
    assert "0.987" not in verdict and "not yet" in verdict  # the reference value is never printed
    assert not check("c", None, 0.5)
    assert not check("d", torch.zeros(2), torch.zeros(3))
    assert check("e", True, True) and not check("f", False, True)
    out = capsys.readouterr().out
    assert "not answered yet" in out and "wrong shape" in out
    assert out.count("[x]") == 1  # "a" was read before the capture reset


def test_check_function():
    ref = lambda z, T: torch.softmax(z / T, -1)  # noqa: E731
    inputs = [(torch.randn(3, 4), 2.0), (torch.randn(2, 5) * 10, 0.5)]
    assert check_function("softmax", lambda z, T: torch.exp(z / T) / torch.exp(z / T).sum(-1, keepdim=True), ref, inputs)
    assert not check_function("softmax", lambda z, T: torch.softmax(z, -1), ref, inputs)
    assert not check_function("softmax", lambda z, T: 1 / 0, ref, inputs)
    assert not check_function("softmax", None, ref, inputs)
