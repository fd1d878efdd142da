//! The course registry, `course.toml`: every exercise once, in order.

use anyhow::{Context, Result, bail};
use serde::Deserialize;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct CourseFile {
    exercise: Vec<Exercise>,
}

/// How an untouched exercise is expected to fare: what `verify` checks it against.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Start {
    /// Correct, but misses its speed targets.
    Slow,
    /// Has `todo!()` tasks: its tests fail until solved.
    Todo,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Stage {
    pub name: String,
    /// The share of the course solution's gain to reach, measured in the same run (0: the
    /// starting code, 1: the solution; `grading::protocol`).
    pub target: f64,
    #[serde(default)]
    pub optional: bool,
    /// Whether the stage's code runs on more than one thread: only those miss their target
    /// because another program holds a core (the "busy machine" note).
    #[serde(default)]
    pub multi_threaded: bool,
    /// For a `todo` exercise: the test of the task this stage times. The stage is graded as soon
    /// as that test passes, before the other tasks are done.
    #[serde(default)]
    pub task: Option<String>,
    /// Why this stage's target cannot keep the course's margin from the untouched code and the
    /// solution (the rule `cargo xtask figures` checks): a ceiling the hardware sets, such as
    /// two cores or memory bandwidth. The stage is then held to a narrower margin, stated in the
    /// lesson.
    #[serde(default)]
    pub narrow_margin: Option<String>,
    /// The least speedup the course's solution must show over the baseline for this stage to be
    /// graded (`grading::protocol::Protocol::min_solution_speedup` when absent): lower where the
    /// untouched code cannot be timed and the solution's gain is short (two MPI ranks on two
    /// cores), higher where the untouched code measures faster than the baseline for reasons of
    /// its own.
    #[serde(default)]
    pub min_solution_speedup: Option<f64>,
    /// Shares that earn 1, 2, 3… points, lowest first; the first is `target` (the pass mark).
    /// Absent: one tier, the target, worth 1 point. Learners see how far past the target they
    /// got, and a class table can rank more than met/missed.
    #[serde(default)]
    pub tiers: Vec<f64>,
}

impl Stage {
    /// The shares that earn points, lowest first: `tiers`, or the target alone.
    pub fn tiers(&self) -> Vec<f64> {
        if self.tiers.is_empty() { vec![self.target] } else { self.tiers.clone() }
    }

    /// The least speedup the solution must show for this stage to be graded: its own
    /// `min_solution_speedup`, else the protocol's.
    pub fn least_solution_speedup(&self, protocol: &grading::protocol::Protocol) -> f64 {
        self.min_solution_speedup.unwrap_or(protocol.min_solution_speedup)
    }

    /// The share that earns the most points (the target for a stage without tiers).
    pub fn top_tier(&self) -> f64 {
        self.tiers.last().copied().unwrap_or(self.target)
    }
}

