"""Types at the seams (issue 12.3): what crosses between the engine, the snapshot library, the
dashboard's session and its screens is a named class, not a tuple or an ``object``."""

from __future__ import annotations

import typing

from cases.catalogue import example_dir
from cases.model import Study
from metrics.results import Comparison, Options


def test_comparison_names_the_classes_it_holds():
    import metrics.results as results
    from metrics.configurations import Configurations
    from metrics.literature import LinkResult, Literature
    from metrics.qca import QcaResult
    from metrics.sensitivity import Sensitivity

    names = {"Configurations": Configurations, "LinkResult": LinkResult, "Literature": Literature}
    names |= {"QcaResult": QcaResult}
    hints = typing.get_type_hints(Comparison, vars(results), {**names, "Sensitivity": Sensitivity})
    assert hints["sensitivity"] == Sensitivity | None
    assert hints["configurations"] == Configurations | None
    assert hints["literature"] == Literature | None
    assert hints["links"] == tuple[LinkResult, ...] | None
    assert hints["qca"] == QcaResult | None


def test_the_analysis_fills_them_with_those_classes():
    from cases.loader import load_study
    from metrics.analysis import analyse
    from metrics.configurations import Configurations
    from metrics.literature import LinkResult, Literature
    from metrics.sensitivity import Sensitivity

    c = analyse(load_study(example_dir()))
    assert isinstance(c.sensitivity, Sensitivity) and isinstance(c.configurations, Configurations)
    assert isinstance(c.literature, Literature) and all(isinstance(link, LinkResult) for link in c.links or ())
    from metrics.qca import QcaResult

    assert isinstance(c.qca, QcaResult)  # the example defines conditions


def test_open_study_and_open_snapshot_return_named_fields(tmp_path):
    from cases.loader import load_study
    from metrics.analysis import analyse
    from tui.core.snapshots import OpenedSnapshot, open_snapshot, write_snapshot_file
    from tui.dashboard.session import OpenedStudy, open_study

    study = load_study(example_dir())
    path = write_snapshot_file(analyse(study), study, tmp_path / "s.toml", view={"screen": "sites"})
    snap = open_snapshot(path)
    assert isinstance(snap, OpenedSnapshot)
    assert snap.folder == example_dir() and snap.view == {"screen": "sites"} and snap.warnings == []
    assert snap.outcome.metric == study.outcome.metric and snap.figures["schema"] == "crosscase.snapshot/1"
    opened = open_study(None, str(path), None)
    assert isinstance(opened, OpenedStudy)
    assert isinstance(opened.study, Study) and isinstance(opened.options, Options)
    assert opened.view == {"screen": "sites"} and opened.warnings == [] and opened.figures is not None


def test_every_screen_the_app_switches_to_shows_a_comparison():
    from tui.dashboard.app import SCREENS_BY_MODE
    from tui.dashboard.screens.base import Shows
    from tui.dashboard.screens.site import SiteScreen

    for cls in (*SCREENS_BY_MODE.values(), SiteScreen):
        assert issubclass(cls, Shows), cls
