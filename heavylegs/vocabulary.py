"""The closed vocabulary of athlete fields.

Every field a profile may carry, and every fact derived from a training log,
is defined once here: its type, unit, allowed range or values, the section of
the coach's form it belongs to, and a one-line help text. Validation, scoring,
the widget form and ``docs/nomenclature.md`` are all built from this table.

The profile fields follow ``spec/profile.md`` (format ``heavylegs.profile/1``)
exactly. Log fields are not part of a profile; they are computed from a
training log by :func:`heavylegs.engine.load.log_facts` and can only reach scoring
that way.
"""
from __future__ import annotations

from dataclasses import dataclass, field as _dc_field

__all__ = [
    "Field",
    "FIELDS",
    "PROFILE_FIELDS",
    "LOG_FIELDS",
    "COMPUTED_FIELDS",
    "COMPUTED_INPUTS",
    "SECTIONS",
    "RECENT_CHANGES",
    "MEDICATIONS",
    "PROFILE_FORMAT",
    "LOAD_METRICS",
    "KM_PER_MILE",
    "URGENCIES",
    "URGENCY_ORDER",
    "field_names",
    "FOLLOW_UPS",
    "PATTERN_QUESTIONS",
    "BLOOD_TESTS",
    "follow_up_applies",
    "nomenclature_markdown",
]

PROFILE_FORMAT = "heavylegs.profile/1"

#: The loads a weekly table can be computed on (``spec/device-load.md``); ``auto`` chooses from the log.
LOAD_METRICS = ("auto", "srpe", "trimp", "hrss", "rtss", "stress", "duration", "distance")
#: The acute:chronic workload ratio range often called the "sweet spot" [ratio] (Gabbett 2016, Br J
#: Sports Med 50:273-280): weekly load grew at a pace legs usually absorb. A contested heuristic
#: (Impellizzeri 2020); the figures shade it and the squad's "ACWR above" filter starts at its top.
ACWR_SAFE_BAND = (0.8, 1.3)
#: Kilometres in an international mile [km].
KM_PER_MILE = 1.609344
#: Red-flag urgencies, most urgent first (``spec/profile.md``, ``spec/cli.md``) ...
URGENCIES = ("emergency", "urgent", "soon")
#: ... and each one's rank, for sorting flags most urgent first.
URGENCY_ORDER = {name: rank for rank, name in enumerate(URGENCIES)}

#: Sections of the profile, in the order the coach's form shows them.
SECTIONS = (
    ("identity", "Identity"),
    ("training", "Training"),
    ("recovery", "Recovery"),
    ("nutrition", "Nutrition and hydration"),
    ("equipment", "Equipment and form"),
    ("symptoms", "Symptoms"),
    ("health", "Health and laboratory values"),
    ("log", "From the training log"),
)

RECENT_CHANGES = (
    "load_increase", "new_strength_training", "new_shoes", "new_surface",
    "diet_change", "weight_loss_plan", "heat", "more_stress", "travel",
    # Additions of spec/profile.md
    "return_from_layoff", "illness", "altitude", "more_hills", "weight_gain",
)

#: Medicines of ``spec/profile.md`` "Additions 2" (``medications``). ``metformin`` and
#: ``acid_blocker`` (proton-pump inhibitors, H2 blockers) extend the spec's list: both lower
#: vitamin B12 absorption, a cause ``spec/causes.md`` names.
MEDICATIONS = (
    "statin", "beta_blocker", "diuretic", "fluoroquinolone", "corticosteroid", "isotretinoin", "other",
    "metformin", "acid_blocker",
)