/// A version between the starting code and the solution, graded by `cargo xtask figures` as the
/// exercise's `src/lib.rs` so the lesson can show what each change buys.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Rung {
    /// What changed, cumulatively, e.g. "+ loop order".
    pub name: String,
    /// The file, relative to the solution's folder.
    pub lib: String,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Exercise {
    pub name: String,
    pub dir: String,
    pub title: String,
    #[serde(default = "default_lesson")]
    pub lesson: String,
    pub start: Start,
    #[serde(default)]
    pub stages: Vec<Stage>,
    #[serde(default)]
    pub hints: Vec<Hint>,
    /// The graded input is the workload itself (the same `n` every call), so fresh inputs
    /// cannot rule out a cache kept between calls: the runner refuses code that keeps state
    /// (`stateless.rs`).
    #[serde(default)]
    pub stateless: bool,
    /// Every timed call of the learner's code (and of the solution, timed alike) runs alone in
    /// a worker process started for it, with a scratch folder of its own: nothing a call keeps
    /// is there for the next, whatever the code (a run-time complement to `stateless`, for
    /// calls long enough to time one at a time).
    #[serde(default)]
    pub fresh_process_per_call: bool,
    /// Arguments `cargo xtask profile` passes to the exercise's program (a short run: the
    /// profilers slow it down).
    #[serde(default)]
    pub profile_args: Vec<String>,
    /// The example `cargo xtask profile` runs, for an exercise whose crate has no program of
    /// its own (`src/main.rs`).
    #[serde(default)]
    pub profile_example: Option<String>,
    /// Versions between the starting code and the solution, in order (see [`Rung`]).
    #[serde(default)]
    pub ladder: Vec<Rung>,
    /// Runs under MPI (`mpirun`): with which rank counts (see [`Mpi`]).
    #[serde(default)]
    pub mpi: Option<Mpi>,
    /// Runs its kernels on a GPU through wgpu: needs a Vulkan driver (or Metal), lavapipe's on
    /// the CPU will do (see `gpu.rs`).
    #[serde(default)]
    pub gpu: bool,
    /// The day work is due (`deadline = 2026-03-15`, a TOML date: the end of that day, UTC):
    /// `cargo xtask class` scores a report graded after it on the late table. The time is the
    /// grading runner's clock, never a date the learner's commit claims.
    #[serde(default)]
    pub deadline: Option<toml::value::Datetime>,
}

/// How an exercise runs under MPI: every course test once per rank count in `ranks`, and the
/// timed stages with `timed_ranks` ranks (two on the course machine's two cores).
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Mpi {
    pub ranks: Vec<u32>,
    #[serde(default = "default_timed_ranks")]
    pub timed_ranks: u32,
}

fn default_timed_ranks() -> u32 {
    2
}

/// A hint: plain text, shown in turn, or a table `{ about = [names], text = "…" }` shown when
/// one of the tests or stages it names failed; `full = true` marks one that gives the task's
/// whole code, shown only when asked for (`hint --full`).
#[derive(Clone, Debug, Deserialize)]
#[serde(from = "HintEntry")]
pub struct Hint {
    pub text: String,
    /// Test or stage names this hint is about (empty: a general hint).
    pub about: Vec<String>,
    /// It gives the answer's code: never shown unasked.
    pub full: bool,
}

#[derive(Deserialize)]
#[serde(untagged)]
enum HintEntry {
    Plain(String),
    About {
        about: Vec<String>,
        text: String,
        #[serde(default)]
        full: bool,
    },
}

impl From<HintEntry> for Hint {
    fn from(entry: HintEntry) -> Self {
        match entry {
            HintEntry::Plain(text) => Hint { text, about: Vec::new(), full: false },
            HintEntry::About { about, text, full } => Hint { text, about, full },
        }
    }
}

impl std::fmt::Display for Hint {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.text)
    }
}

impl Exercise {
    /// The next hint to show after a check where `failed` (test and stage names, the first
    /// unfinished first) went wrong, the hints `seen` having been shown: an unseen hint about
    /// the first failure (the one to fix now), else the next unseen general one; never one that
    /// gives the whole code. Returns its index.
    pub fn hint_for(&self, failed: &[String], seen: &BTreeSet<usize>) -> Option<usize> {
        let unseen = |k: &usize| !seen.contains(k) && !self.hints[*k].full;
        let about = failed
            .first()
            .and_then(|name| (0..self.hints.len()).filter(unseen).find(|&k| self.hints[k].about.contains(name)));
        about.or_else(|| (0..self.hints.len()).filter(unseen).find(|&k| self.hints[k].about.is_empty()))
    }

    /// The hints giving the whole code of what `failed` names first (of every task, when
    /// nothing failed): what `hint --full` adds.
    pub fn full_hints_for(&self, failed: &[String]) -> Vec<usize> {
        let about = |k: &usize| failed.first().is_none_or(|name| self.hints[*k].about.contains(name));
        (0..self.hints.len()).filter(|k| self.hints[*k].full).filter(about).collect()
    }
}

