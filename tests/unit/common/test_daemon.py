"""common.daemon's collector tuning."""

import gc

from common import daemon


def test_tune_gc_freezes_startup_objects_and_raises_thresholds():
    before = gc.get_threshold()
    try:
        daemon.tune_gc()
        assert gc.get_threshold() == daemon.GC_THRESHOLDS
        # What startup made is out of every collection's walk.
        assert gc.get_freeze_count() > 1000
        assert daemon.GC_THRESHOLDS[0] > before[0]
    finally:
        gc.unfreeze()
        gc.set_threshold(*before)