@dataclass(frozen=True)
class Field:
    """One field of the vocabulary.

    Parameters
    ----------
    name : str
        Key in a profile, a roster CSV column, or a log fact.
    kind : str
        One of ``"string"``, ``"date"``, ``"enum"``, ``"int"``, ``"number"``,
        ``"bool"``, ``"list"`` (a list of enum values).
    section : str
        Key of :data:`SECTIONS`.
    label : str
        Short label for forms and tables.
    help : str
        One line a coach can read aloud to the athlete.
    unit : str
        Unit in the house style (``"h"``, ``"g/kg/day"``); empty when none.
    minimum, maximum : float or None
        Inclusive range for ``int`` and ``number`` fields.
    values : tuple of str
        Allowed values for ``enum`` and ``list`` fields.
    source : str
        ``"profile"`` for fields a coach enters, ``"log"`` for facts computed
        from a training log, ``"computed"`` for facts computed from two
        answers of the profile (see :data:`COMPUTED_INPUTS`).
    """

    name: str
    kind: str
    section: str
    label: str
    help: str
    unit: str = ""
    minimum: float | None = None
    maximum: float | None = None
    values: tuple = ()
    source: str = "profile"
    pattern: str | None = _dc_field(default=None, compare=False)

    def expected(self) -> str:
        """Describe what a valid value looks like, for error messages."""
        if self.kind in ("int", "number"):
            word = "a whole number" if self.kind == "int" else "a number"
            unit = f" [{self.unit}]" if self.unit else ""
            return f"{word} from {_fmt(self.minimum)} to {_fmt(self.maximum)}{unit}"
        if self.kind == "bool":
            return "true or false"
        if self.kind == "enum":
            return "one of " + ", ".join(self.values)
        if self.kind == "list":
            return "a list of: " + ", ".join(self.values)
        if self.kind == "date":
            return "a date YYYY-MM-DD"
        if self.pattern:
            return f"a string matching {self.pattern}"
        return "a string of 1-100 characters"


def _fmt(x):
    if x is None:
        return "?"
    return str(int(x)) if float(x).is_integer() else str(x)


def _f(name, kind, section, label, help, unit="", lo=None, hi=None, values=(), source="profile", pattern=None):
    return Field(name, kind, section, label, help, unit, lo, hi, tuple(values), source, pattern)


_BOOL, _INT, _NUM, _ENUM = "bool", "int", "number", "enum"