fn default_lesson() -> String {
    "README.md".into()
}

/// Which of an exercise's two crates to work on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Side {
    Exercise,
    Solution,
}

impl Exercise {
    /// `base` as this exercise is graded with: one call per sample where every call gets a
    /// process of its own.
    pub fn protocol(&self, base: &grading::protocol::Protocol) -> grading::protocol::Protocol {
        grading::protocol::Protocol { one_call_per_sample: self.fresh_process_per_call, ..base.clone() }
    }

    pub fn package(&self, side: Side) -> String {
        match side {
            Side::Exercise => self.name.clone(),
            Side::Solution => format!("{}-solution", self.name),
        }
    }

    pub fn folder(&self, side: Side) -> PathBuf {
        match side {
            Side::Exercise => Path::new("exercises").join(&self.dir),
            Side::Solution => Path::new("solutions").join(&self.dir),
        }
    }

    pub fn lesson_path(&self) -> PathBuf {
        self.folder(Side::Exercise).join(&self.lesson)
    }

    pub fn required_stages(&self) -> impl Iterator<Item = &Stage> {
        self.stages.iter().filter(|s| !s.optional)
    }

    /// The first second after the deadline (seconds since 1970-01-01 UTC), if there is one:
    /// the end of the deadline's day, UTC (`validate` has refused any other form).
    pub fn late_from(&self) -> Option<i64> {
        let date = self.deadline.as_ref()?.date?;
        Some(
            (crate::clock::days_from_civil(i64::from(date.year), u32::from(date.month), u32::from(date.day)) + 1)
                * 86_400,
        )
    }
}

/// A target is a share of the course solution's gain: 0 or less would pass code no faster than
/// the baseline; above 2 (twice the solution's doublings) no course solution could show it.
const MIN_TARGET: f64 = 0.0;
const MAX_TARGET: f64 = 2.0;

/// `tiers`, when given: the target first, then rising speedups, each a valid target itself.
fn validate_tiers(stage: &Stage) -> Result<()> {
    let Some(&first) = stage.tiers.first() else { return Ok(()) };
    if first != stage.target {
        bail!(
            "tiers must start with the target (the first tier is the pass mark): target {}, tiers {:?}",
            stage.target,
            stage.tiers
        );
    }
    if let Some(w) = stage.tiers.windows(2).find(|w| !(w[1] > w[0] && w[1].is_finite() && w[1] <= MAX_TARGET)) {
        bail!(
            "tiers must rise, each above the one before and at most {MAX_TARGET}: {} then {} in {:?}",
            w[0],
            w[1],
            stage.tiers
        );
    }
    Ok(())
}

#[derive(Debug)]
pub struct Course {
    pub exercises: Vec<Exercise>,
}

impl Course {
    /// Reads and checks `course.toml` in `root`; errors name the file and the line.
    pub fn load(root: &Path) -> Result<Course> {
        let path = root.join("course.toml");
        let text = std::fs::read_to_string(&path).with_context(|| format!("cannot read {}", path.display()))?;
        Course::parse(&text, root).with_context(|| format!("{} is not a valid course registry", path.display()))
    }

    pub fn parse(text: &str, root: &Path) -> Result<Course> {
        let file: CourseFile = toml::from_str(text)?;
        let course = Course { exercises: file.exercise };
        course.validate(root)?;
        Ok(course)
    }

