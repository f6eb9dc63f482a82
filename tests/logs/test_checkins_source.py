"""Where a check-in came from (issue 20): add_checkin(..., source=) under any order of the athlete's portal posts
and the coach's entries, checked against a model with a hypothesis state machine (nothing lost, nothing under
another athlete's name, the source always the last writer's)."""
import datetime as dt
import shutil
import tempfile
from pathlib import Path

from hypothesis import settings, strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule

from heavylegs.logs.checkins import add_checkin, load_checkins

ROOT = Path(__file__).resolve().parents[2]
DAYS = [(dt.date(2026, 12, 6) - dt.timedelta(days=n)).isoformat() for n in range(5)]


class PortalAndCoach(RuleBasedStateMachine):
    def __init__(self):
        super().__init__()
        self.data = Path(tempfile.mkdtemp(prefix="hl-source-")) / "data"
        (self.data / "athletes").mkdir(parents=True)
        for athlete in ("ana", "ben"):
            shutil.copy(ROOT / "data" / "athletes" / f"{athlete}.json", self.data / "athletes")
        self.model = {"ana": {}, "ben": {}}

    @rule(athlete=st.sampled_from(["ana", "ben"]), day=st.sampled_from(DAYS), heaviness=st.integers(0, 10),
          fatigue=st.one_of(st.none(), st.integers(1, 7)), source=st.sampled_from(["portal", "coach"]))
    def check_in(self, athlete, day, heaviness, fatigue, source):
        entry = {"date": day, "heaviness": heaviness}
        if fatigue is not None:
            entry["fatigue"] = fatigue
        add_checkin(self.data, athlete, entry, source=source)
        before = self.model[athlete].get(day, {})
        self.model[athlete][day] = {"heaviness": heaviness, "fatigue": fatigue if fatigue is not None
                                    else before.get("fatigue"), "source": source}

    @invariant()
    def files_match_the_model(self):
        for athlete, days in self.model.items():
            frame = load_checkins(self.data, athlete)
            got = {}
            for row in frame.to_dict("records"):
                fatigue = None if row["fatigue"] != row["fatigue"] else int(row["fatigue"])
                got[row["date"].date().isoformat()] = {"heaviness": int(row["heaviness"]), "fatigue": fatigue,
                                                        "source": row["source"]}
            assert got == days

    def teardown(self):
        shutil.rmtree(self.data.parent, ignore_errors=True)


TestPortalAndCoach = PortalAndCoach.TestCase
TestPortalAndCoach.settings = settings(max_examples=25, stateful_step_count=12, deadline=None)