_ALL = [
    # Identity
    _f("athlete_id", "string", "identity", "Athlete id",
       "Stable id used in file names: lower-case letters, digits, - and _.",
       pattern=r"^[a-z0-9][a-z0-9_-]{0,63}$"),
    _f("name", "string", "identity", "Name", "Display name."),
    _f("assessed_on", "date", "identity", "Assessed on", "Date of this assessment."),
    _f("sex", _ENUM, "identity", "Sex", "Used for sex-specific thresholds such as haemoglobin.",
       values=("female", "male", "other")),
    _f("age_years", _INT, "identity", "Age", "Age in whole years.", "years", 10, 100),
    _f("body_mass_kg", _NUM, "identity", "Body mass", "Body mass today.", "kg", 25, 250),
    _f("height_cm", _NUM, "identity", "Height", "Standing height.", "cm", 100, 250),
    # Issue 12, "units an athlete reads": distances and paces shown in km or miles (files keep km)
    _f("distance_unit", _ENUM, "identity", "Distance unit",
       "Kilometres or miles, for every distance the athlete reads; files keep km. Unknown: km.",
       values=("km", "mi")),
    # Training
    _f("runs_per_week", _INT, "training", "Runs per week", "Runs in a typical recent week.", "runs/week", 0, 21),
    _f("weekly_distance_km", _NUM, "training", "Weekly distance",
       "Running distance in a typical recent week.", "km", 0, 500),
    _f("weekly_distance_prev_km", _NUM, "training", "Earlier weekly distance",
       "Average weekly distance over the 4 weeks before that.", "km", 0, 500),
    _f("long_run_min", _NUM, "training", "Long run", "Longest run of a typical recent week.", "min", 0, 1000),
    _f("hard_sessions_per_week", _INT, "training", "Hard sessions per week",
       "Intervals, tempo, hills, sprints and races in a week.", "sessions/week", 0, 14),
    _f("rest_days_per_week", _INT, "training", "Rest days per week",
       "Days with no training at all.", "days/week", 0, 7),
    _f("strength_sessions_per_week", _INT, "training", "Leg strength sessions",
       "Lower-body resistance sessions in a week.", "sessions/week", 0, 14),
    _f("strength_within_48h", _BOOL, "training", "Leg strength within 48 h",
       "Heavy leg strength work within 48 h before the runs that feel heavy."),
    _f("warmup_min", _NUM, "training", "Warm-up", "Warm-up before runs.", "min", 0, 120),
    _f("cooldown", _ENUM, "training", "Cool-down", "Cool-down and stretching after runs.",
       values=("never", "sometimes", "always")),
    _f("trail_fraction", _NUM, "training", "Trail share",
       "Share of running on trails or rough ground (0 = none, 1 = all).", "fraction", 0, 1),
    _f("hard_surface_fraction", _NUM, "training", "Hard-surface share",
       "Share of running on concrete or asphalt (0 = none, 1 = all).", "fraction", 0, 1),
    _f("days_since_race", _INT, "training", "Days since race",
       "Days since the last race or all-out effort.", "days", 0, 3650),
    _f("downhill_running", _BOOL, "training", "Downhill running",
       "Long or steep descents in the last 2 weeks."),
    _f("training_hours_per_day", _NUM, "training", "Training hours a day",
       "Training time on a typical training day; sets the carbohydrate band "
       "(about 5-7 g/kg at 1 h, 6-10 at 1-3 h, 8-12 at 4 h or more).", "h", 0, 8),
    # (the heart-rate and pace thresholds of spec/device-load.md close the table, below)
    # Recovery
    _f("sleep_h", _NUM, "recovery", "Sleep", "Average sleep a night over the last 2 weeks.", "h", 0, 14),
    _f("wellness_sleep", _INT, "recovery", "Sleep quality (Hooper)",
       "1 = very, very good ... 7 = very, very bad.", "1-7", 1, 7),
    _f("wellness_fatigue", _INT, "recovery", "Fatigue (Hooper)",
       "1 = very, very low ... 7 = very, very high.", "1-7", 1, 7),
    _f("wellness_stress", _INT, "recovery", "Stress (Hooper)",
       "Training and life stress: 1 = very, very low ... 7 = very, very high.", "1-7", 1, 7),
    _f("wellness_soreness", _INT, "recovery", "Muscle soreness (Hooper)",
       "1 = very, very low ... 7 = very, very high.", "1-7", 1, 7),
    _f("resting_hr_bpm", _NUM, "recovery", "Resting heart rate",
       "Morning resting heart rate over recent days.", "bpm", 25, 150),
    _f("resting_hr_baseline_bpm", _NUM, "recovery", "Usual resting heart rate",
       "The athlete's usual morning resting heart rate.", "bpm", 25, 150),
    _f("hr_rest_bpm", _INT, "recovery", "Waking heart rate",
       "Heart rate lying still after waking (used before the morning resting heart rate).", "bpm", 25, 100),
    _f("low_motivation", _BOOL, "recovery", "Low motivation", "Motivation to train has dropped."),
    _f("rest_week_helps", _ENUM, "recovery", "Did a lighter week help?",
       "Did a lighter week make the legs feel normal again?", values=("yes", "no", "not_tried")),
    # Nutrition and hydration
    _f("diet", _ENUM, "nutrition", "Diet", "The usual pattern of eating.",
       values=("omnivore", "vegetarian", "vegan", "low_carb", "keto", "other")),
    _f("carbs_g_per_kg", _NUM, "nutrition", "Carbohydrate",
       "Daily carbohydrate per kg of body mass.", "g/kg/day", 0, 20),
    _f("energy_restriction", _BOOL, "nutrition", "Eating less",
       "Dieting, skipping meals or trying to lose weight."),
    _f("fuels_long_runs", _BOOL, "nutrition", "Fuels long runs",
       "Takes carbohydrate during runs over 75 min."),
    _f("fluid_l_per_day", _NUM, "nutrition", "Fluid", "Fluid drunk a day.", "L/day", 0, 15),
    _f("urine_color", _INT, "nutrition", "Urine colour",
       "Armstrong urine colour chart: 1 = palest ... 8 = darkest.", "1-8", 1, 8),
    _f("run_mass_loss_pct", _NUM, "nutrition", "Mass lost on a long run",
       "Body mass lost over a typical long run.", "%", 0, 15),
    _f("water_only_long_runs", _BOOL, "nutrition", "Water only on long runs",
       "Drinks only plain water on runs over 90 min."),
    _f("salty_sweat", _BOOL, "nutrition", "Salty sweat", "White salt marks on clothes or skin after runs."),
    _f("hot_climate", _BOOL, "nutrition", "Hot climate", "Most runs in heat or humidity."),
    _f("mass_change_kg_90d", _NUM, "nutrition", "Mass change (90 days)",
       "Body-mass change over the last 90 days (+ = gain).", "kg", -50, 50),
    _f("sun_exposure", _ENUM, "nutrition", "Sun exposure", "Daylight on skin, most weeks.",
       values=("low", "moderate", "high")),
    _f("low_fat_diet", _BOOL, "nutrition", "Very low-fat diet", "Very little fat in the diet."),
    _f("alcohol_drinks_per_week", _NUM, "nutrition", "Alcohol", "Alcoholic drinks a week.", "drinks/week", 0, 150),
    _f("gut_condition", _BOOL, "nutrition", "Gut condition",
       "Coeliac disease, Crohn's, colitis, chronic diarrhoea, bariatric surgery or pancreas disease: "
       "nutrients absorbed poorly."),
    # Equipment and form
    _f("shoe_km", _NUM, "equipment", "Shoe distance",
       "Distance run in the current main pair.", "km", 0, 10000),
    _f("shoe_mass_g", _NUM, "equipment", "Shoe mass", "Mass of one shoe.", "g", 50, 800),
    _f("shoe_type", _ENUM, "equipment", "Shoe type", "Kind of the current main pair.",
       values=("neutral", "stability", "minimal", "max_cushion", "racing", "trail")),
    _f("shoe_discomfort", _BOOL, "equipment", "Shoes feel wrong", "Fit, support or pressure feels wrong."),
    _f("cadence_spm", _NUM, "equipment", "Cadence", "Steps per minute at easy pace.", "steps/min", 100, 250),
    _f("overpronation", _BOOL, "equipment", "Overpronation",
       "Foot rolls inward markedly (observed or from gait analysis)."),
    _f("overstriding", _BOOL, "equipment", "Overstriding", "Foot lands well ahead of the body."),
    _f("vertical_oscillation_cm", _NUM, "equipment", "Vertical oscillation",
       "Bounce of the torso with each step (from a watch or pod).", "cm", 2, 25),
    # Symptoms
    _f("heaviness_onset", _ENUM, "symptoms", "When do the legs feel heavy?",
       "The time the heaviness shows up most.",
       values=("start_of_run", "during_run", "late_in_long_runs", "after_run", "next_day",
               "at_rest", "all_the_time")),
    _f("eases_after_warmup", _BOOL, "symptoms", "Eases after warming up",
       "Heaviness fades after the first 10-15 minutes."),
    _f("duration_weeks", _NUM, "symptoms", "Going on for", "How long it has been going on.", "weeks", 0, 520),
    _f("one_leg_only", _BOOL, "symptoms", "One leg only", "Only one leg feels heavy."),
    _f("recent_changes", "list", "symptoms", "Recent changes", "What changed in the last 4 weeks.",
       values=RECENT_CHANGES),
    _f("cramps", _BOOL, "symptoms", "Cramps", "Muscle cramps in or after runs."),
    _f("tingling_or_numbness", _BOOL, "symptoms", "Tingling or numbness", "Pins and needles or numb areas."),
    _f("numbness_weeks", _NUM, "symptoms", "Numbness for", "How long tingling or numbness has lasted.",
       "weeks", 0, 520),
    _f("numbness_pattern", _ENUM, "symptoms", "Where is the numbness?",
       "Where the tingling or numbness is.", values=("one_leg", "both_feet")),
    _f("dizziness", _BOOL, "symptoms", "Dizziness", "Light-headed, especially on standing or running."),
    _f("breathless_easily", _BOOL, "symptoms", "Breathless easily",
       "Out of breath at paces that used to be easy."),
    _f("swelling", _BOOL, "symptoms", "Swelling", "Ankles or calves swell."),
    _f("varicose_veins", _BOOL, "symptoms", "Varicose veins", "Visible bulging veins in the legs."),
    _f("worse_after_standing", _BOOL, "symptoms", "Worse after standing",
       "Worse after standing and in the evening; better with legs raised."),
    _f("exertional_leg_pain", _BOOL, "symptoms", "Pain at a predictable point",
       "Pain or tightness that starts at a predictable point in runs and goes within minutes of stopping."),
    _f("localized_pain", _BOOL, "symptoms", "One sore spot", "One sore spot: a muscle, tendon or bone."),
    _f("restless_legs", _BOOL, "symptoms", "Restless legs", "Urge to move the legs at night."),
    _f("cannot_lift_leg", _BOOL, "symptoms", "Leg will not lift",
       "The foot or leg will not lift; the foot slaps or the toes drag."),
    _f("progressive_weakness", _BOOL, "symptoms", "Weakness growing", "Weakness that has grown over weeks."),
    _f("saddle_numbness_or_bladder_change", _BOOL, "symptoms", "Saddle numbness or bladder change",
       "Numbness around the buttocks or groin, or new trouble passing or holding urine or stools."),
    _f("dark_urine_after_run", _BOOL, "symptoms", "Dark urine after a run",
       "Tea- or cola-coloured urine with severe muscle pain after a run."),
    _f("calf_warm_red_swollen", _BOOL, "symptoms", "Hot, swollen calf",
       "One calf swollen, warm, red or painful."),
    _f("chest_pain_or_fainting", _BOOL, "symptoms", "Chest pain or fainting",
       "Chest pain, fainting or palpitations when running."),
    _f("confusion_or_vomiting_after_run", _BOOL, "symptoms", "Confused or vomiting after a run",
       "Confusion, severe headache, vomiting or bloating after a long run or race."),
    _f("cold_pale_foot", _BOOL, "symptoms", "Cold, pale foot",
       "A foot or lower leg that is cold, pale or blue, or hurts at rest or at night."),
    _f("bone_pain_point", _BOOL, "symptoms", "Pain at one point on a bone",
       "Pain at one point on a bone that hurts to press or to hop on, or at night."),
    _f("weight_loss_fever_night_sweats", _BOOL, "symptoms", "Weight loss, fever or night sweats",
       "Unexplained weight loss, fevers or night sweats."),
    # Health and labs
    _f("diabetes", _BOOL, "health", "Diabetes", "Diagnosed diabetes."),
    _f("smoker", _BOOL, "health", "Smoker", "Smokes tobacco."),
    _f("diuretics", _BOOL, "health", "Diuretics",
       "Takes diuretic medication (the same answer as diuretic in medications; the two must agree)."),
    _f("medications", "list", "health", "Medicines",
       "Medicines taken now or in the last 4 weeks.", values=MEDICATIONS),
    _f("heavy_periods", _BOOL, "health", "Heavy periods", "Heavy menstrual bleeding."),
    _f("menstrual_status", _ENUM, "health", "Periods",
       "Periods missing for 3 months or more is a sign of low energy availability "
       "(not after giving birth: postpartum is within 12 months of a birth).",
       values=("regular", "irregular", "absent_3_months", "postmenopausal", "pregnant", "not_applicable",
               "postpartum")),
    _f("recent_illness", _BOOL, "health", "Recent illness", "Ill in the last 2 weeks."),
    _f("bone_stress_history", _BOOL, "health", "Stress fracture before",
       "A stress fracture or bone stress injury before."),
    _f("blood_donations_12m", _INT, "health", "Blood donations (12 months)",
       "Whole-blood donations in the last 12 months.", "donations", 0, 12),
    _f("nsaid_use", _BOOL, "health", "Painkillers around runs",
       "Takes ibuprofen, naproxen or similar before or during runs."),
    _f("ferritin_ug_l", _NUM, "health", "Ferritin", "Serum ferritin from a blood test.", "µg/L", 1, 2000),
    _f("hemoglobin_g_dl", _NUM, "health", "Haemoglobin", "Haemoglobin from a blood test.", "g/dL", 3, 25),
    _f("vitamin_d_ng_ml", _NUM, "health", "Vitamin D",
       "Serum 25(OH)D; divide nmol/L by 2.5 to get ng/mL.", "ng/mL", 1, 200),
    _f("transferrin_saturation_pct", _NUM, "health", "Transferrin saturation",
       "Share of the iron carrier protein loaded with iron, from a blood test.", "%", 1, 100),
    _f("crp_mg_l", _NUM, "health", "CRP",
       "C-reactive protein; ferritin reads falsely high when it is raised.", "mg/L", 0, 500),
    _f("vitamin_b12_pg_ml", _NUM, "health", "Vitamin B12",
       "Serum vitamin B12; divide pmol/L by 0.738 to get pg/mL.", "pg/mL", 50, 3000),
    _f("sodium_mmol_l", _NUM, "health", "Sodium", "Serum sodium from a blood test.", "mmol/L", 100, 170),
    _f("tsh_mu_l", _NUM, "health", "TSH",
       "Thyroid-stimulating hormone from a blood test.", "mU/L", 0.01, 100),
    # Facts computed from two answers (spec/profile.md, "Facts computed from answers")
    _f("distance_change_pct", _NUM, "training", "Weekly distance change",
       "Computed, not entered: weekly distance against the 4 weeks before, "
       "(weekly_distance_km - weekly_distance_prev_km) / weekly_distance_prev_km x 100.",
       "%", -100, 100000, source="computed"),
    _f("resting_hr_rise_bpm", _NUM, "recovery", "Resting heart rate rise",
       "Computed, not entered: hr_rest_bpm (else resting_hr_bpm) - resting_hr_baseline_bpm.",
       "bpm", -125, 125, source="computed"),
    _f("mass_change_pct_90d", _NUM, "nutrition", "Mass change (90 days, %)",
       "Computed, not entered: mass_change_kg_90d / (body_mass_kg - mass_change_kg_90d) x 100 (+ = gain).",
       "%", -100, 10000, source="computed"),
    # Facts derived from a training log (never entered in a profile)
    _f("log_acwr", _NUM, "log", "Highest ACWR (4 weeks)",
       "Highest coupled acute:chronic workload ratio at a week's end in the last 4 weeks.",
       "ratio", 0, 4, source="log"),
    _f("log_monotony", _NUM, "log", "Highest monotony (4 weeks)",
       "Highest weekly training monotony (Foster) in the last 4 weeks.", "ratio", 0, 100, source="log"),
    _f("log_long_run_spike_pct", _NUM, "log", "Largest long-run spike (4 weeks)",
       "Largest run distance above the longest of the 30 days before it, in the last 4 weeks.",
       "%", -100, 100000, source="log"),
    _f("log_distance_change_pct", _NUM, "log", "Largest week-on-week rise (4 weeks)",
       "Largest week-on-week change in running distance in the last 4 weeks.",
       "%", -100, 100000, source="log"),
    _f("log_rest_days_14d", _INT, "log", "Rest days (14 days)",
       "Days without training in the last 14 days of the log.", "days", 0, 14, source="log"),
    _f("log_strength_sessions_per_week", _NUM, "log", "Strength sessions (4-week mean)",
       "Strength sessions a week, averaged over the last 4 weeks.", "sessions/week", 0, 50, source="log"),
    _f("log_trail_fraction", _NUM, "log", "Trail share (4 weeks)",
       "Share of running distance on trails in the last 4 weeks.", "fraction", 0, 1, source="log"),
    # Facts computed from the wearable's wellness file (spec/wellness.md); like the log's, never entered
    _f("hrv_below_normal", _BOOL, "log", "HRV below normal (wearable)",
       "Computed from wellness.csv, not entered: the last 7 days' mean ln HRV is below the mean minus one "
       "SD of the 60 days before (one source and one HRV kind).", source="log"),
    # -- Athlete thresholds (spec/device-load.md): the heart-rate and pace load use them. --
    _f("hr_max_bpm", _INT, "training", "Maximum heart rate",
       "Highest heart rate the athlete reaches (from a hard race finish or a test).", "bpm", 120, 230),
    # hr_rest_bpm sits with the other resting heart rates under recovery
    _f("lthr_bpm", _INT, "training", "Threshold heart rate",
       "Lactate-threshold heart rate: about the average of an all-out 30-60 min effort.", "bpm", 100, 220),
    _f("threshold_pace_min_km", _NUM, "training", "Threshold pace",
       "Pace the athlete can hold for about an hour.", "min/km", 2.5, 12),
]