    fn validate(&self, root: &Path) -> Result<()> {
        for (k, ex) in self.exercises.iter().enumerate() {
            if self.exercises[..k].iter().any(|o| o.name == ex.name) {
                bail!("two exercises are named '{}': each name may appear once", ex.name);
            }
            if let Some(other) = self.exercises[..k].iter().find(|o| o.dir == ex.dir) {
                bail!("exercises '{}' and '{}' share the folder '{}'", other.name, ex.name, ex.dir);
            }
            for (j, stage) in ex.stages.iter().enumerate() {
                if ex.stages[..j].iter().any(|s| s.name == stage.name) {
                    bail!("exercise '{}' has two stages named '{}': each stage may appear once", ex.name, stage.name);
                }
                if stage.task.is_some() && ex.start != Start::Todo {
                    bail!(
                        "exercise '{}', stage '{}': `task` is for exercises with start = \"todo\" (a slow start \
                         has no task to wait for)",
                        ex.name,
                        stage.name
                    );
                }
                if !(stage.target.is_finite() && stage.target > MIN_TARGET && stage.target <= MAX_TARGET) {
                    let speedup = if stage.target.is_finite() && stage.target > MAX_TARGET {
                        " (a speedup? targets are shares since the course's report schema 2)"
                    } else {
                        ""
                    };
                    bail!(
                        "exercise '{}', stage '{}': target must be a share of the course solution's gain, above \
                         {MIN_TARGET} and at most {MAX_TARGET} (0.5: half-way from the starting code to the \
                         solution, on a log scale), found {}{speedup}",
                        ex.name,
                        stage.name,
                        stage.target
                    );
                }
                validate_tiers(stage).with_context(|| format!("exercise '{}', stage '{}'", ex.name, stage.name))?;
                if let Some(m) = stage.min_solution_speedup
                    && !(m.is_finite() && (1.05..=4.0).contains(&m))
                {
                    bail!(
                        "exercise '{}', stage '{}': min_solution_speedup must be a speedup from 1.05 to 4 (below it \
                         the stage is not gradable on that machine), found {m}",
                        ex.name,
                        stage.name
                    );
                }
            }
            // Without a GPU a GPU stage is not timed, and the check can still be done: only
            // when every such stage is optional.
            if let Some(stage) = ex.stages.iter().find(|s| ex.gpu && !s.optional) {
                bail!(
                    "exercise '{}', stage '{}': a GPU exercise's stages must be `optional = true` (a machine \
                     without a GPU cannot time them)",
                    ex.name,
                    stage.name
                );
            }
            if let Some(mpi) = &ex.mpi
                && (mpi.ranks.is_empty() || mpi.ranks.iter().chain([&mpi.timed_ranks]).any(|&r| r == 0 || r > 64))
            {
                bail!(
                    "exercise '{}': `mpi = {{ ranks = [...], timed_ranks = N }}` needs at least one rank count, \
                     each from 1 to 64, found ranks {:?} and timed_ranks {}",
                    ex.name,
                    mpi.ranks,
                    mpi.timed_ranks
                );
            }
            if let Some(deadline) = &ex.deadline
                && (deadline.date.is_none() || deadline.time.is_some() || deadline.offset.is_some())
            {
                bail!(
                    "exercise '{}': deadline must be a date such as `deadline = 2026-03-15` (due by the end of that \
                     day, UTC), found {deadline}",
                    ex.name
                );
            }
            for rung in &ex.ladder {
                let lib = root.join(ex.folder(Side::Solution)).join(&rung.lib);
                if !lib.is_file() {
                    bail!("exercise '{}', ladder rung '{}': {} does not exist", ex.name, rung.name, lib.display());
                }
            }
            for side in [Side::Exercise, Side::Solution] {
                let manifest = root.join(ex.folder(side)).join("Cargo.toml");
                if !manifest.is_file() {
                    bail!("exercise '{}': {} does not exist", ex.name, manifest.display());
                }
            }
        }
        Ok(())
    }

    /// Every exercise and solution folder, for sealing.
    pub fn all_folders(&self) -> Vec<PathBuf> {
        self.exercises.iter().flat_map(|e| [e.folder(Side::Exercise), e.folder(Side::Solution)]).collect()
    }

