"""The documentation tells the truth: links resolve, the README's code runs, its commands parse."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest

REPO = Path(__file__).resolve().parents[1]
README = REPO / "README.md"
DOCS = sorted((REPO / "docs").glob("*.md"))
KOREAN = sorted((REPO / "docs" / "ko").glob("*.md"))

_LINK = re.compile(r"!?\[[^\]]*\]\(([^)\s]+)\)")
_FENCE = re.compile(r"^```(\w*)[ \t]*\n(.*?)^```", re.M | re.S)


def _relative_links(path: Path) -> list[str]:
    """Targets of the Markdown links and images in ``path`` that are not URLs or anchors."""
    targets = []
    for match in _LINK.finditer(path.read_text(encoding="utf-8")):
        target = match.group(1).split("#", 1)[0]
        if target and not re.match(r"[a-zA-Z][a-zA-Z0-9+.-]*:", target):
            targets.append(target)
    return targets


def _section(text: str, heading: str) -> str:
    """The text of the Markdown section that starts at ``heading``, up to the next ``## ``."""
    start = text.index(heading)
    end = text.find("\n## ", start + len(heading))
    return text[start : end if end != -1 else len(text)]


@pytest.mark.parametrize("doc", [README, *DOCS, *KOREAN], ids=lambda p: p.name)
def test_relative_links_resolve(doc: Path) -> None:
    missing = [t for t in _relative_links(doc) if not (doc.parent / t).exists()]
    assert missing == [], f"{doc.name} links to missing files: {missing}"


def test_link_checker_sees_the_readme_links() -> None:
    links = _relative_links(README)
    assert "docs/book.md" in links
    assert "BENCHMARKS.md" in links
    assert "docs/img/optimizers.png" in links
    assert "docs/ko/README.md" in links


# -- the README's command-line section ------------------------------------------------

_PLACEHOLDERS = {
    "MODEL": "model.safetensors",
    "IMAGE...": "digit.png",
    "INDEX": "0",
    "PATH": "out.safetensors",
    "DIR": "figures",
    "d.png": "d.png",
}
_NAMES = {"demo": "softmax", "plot": "softmax"}


def _readme_command_lines() -> list[list[str]]:
    """Each ``nnscratch`` synopsis of the README's CLI section as a concrete argv list.

    Brackets of optional parts are dropped, ``A | B | C`` alternatives become one line
    each, placeholders become sample values, comments after ``#`` are removed.
    """
    section = _section(README.read_text(encoding="utf-8"), "## The command line")
    block = _FENCE.search(section).group(2)
    joined: list[str] = []
    for line in block.splitlines():
        line = line.split("#", 1)[0].rstrip()
        if line.startswith((" ", "\t")) and joined:
            joined[-1] += " " + line.strip()
        elif line:
            joined.append(line)
    argvs = []
    for line in joined:
        tokens = line.replace("[", " ").replace("]", " ").split()
        assert tokens[0] == "nnscratch", line
        command, rest = tokens[1], " ".join(tokens[2:])
        for alternative in rest.split("|"):
            args = [command]
            for token in alternative.split():
                if token == "NAME":
                    token = _NAMES[command]
                args.append(_PLACEHOLDERS.get(token, token))
            argvs.append(args)
    return argvs


def _parser():
    from nnscratch.cli import _build_parser

    return _build_parser()


def test_readme_shows_every_command() -> None:
    commands = {argv[0] for argv in _readme_command_lines()}
    assert commands == {
        "train",
        "evaluate",
        "predict",
        "data",
        "show",
        "demo",
        "plot",
        "serve",
        "sweep",
    }


@pytest.mark.parametrize("argv", _readme_command_lines(), ids=" ".join)
def test_readme_command_line_parses(argv: list[str], tmp_path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "digit.png").write_bytes(b"")  # predict checks that IMAGE exists when parsing
    args = _parser().parse_args(argv)
    assert args.command == argv[0]
    assert callable(args.run)


def test_readme_train_synopsis_shows_the_defaults() -> None:
    """The values in ``nnscratch train [--opt VALUE]`` are the defaults of a bare ``train``."""
    synopsis = next(a for a in _readme_command_lines() if a[0] == "train")
    from nnscratch.recipes import MLPConfig

    shown = vars(_parser().parse_args(synopsis))
    default = vars(_parser().parse_args(["train"]))
    assert shown["model"] == default["model"] == "mlp"
    for key in ("hidden", "activation", "optimizer", "lr", "epochs", "batch_size", "seed"):
        # lr, epochs and batch size left out take the chosen model's defaults (None here)
        expected = getattr(MLPConfig(), key) if default[key] is None else default[key]
        assert shown[key] == expected, key
    assert shown["dtype"] == default["dtype"] == "float32"