#: Every field, keyed by name, in form order.
FIELDS: dict[str, Field] = {f.name: f for f in _ALL}
if len(FIELDS) != len(_ALL):  # a field defined twice would silently take the second definition
    raise RuntimeError("heavylegs.vocabulary: a field name is defined twice: "
                       + ", ".join(sorted({f.name for f in _ALL if sum(g.name == f.name for g in _ALL) > 1})))
#: Fields a profile may carry.
PROFILE_FIELDS: dict[str, Field] = {k: v for k, v in FIELDS.items() if v.source == "profile"}
#: Facts computed from a training log.
LOG_FIELDS: dict[str, Field] = {k: v for k, v in FIELDS.items() if v.source == "log"}
#: Facts computed from two profile answers.
COMPUTED_FIELDS: dict[str, Field] = {k: v for k, v in FIELDS.items() if v.source == "computed"}
#: The profile answers each computed fact needs (in the first tuple, any one of the
#: alternatives will do: ``hr_rest_bpm`` is used before ``resting_hr_bpm``).
COMPUTED_INPUTS: dict[str, tuple] = {
    "distance_change_pct": (("weekly_distance_km",), ("weekly_distance_prev_km",)),
    "resting_hr_rise_bpm": (("hr_rest_bpm", "resting_hr_bpm"), ("resting_hr_baseline_bpm",)),
    "mass_change_pct_90d": (("mass_change_kg_90d",), ("body_mass_kg",)),
}


