"""Work beside this process (sim/forked.py): done by a forked copy when one can be made, here otherwise or
when the copy fails, so the outcome is the same either way; a copy never outlives its block."""

from __future__ import annotations

import multiprocessing
import os
import time

import pytest

from sim import forked


def _fails_in_a_copy(parent: int):
    def job() -> str:
        if os.getpid() != parent:
            raise RuntimeError("only in the copy")
        return "done here"
    return job


def test_the_copy_does_the_work_and_a_failed_copy_is_redone_here(tmp_path):
    with forked.beside(os.getpid) as pid:
        assert pid() != os.getpid()
    with forked.beside(_fails_in_a_copy(os.getpid())) as result:
        assert result() == "done here"
    with forked.beside(lambda: (tmp_path / "written").write_text("yes")):  # the block ends when the work is done
        pass
    assert (tmp_path / "written").read_text() == "yes"
    with pytest.raises(ZeroDivisionError), forked.beside(lambda: 1 / 0):  # an error is raised here, as without a copy
        pass


def test_without_fork_the_work_is_done_here(monkeypatch):
    monkeypatch.setattr(multiprocessing, "get_all_start_methods", lambda: ["spawn"])
    with forked.beside(os.getpid) as pid:
        assert pid() == os.getpid()


def test_a_copy_whose_block_fails_is_stopped():
    with pytest.raises(KeyError), forked.beside(lambda: time.sleep(600)):
        raise KeyError("the body failed")
    assert multiprocessing.active_children() == []
