"""The same spec and seed give the same DataFrames; another seed gives other noise."""

from __future__ import annotations

import pandas as pd
import pytest

import latentspikes as ls

from conftest import EXAMPLES

NOISY = EXAMPLES / "fig6-noisy-inhibitory.yaml"


@pytest.mark.parametrize("engine", ["clock", "event"])
def test_same_seed_same_frames(tmp_path, engine):
    a = ls.simulate(NOISY, out=tmp_path / "a", seed=7, duration=4, engine=engine)
    b = ls.simulate(NOISY, out=tmp_path / "b", seed=7, duration=4, engine=engine)
    pd.testing.assert_frame_equal(a.latents, b.latents)
    pd.testing.assert_frame_equal(a.spike_table, b.spike_table)
    assert a.summary == b.summary
    c = ls.simulate(NOISY, out=tmp_path / "c", seed=8, duration=4, engine=engine)
    assert not c.spike_table.equals(a.spike_table)
    assert not c.latents.equals(a.latents)


def test_same_seed_same_batch(tmp_path):
    a = ls.simulate(NOISY, out=tmp_path / "a", seed=3, trials=3, duration=3)
    b = ls.simulate(NOISY, out=tmp_path / "b", seed=3, trials=3, duration=3)
    pd.testing.assert_frame_equal(a.latents, b.latents)
    pd.testing.assert_frame_equal(a.spike_table, b.spike_table)
    pd.testing.assert_frame_equal(a.trials, b.trials)


def test_rerun_into_the_same_folder_replaces_it(tmp_path):
    first = ls.simulate(NOISY, out=tmp_path / "run", seed=1, duration=3, formats="csv,npy")
    latents = first.latents.copy()
    second = ls.simulate(NOISY, out=tmp_path / "run", seed=1, duration=3)
    pd.testing.assert_frame_equal(second.latents, latents)
    assert "latents.npy" not in second.files