#: The pattern questions that split the causes best, to ask on every form (the evidence review
#: behind the catalogue, section 0.2): when the heaviness comes, one leg or both, tingling or
#: numbness, what changed recently, and whether a lighter week helped.
PATTERN_QUESTIONS = ("heaviness_onset", "one_leg_only", "tingling_or_numbness", "recent_changes",
                     "rest_week_helps")
#: Answers that need a blood test, not a conversation.
BLOOD_TESTS = ("ferritin_ug_l", "hemoglobin_g_dl", "vitamin_d_ng_ml", "transferrin_saturation_pct", "crp_mg_l",
               "vitamin_b12_pg_ml", "sodium_mmol_l", "tsh_mu_l")

#: Follow-up questions: each is asked only after its parent question got the answer given
#: (``ask_next`` asks the parent first and leaves the follow-up out when the parent's answer
#: makes it moot). Validation does not use this table: any answer stays valid.
FOLLOW_UPS: dict[str, tuple] = {
    "numbness_pattern": ("tingling_or_numbness", True),
    "numbness_weeks": ("tingling_or_numbness", True),
    "menstrual_status": ("sex", "female"),
    "heavy_periods": ("sex", "female"),
    "strength_within_48h": ("strength_sessions_per_week", "at least 1"),
}


def follow_up_applies(name: str, values: dict):
    """Whether a question applies given the answers so far.

    Returns
    -------
    bool or str
        True when it applies (or is no follow-up), False when its parent's answer makes it
        moot, or the parent's name when the parent is still unknown.

    Examples
    --------
    >>> follow_up_applies("numbness_pattern", {}), follow_up_applies("numbness_pattern", {"tingling_or_numbness": False})
    ('tingling_or_numbness', False)
    """
    if name not in FOLLOW_UPS:
        return True
    parent, wanted = FOLLOW_UPS[name]
    if values.get(parent) is None:
        return parent
    if wanted == "at least 1":
        return values[parent] >= 1
    return values[parent] == wanted