# -- the README's Python tour ---------------------------------------------------------


def _readme_tour() -> str:
    section = _section(README.read_text(encoding="utf-8"), "## A tour of the Python API")
    match = _FENCE.search(section)
    assert match.group(1) == "python"
    return match.group(2)


def test_readme_tour_is_valid_python_with_the_public_names() -> None:
    import nnscratch as nn

    source = _readme_tour()
    compile(source, "README.md", "exec")
    for name in re.findall(r"\bnn\.([A-Za-z_][\w.]*)\(", source):
        obj = nn
        for part in name.split("."):
            obj = getattr(obj, part)
        assert callable(obj), name


@pytest.mark.slow
def test_readme_tour_runs(
    tmp_path, monkeypatch, isolated_home, capsys, mnist_gz_dir, sample_weight_path
) -> None:
    """The tour as printed, with one epoch instead of five and the book's weights' real path."""
    source = _readme_tour()
    assert "epochs=5" in source and '"sample_weight.pkl"' in source
    source = source.replace("epochs=5", "epochs=1")
    source = source.replace('"sample_weight.pkl"', repr(str(sample_weight_path)))
    monkeypatch.setenv("NNSCRATCH_MNIST_DIR", str(mnist_gz_dir))
    monkeypatch.chdir(tmp_path)
    namespace: dict = {}
    exec(compile(source, "README.md", "exec"), namespace)

    printed = float(capsys.readouterr().out.strip().splitlines()[-1])
    x_test, t_test = namespace["x_test"], namespace["t_test"]
    assert printed == namespace["net"].accuracy(x_test, t_test)
    assert printed > 0.93
    assert (tmp_path / "mnist-mlp.safetensors").exists()
    np.testing.assert_array_equal(
        namespace["net2"].predict(x_test), namespace["net"].predict(x_test)
    )
    assert namespace["book_net"].accuracy(x_test, t_test) == pytest.approx(0.9352, abs=5e-5)


def test_readme_says_where_the_books_weights_come_from_and_what_blas_changes() -> None:
    """A fresh clone's user meets nn.load("sample_weight.pkl") and the test skips."""
    text = README.read_text(encoding="utf-8")
    tour_end = text.index('nn.load("sample_weight.pkl")')
    after = text[tour_end : tour_end + 600]
    assert "ch03/sample_weight.pkl" in after and "oreilly-japan/deep-learning-from-scratch" in after
    assert "NNSCRATCH_BOOK_WEIGHTS" in text
    assert "OPENBLAS_NUM_THREADS=1" in text and "0.9862" in text and "0.9851" in text


# -- the Korean guide: every python block prints the text block under it ----------------

_RUN = re.compile(r"^```python\n(.*?)^```\n+```text\n(.*?)^```", re.M | re.S)


def test_korean_guide_has_five_topics_and_the_errata() -> None:
    index = (REPO / "docs" / "ko" / "README.md").read_text(encoding="utf-8")
    pages = [p for p in _relative_links(REPO / "docs" / "ko" / "README.md") if p[:2].isdigit()]
    assert pages == [p.name for p in KOREAN if p.name[:2].isdigit()] and len(pages) == 5
    assert "0.25" in index and "**−1**" in index and "np.int" in index and "9,999" in index


@pytest.mark.parametrize("page", [p for p in KOREAN if p.name[:2].isdigit()], ids=lambda p: p.name)
def test_korean_page_code_prints_what_the_page_says(
    page, capsys, monkeypatch, tmp_path, request
) -> None:
    """Each ```python block runs (in one namespace per page) and prints its ```text block."""
    text = page.read_text(encoding="utf-8")
    runs = _RUN.findall(text)
    assert len(runs) == text.count("```python") >= 1, "a python block without its output"
    if "load_mnist" in text:
        request.getfixturevalue("mnist_uint8")  # MNIST through the user's chain of sources
        weights = request.getfixturevalue("sample_weight_path")  # skips with where to get it
        (tmp_path / "sample_weight.pkl").symlink_to(weights)
    monkeypatch.chdir(tmp_path)
    namespace: dict = {}
    for code, expected in runs:
        exec(compile(code, str(page), "exec"), namespace)
        assert capsys.readouterr().out == expected