    /// Finds an exercise by name (or by folder, or by its folder's number such as `1` or `01`); otherwise an
    /// error that suggests the closest name.
    pub fn find(&self, query: &str) -> Result<&Exercise> {
        let q = query.trim_start_matches("exercises/").trim_start_matches("solutions/").trim_end_matches('/');
        let by_number = q
            .parse::<usize>()
            .ok()
            .and_then(|n| self.exercises.iter().find(|e| e.dir.starts_with(&format!("{n:02}-"))));
        if let Some(ex) = self.exercises.iter().find(|e| e.name == q || e.dir == q).or(by_number) {
            return Ok(ex);
        }
        let closest = self
            .exercises
            .iter()
            .map(|e| (strsim::damerau_levenshtein(q, &e.name), e))
            .min_by_key(|(d, _)| *d)
            .filter(|(d, e)| *d <= e.name.len() / 2 || e.name.contains(q));
        match closest {
            Some((_, e)) => {
                bail!("there is no exercise '{query}'; did you mean '{}'?\n(`cargo xtask list` shows them all)", e.name)
            }
            None => bail!("there is no exercise '{query}'\n(`cargo xtask list` shows them all)"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_call_gets_a_process_of_its_own_only_where_its_input_is_the_workload() {
        let course = Course::load(Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap()).unwrap();
        let fresh: Vec<&str> =
            course.exercises.iter().filter(|e| e.fresh_process_per_call).map(|e| e.name.as_str()).collect();
        assert_eq!(fresh, ["static-typing", "call-overhead"]);
        for ex in course.exercises.iter().filter(|e| e.fresh_process_per_call) {
            assert!(ex.stateless && ex.mpi.is_none(), "{}", ex.name);
            assert!(ex.protocol(&grading::protocol::Protocol::default()).one_call_per_sample);
        }
    }

    #[test]
    fn the_hint_shown_is_about_what_failed() {
        let course = Course::load(Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap()).unwrap();
        let ex = course.find("array-basics").unwrap();
        let names = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        let about_task_6 = ex.hints.iter().position(|h| h.about.iter().any(|a| a == "task_06_differences")).unwrap();
        let seen = |v: &[usize]| v.iter().copied().collect::<BTreeSet<usize>>();
        // A failed task 6, or the timed stage missed: its hint, whatever general ones were seen.
        assert_eq!(ex.hint_for(&names(&["task_06_differences", "task_07_reshape"]), &seen(&[])), Some(about_task_6));
        assert_eq!(ex.hint_for(&names(&["differences"]), &seen(&[0, 1])), Some(about_task_6));
        // Seen once, it makes way for the next general hint.
        let next = ex.hint_for(&names(&["differences"]), &seen(&[0, about_task_6]));
        assert!(next.is_some_and(|k| k != about_task_6 && ex.hints[k].about.is_empty()), "{next:?}");
        // Task 1 is the one to fix first: a general hint, though the stage missed too.
        assert_eq!(ex.hint_for(&names(&["task_01_creating", "differences"]), &seen(&[])), Some(0));
        // A failed checkerboard has no hint of its own: the general ones in turn, never task 6's.
        let mut shown = BTreeSet::new();
        while let Some(k) = ex.hint_for(&names(&["task_03_checkerboard"]), &shown) {
            assert!(ex.hints[k].about.is_empty() && shown.iter().all(|&s| s < k), "{shown:?} then {k}");
            shown.insert(k);
        }
        assert_eq!(shown.len(), ex.hints.iter().filter(|h| h.about.is_empty()).count());
    }

    #[test]
    fn a_hint_that_gives_the_code_is_shown_only_when_asked() {
        let course = Course::load(&root()).unwrap();
        let ex = course.find("threads").unwrap();
        let names = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        let full = ex.full_hints_for(&names(&["task_02_pool"]));
        assert!(!full.is_empty(), "task 2's hint gives its one line");
        let mut seen = BTreeSet::new();
        while let Some(k) = ex.hint_for(&names(&["task_02_pool"]), &seen) {
            assert!(!ex.hints[k].full, "hint {k} gives the code unasked");
            seen.insert(k);
        }
        assert!(full.iter().all(|k| !seen.contains(k)));
        // Asked for with nothing failed: every task's.
        assert_eq!(ex.full_hints_for(&[]).len(), ex.hints.iter().filter(|h| h.full).count());
    }

    fn root() -> PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap().to_path_buf()
    }

    #[test]
    fn the_real_registry_loads() {
        let course = Course::load(&root()).unwrap();
        let heat = course.find("profiling-heat").unwrap();
        assert_eq!(heat.package(Side::Solution), "profiling-heat-solution");
        assert!(root().join(heat.lesson_path()).is_file());
        assert!(heat.required_stages().count() >= 1);
    }

    #[test]
    fn finds_by_number_and_folder_and_suggests_the_closest_name() {
        let course = Course::load(&root()).unwrap();
        assert_eq!(course.find("1").unwrap().name, "profiling-heat");
        assert_eq!(course.find("exercises/01-profiling-heat/").unwrap().name, "profiling-heat");
        let err = course.find("profilng-heat").unwrap_err().to_string();
        assert!(err.contains("did you mean 'profiling-heat'?"), "{err}");
        let err = course.find("profiling").unwrap_err().to_string();
        assert!(err.contains("did you mean 'profiling-heat'?"), "{err}");
        let err = course.find("zzzzzzzzzzzzzzzzzzzzzz").unwrap_err().to_string();
        assert!(!err.contains("did you mean"), "{err}");
    }

    #[test]
    fn malformed_registries_say_what_and_where() {
        let err = Course::parse("[[exercise]]\nname = \"x\"\ndir = 3\n", &root()).unwrap_err();
        let text = format!("{err:#}");
        assert!(text.contains("line 3"), "{text}");
        let err = Course::parse(
            "[[exercise]]\nname = \"x\"\ndir = \"d\"\ntitle = \"t\"\nstart = \"slow\"\ncolour = 1\n",
            &root(),
        )
        .unwrap_err();
        assert!(format!("{err:#}").contains("unknown field `colour`"), "{err:#}");
        let err =
            Course::parse("[[exercise]]\nname = \"x\"\ndir = \"nowhere\"\ntitle = \"t\"\nstart = \"slow\"\n", &root())
                .unwrap_err();
        assert!(err.to_string().contains("exercises/nowhere/Cargo.toml does not exist"), "{err}");
    }

    /// A registry of one or two exercises in the real folders, with `stages` for the first.
    fn registry(stages: &str, second: &str) -> String {
        format!(
            "[[exercise]]\nname = \"heat\"\ndir = \"01-profiling-heat\"\ntitle = \"t\"\nstart = \"slow\"\n\
             stages = [{stages}]\n{second}"
        )
    }

    fn error(text: &str) -> String {
        format!("{:#}", Course::parse(text, &root()).unwrap_err())
    }

    #[test]
    fn duplicate_names_folders_and_stages_are_refused() {
        assert!(Course::parse(&registry("{ name = \"a\", target = 0.5 }", ""), &root()).is_ok());
        let twice = |name: &str, dir: &str| {
            format!("[[exercise]]\nname = \"{name}\"\ndir = \"{dir}\"\ntitle = \"t\"\nstart = \"slow\"\n")
        };
        let text = error(&registry("", &twice("heat", "04-mandelbrot")));
        assert!(text.contains("two exercises are named 'heat'"), "{text}");
        let text = error(&registry("", &twice("other", "01-profiling-heat")));
        assert!(text.contains("exercises 'heat' and 'other' share the folder '01-profiling-heat'"), "{text}");
        let text =
            error(&registry("{ name = \"a\", target = 0.5 }, { name = \"a\", target = 0.6, optional = true }", ""));
        assert!(text.contains("exercise 'heat' has two stages named 'a'"), "{text}");
    }

    #[test]
    fn absurd_targets_are_refused_naming_the_exercise_and_stage() {
        for target in ["0.0", "-2.0", "nan", "inf"] {
            let text = error(&registry(&format!("{{ name = \"a\", target = {target} }}"), ""));
            assert!(
                text.contains("exercise 'heat', stage 'a': target must be a share of the course solution's gain"),
                "{target}: {text}"
            );
            assert!(!text.contains("a speedup?"), "{target}: {text}");
        }
        // A speedup from before targets were shares is named as such.
        let text = error(&registry("{ name = \"a\", target = 2.5 }", ""));
        assert!(text.contains("found 2.5 (a speedup?"), "{text}");
        for least in ["0.9", "1.0", "nan", "5.0"] {
            let text =
                error(&registry(&format!("{{ name = \"a\", target = 0.5, min_solution_speedup = {least} }}"), ""));
            assert!(
                text.contains("stage 'a': min_solution_speedup must be a speedup from 1.05 to 4"),
                "{least}: {text}"
            );
        }
        assert!(
            Course::parse(&registry("{ name = \"a\", target = 0.5, min_solution_speedup = 1.2 }", ""), &root()).is_ok()
        );
        for target in ["0.01", "0.5", "1.0", "2.0"] {
            assert!(Course::parse(&registry(&format!("{{ name = \"a\", target = {target} }}"), ""), &root()).is_ok());
        }
        // A GPU exercise's stage cannot be timed without a GPU: it must be optional.
        let gpu = |optional: &str| {
            registry(&format!("{{ name = \"a\", target = 0.5{optional} }}"), "")
                .replace("start = \"slow\"\n", "start = \"slow\"\ngpu = true\n")
        };
        assert!(error(&gpu("")).contains("stage 'a': a GPU exercise's stages must be `optional = true`"));
        assert!(Course::parse(&gpu(", optional = true"), &root()).is_ok());
        // Through `load`, the file is named too.
        let dir = std::env::temp_dir().join(format!("xtask-course-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("course.toml"), registry("{ name = \"a\", target = 0.0 }", "")).unwrap();
        let text = format!("{:#}", Course::load(&dir).unwrap_err());
        assert!(text.contains("course.toml is not a valid course registry") && text.contains("stage 'a'"), "{text}");
        std::fs::remove_dir_all(&dir).unwrap();
    }

    /// The runner expects a learner's test binaries to report exactly the tests the solution's
    /// twins list (`check::build_solution`): the two crates' `tests/*.rs` must be the same code.
    #[test]
    fn exercise_and_solution_test_files_are_the_same_code() {
        let course = Course::load(&root()).unwrap();
        let code = |path: &Path, package: &str| {
            let text = std::fs::read_to_string(path).unwrap_or_default();
            text.lines()
                .filter(|l| !l.trim_start().starts_with("//") && !l.trim().is_empty())
                .map(|l| replace_word(l, &package.replace('-', "_"), "CRATE"))
                .collect::<Vec<_>>()
        };
        for ex in &course.exercises {
            let dir = root().join(ex.folder(Side::Exercise)).join("tests");
            for entry in std::fs::read_dir(&dir).unwrap() {
                let path = entry.unwrap().path();
                let twin = root().join(ex.folder(Side::Solution)).join("tests").join(path.file_name().unwrap());
                assert_eq!(
                    code(&path, &ex.package(Side::Exercise)),
                    code(&twin, &ex.package(Side::Solution)),
                    "{} and {} differ",
                    path.display(),
                    twin.display()
                );
            }
        }
    }

    /// `line` with `word` replaced where it stands alone (not inside a longer identifier).
    fn replace_word(line: &str, word: &str, by: &str) -> String {
        let ident = |c: Option<char>| c.is_some_and(|c| c.is_alphanumeric() || c == '_');
        let mut out = String::new();
        let mut rest = line;
        while let Some(at) = rest.find(word) {
            // `harness::mandelbrot` is the harness's module, not the crate.
            let before = rest[..at].chars().next_back();
            let alone = !ident(before) && before != Some(':') && !ident(rest[at + word.len()..].chars().next());
            out.push_str(&rest[..at]);
            out.push_str(if alone { by } else { word });
            rest = &rest[at + word.len()..];
        }
        out + rest
    }
}