def field_names(section: str | None = None, source: str | None = None) -> list[str]:
    """Names of the fields, optionally of one section or one source, in form order."""
    return [f.name for f in FIELDS.values()
            if (section is None or f.section == section) and (source is None or f.source == source)]


def nomenclature_markdown() -> str:
    """The text of ``docs/nomenclature.md``: every field with its unit, range and help.

    Kept in the repository and checked against this table by a test, so the
    document can never drift from the code.
    """
    lines = [
        "# Nomenclature",
        "",
        "Every field heavylegs knows, generated from `heavylegs/fields.py` (do not edit by hand: run",
        "`python scripts/make_docs.py`). Profile fields follow `spec/profile.md`; a missing key or",
        "`null` means unknown, never \"no\" or 0. Log fields are computed from a training log, and",
        "computed fields from two answers of the profile (unknown when either is); neither can be",
        "entered in a profile.",
        "",
    ]
    for key, title in SECTIONS:
        names = field_names(section=key)
        if not names:
            continue
        lines += [f"## {title}", "", "| field | type | unit | range or values | meaning |", "|---|---|---|---|---|"]
        for name in names:
            f = FIELDS[name]
            if f.kind in ("int", "number"):
                rng = f"{_fmt(f.minimum)} to {_fmt(f.maximum)}"
            elif f.values:
                rng = ", ".join(f"`{v}`" for v in f.values)
            elif f.pattern:
                rng = f"`{f.pattern}`"
            elif f.kind == "bool":
                rng = "true, false"
            elif f.kind == "date":
                rng = "YYYY-MM-DD"
            else:
                rng = "1-100 characters"
            lines.append(f"| `{name}` | {f.kind} | {f.unit} | {rng} | {f.help} |")
        lines.append("")
    return "\n".join(lines)
