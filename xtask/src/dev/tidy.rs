//! Tidy tests, after rust-analyzer's `tidy`: invariants of the course that used to live only in
//! comments, checked by `cargo test -p xtask`.
//!
//! 1. **Frozen baselines** ([`PAIRS`]): every copy of an exercise's starting code that the
//!    harness times speedups against ("Keep it identical to …") is the code the exercise ships,
//!    compared item by item with comments and layout ignored.
//! 2. **The registry**: every exercise of `course.toml` has its two crates (with the package
//!    names the runner builds), its lesson, the same `tests/` files on both sides and a hint;
//!    every folder under `exercises/` and `solutions/` is in `course.toml`.
//! 3. **Stage names**: the reference worker grades, for each exercise, exactly the stages
//!    `course.toml` lists (the runner refuses a mismatch too: `judge::match_stages`).

use crate::course::{Course, Side};
use crate::integrity;
use crate::lexer::{self, Token};
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().expect("xtask lives inside the course").to_path_buf()
}

fn course() -> Course {
    Course::load(&root()).unwrap_or_else(|e| panic!("{e:#}"))
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()))
}

// ---- 1. Frozen baselines --------------------------------------------------------------------

/// A frozen baseline in the harness and the exercise file it copies.
struct Pair {
    /// The copy, relative to the course's root.
    baseline: &'static str,
    /// The exercise's file, relative to the course's root: its shipped starting version (the one
    /// `integrity.toml` seals) is compared, whatever a learner has made of it since.
    exercise: &'static str,
    /// The items compared, as the exercise's file names them: `fn name`, `impl Trait for Type`,
    /// `type Name`. Each must occur once in each file (after the substitutions); its outer
    /// attributes and visibility are part of it.
    items: &'static [&'static str],
    /// Rewrites of the baseline's code, in order, from its form to the exercise's where the copy
    /// cannot be the same text (each matched as a sequence of tokens, so `Naive` never rewrites
    /// part of `NaiveX`). Each must still match something: a stale one is reported.
    substitutions: &'static [(&'static str, &'static str)],
}

/// Every frozen baseline. `every_copy_that_says_it_is_shipped_code_is_checked` makes sure a new
/// one in the harness gets its line here.
const PAIRS: &[Pair] = &[
    Pair {
        baseline: "shared/harness/src/heat/baseline.rs",
        exercise: "exercises/01-profiling-heat/src/lib.rs",
        items: &["type Field", "impl HeatSolver for Heat", "fn parse_field", "fn evolve_step"],
        // The harness names the copy `Baseline` (beside the reference and the C kernel), and it
        // lives in the module that defines `Grid`, which the exercise imports.
        substitutions: &[("Baseline", "Heat"), ("super::Grid", "Grid")],
    },
    Pair {
        baseline: "shared/harness/src/arrays/mod.rs",
        exercise: "exercises/02-array-basics/src/lib.rs",
        items: &["fn differences"],
        // In the harness's module the bare name would read as the reference.
        substitutions: &[("baseline_differences", "differences")],
    },
    Pair {
        baseline: "shared/harness/src/static_typing/mod.rs",
        exercise: "exercises/03-static-typing/src/lib.rs",
        items: &["fn series"],
        // The exercise takes anything that converts (its tests call `series(1000)`), the grader
        // hands the baseline the `Object` itself: `n.into()` on an `Object` is the identity.
        substitutions: &[(
            "fn baseline_series(n: Object) -> Object {",
            "fn series(n: impl Into<Object>) -> Object { let n = n.into();",
        )],
    },
    Pair {
        baseline: "shared/harness/src/mandelbrot/baseline.rs",
        exercise: "exercises/04-mandelbrot/src/lib.rs",
        items: &["fn kernel", "impl Mandelbrot for Mandel"],
        // The harness also has a static kernel and image: its names say which these are.
        substitutions: &[("dynamic_kernel", "kernel"), ("DynamicImage", "Mandel")],
    },
    Pair {
        baseline: "shared/harness/src/call_overhead/baseline.rs",
        exercise: "exercises/05-call-overhead/src/lib.rs",
        // The `def` rung; rungs 2–4 are the learner's.
        items: &["fn fib_module", "fn fib_def"],
        substitutions: &[],
    },
    Pair {
        baseline: "shared/harness/src/fibonacci/baseline.rs",
        exercise: "exercises/06-fibonacci-memo/src/lib.rs",
        items: &["fn naive"],
        // The exercise's `naive` is a method of its `Fibonacci` impl, which takes no `pub`.
        substitutions: &[("pub fn naive", "fn naive")],
    },
    Pair {
        baseline: "shared/harness/src/heat_fast/mod.rs",
        exercise: "exercises/08-heat-fast/src/lib.rs",
        items: &["impl FastHeat for Heat"],
        // The harness's name for the starting code, beside the learner's `Heat`.
        substitutions: &[("Naive", "Heat")],
    },
    Pair {
        baseline: "shared/harness/src/threads/mod.rs",
        exercise: "exercises/09-threads/src/lib.rs",
        items: &["fn centre"],
        // In the harness's module the bare name would read as the reference.
        substitutions: &[("baseline_centre", "centre")],
    },
];

/// The tokens of `source` ([`lexer::tokens`]), less a comma before a closing bracket (rustfmt
/// adds one when it breaks a list over lines).
fn tokens(source: &str) -> Result<Vec<Token>, String> {
    let out = lexer::tokens(source)?;
    let closes = |t: Option<&Token>| t.is_some_and(|t| matches!(t.text.as_str(), ")" | "]" | "}"));
    Ok((0..out.len()).filter(|&k| !(out[k].text == "," && closes(out.get(k + 1)))).map(|k| out[k].clone()).collect())
}

/// The texts of the tokens of `code` (a pattern written in this file), for matching.
fn texts(code: &str) -> Vec<String> {
    tokens(code).unwrap_or_else(|e| panic!("`{code}`: {e}")).into_iter().map(|t| t.text).collect()
}

fn starts_with(tokens: &[Token], texts: &[String]) -> bool {
    tokens.len() >= texts.len() && tokens.iter().zip(texts).all(|(t, s)| t.text == *s)
}

/// `tokens` with every occurrence of `from` replaced by `to`; also how many there were.
fn substitute(tokens: &[Token], from: &[String], to: &[String]) -> (Vec<Token>, usize) {
    let (mut out, mut k, mut count) = (Vec::new(), 0, 0);
    while k < tokens.len() {
        if !from.is_empty() && starts_with(&tokens[k..], from) {
            out.extend(to.iter().map(|text| Token { text: text.clone(), ..tokens[k].clone() }));
            (k, count) = (k + from.len(), count + 1);
        } else {
            out.push(tokens[k].clone());
            k += 1;
        }
    }
    (out, count)
}

/// The index of the bracket matching the one at `at`: forward from an opening one, back from
/// a closing one.
fn partner(tokens: &[Token], at: usize) -> Option<usize> {
    let (open, close, forward) = match tokens[at].text.as_str() {
        "{" => ("{", "}", true),
        "(" => ("(", ")", true),
        "[" => ("[", "]", true),
        "}" => ("{", "}", false),
        ")" => ("(", ")", false),
        "]" => ("[", "]", false),
        _ => return None,
    };
    let order: Box<dyn Iterator<Item = usize>> =
        if forward { Box::new(at..tokens.len()) } else { Box::new((0..=at).rev()) };
    let mut depth = 0i64;
    for k in order {
        let step = match tokens[k].text.as_str() {
            t if t == open => 1,
            t if t == close => -1,
            _ => 0,
        };
        depth += if forward { step } else { -step };
        if depth == 0 {
            return Some(k);
        }
    }
    None
}

/// The item `header` (`fn evolve_step`, `impl FastHeat for Heat`) in `tokens`, the outermost
/// one (`type Field` at the top, not the one inside an impl): from its outer attributes,
/// visibility and qualifiers to the `}` that closes its body, or to its `;`.
fn item<'t>(tokens: &'t [Token], header: &str) -> Result<&'t [Token], String> {
    let header = texts(header);
    // The number of `{` around each token.
    let depths: Vec<usize> = tokens
        .iter()
        .scan(0usize, |depth, t| {
            let here = *depth;
            match t.text.as_str() {
                "{" => *depth += 1,
                "}" => *depth = depth.saturating_sub(1),
                _ => {}
            }
            Some(here)
        })
        .collect();
    let found: Vec<usize> = (0..tokens.len()).filter(|&k| starts_with(&tokens[k..], &header)).collect();
    let outermost = found.iter().map(|&k| depths[k]).min();
    let found: Vec<usize> = found.into_iter().filter(|&k| Some(depths[k]) == outermost).collect();
    let at = match found[..] {
        [at] => at,
        [] => return Err("not found".into()),
        _ => {
            let lines: Vec<String> = found.iter().map(|&k| tokens[k].line.to_string()).collect();
            return Err(format!(
                "found {} times (lines {}): name it so that it is found once",
                found.len(),
                lines.join(", ")
            ));
        }
    };
    let mut start = at;
    while let Some(before) = start.checked_sub(1) {
        let opening = |k: usize| partner(tokens, k).filter(|&o| o > 0);
        match tokens[before].text.as_str() {
            "pub" | "unsafe" | "const" | "async" | "default" => start = before,
            ")" => match opening(before) {
                Some(o) if tokens[o - 1].text == "pub" => start = o - 1,
                _ => break,
            },
            "]" => match opening(before) {
                Some(o) if tokens[o - 1].text == "#" => start = o - 1,
                _ => break,
            },
            _ => break,
        }
    }
    let mut depth = 0usize;
    for (k, token) in tokens.iter().enumerate().skip(at + header.len()) {
        match token.text.as_str() {
            "(" | "[" => depth += 1,
            ")" | "]" => depth = depth.saturating_sub(1),
            ";" if depth == 0 => return Ok(&tokens[start..=k]),
            "{" if depth == 0 => {
                let end =
                    partner(tokens, k).ok_or_else(|| format!("the `{{` on line {} is never closed", token.line))?;
                return Ok(&tokens[start..=end]);
            }
            _ => {}
        }
    }
    Err("has neither a body nor a `;`".into())
}

/// Line `n` (1-based) of `text`, trimmed.
fn line_of(text: &str, n: usize) -> &str {
    text.lines().nth(n.saturating_sub(1)).unwrap_or("").trim()
}

/// What differs between the pair's copy (`baseline`, its text) and the exercise's code
/// (`exercise`, its shipped starting text, `whence` saying where that came from): one message
/// per item, empty when they are the same code.
fn compare_pair(pair: &Pair, baseline: &str, exercise: &str, whence: &str) -> Vec<String> {
    let name = format!("{} ↔ {} ({whence})", pair.baseline, pair.exercise);
    let (mut ours, theirs) = match (tokens(baseline), tokens(exercise)) {
        (Ok(ours), Ok(theirs)) => (ours, theirs),
        (Err(e), _) => return vec![format!("{name}: cannot read {}: {e}", pair.baseline)],
        (_, Err(e)) => return vec![format!("{name}: cannot read {}: {e}", pair.exercise)],
    };
    let mut problems = Vec::new();
    for (from, to) in pair.substitutions {
        let (next, count) = substitute(&ours, &texts(from), &texts(to));
        ours = next;
        if count == 0 {
            problems.push(format!(
                "{name}: the substitution `{from}` → `{to}` (xtask/src/tidy.rs) matches nothing in {}: remove it",
                pair.baseline
            ));
        }
    }
    for header in pair.items {
        let (a, b) = match (item(&ours, header), item(&theirs, header)) {
            (Ok(a), Ok(b)) => (a, b),
            (Err(e), _) => {
                problems.push(format!("{name}: `{header}` in {} (after the substitutions): {e}", pair.baseline));
                continue;
            }
            (_, Err(e)) => {
                problems.push(format!("{name}: `{header}` in {}: {e}", pair.exercise));
                continue;
            }
        };
        let Some(k) = (0..a.len().max(b.len())).find(|&k| a.get(k).map(|t| &t.text) != b.get(k).map(|t| &t.text))
        else {
            continue;
        };
        let show = |t: Option<&Token>| t.map_or("the end of the item".to_string(), |t| format!("`{}`", t.text));
        let line = |items: &[Token], k: usize| items.get(k).or(items.last()).map_or(0, |t| t.line);
        let (la, lb) = (line(a, k), line(b, k));
        problems.push(format!(
            "{name}: `{header}` of the frozen baseline is not the exercise's shipped starting code. First \
             difference, {} against {}:\n    {}:{la}: {}\n    {}:{lb}: {}\nMake the copy the same code again (the \
             substitutions kept beside the pair in xtask/src/tidy.rs apply to the baseline).",
            show(a.get(k)),
            show(b.get(k)),
            pair.baseline,
            line_of(baseline, la),
            pair.exercise,
            line_of(exercise, lb),
        ));
    }
    problems
}

/// The shipped starting version of `file` (an exercise's, relative to `root`): the working file
/// when its SHA-256 is the one `integrity.toml` seals as starting code, else that version from
/// git history (as `reset` finds it). Also says which of the two it is.
fn shipped(root: &Path, file: &str) -> Result<(String, &'static str), String> {
    let dir = Path::new(file).parent().ok_or_else(|| format!("{file} is not in a folder"))?;
    let sealed = integrity::starting_files(root, dir).map_err(|e| format!("{e:#}"))?;
    let Some((_, want)) = sealed.iter().find(|(f, _)| f == file) else {
        return Err(format!(
            "{} records no starting code {file}, so what the exercise ships is unknown: seal the course \
             (`COURSE_TRUSTED_SEAL=working cargo xtask seal`)",
            integrity::FILE
        ));
    };
    let utf8 = |bytes: Vec<u8>| String::from_utf8(bytes).map_err(|_| format!("{file} is not UTF-8"));
    match std::fs::read(root.join(file)) {
        Ok(bytes) if integrity::digest(&bytes) == *want => Ok((utf8(bytes)?, "the working file, as sealed")),
        _ => match integrity::from_history(root, file, want) {
            Ok(bytes) => Ok((utf8(bytes)?, "the sealed version, from git history: the working file differs")),
            Err(e) => Err(format!(
                "{file}: the working file is not the starting code sealed in {} and that version cannot be \
                 found either ({e:#}), so the frozen baseline cannot be compared with what the exercise ships",
                integrity::FILE
            )),
        },
    }
}

#[test]
fn frozen_baselines_are_the_shipped_starting_code() {
    let root = root();
    let mut problems = Vec::new();
    for pair in PAIRS {
        match shipped(&root, pair.exercise) {
            Ok((exercise, whence)) => {
                problems.extend(compare_pair(pair, &read(&root.join(pair.baseline)), &exercise, whence));
            }
            Err(e) => problems.push(format!("{} ↔ {}: {e}", pair.baseline, pair.exercise)),
        }
    }
    assert!(problems.is_empty(), "\n{}\n", problems.join("\n\n"));
}

/// Every harness file that calls some of its code the exercise's code "as shipped" is the
/// baseline of a pair, and every pair's exercise file is some exercise's starting code.
#[test]
fn every_copy_that_says_it_is_shipped_code_is_checked() {
    fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
        for entry in std::fs::read_dir(dir).unwrap_or_else(|e| panic!("cannot read {}: {e}", dir.display())) {
            let path = entry.unwrap_or_else(|e| panic!("cannot read {}: {e}", dir.display())).path();
            if path.is_dir() {
                walk(&path, out);
            } else if path.extension().is_some_and(|e| e == "rs") {
                out.push(path);
            }
        }
    }
    let root = root();
    let mut files = Vec::new();
    walk(&root.join("shared/harness/src"), &mut files);
    let copies: Vec<String> = files
        .iter()
        .filter(|f| read(f).contains("as shipped"))
        .map(|f| f.strip_prefix(&root).expect("under the root").to_string_lossy().replace('\\', "/"))
        .collect();
    let unchecked: Vec<&String> = copies.iter().filter(|c| !PAIRS.iter().any(|p| p.baseline == **c)).collect();
    assert!(
        unchecked.is_empty(),
        "these harness files say they hold code as shipped, but no pair in xtask/src/tidy.rs (PAIRS) compares them \
         with the exercise: {unchecked:?}"
    );
    let course = course();
    for pair in PAIRS {
        assert!(
            course.exercises.iter().any(|e| pair.exercise.starts_with(&format!("exercises/{}/src/", e.dir))),
            "{}: not the starting code of an exercise of course.toml",
            pair.exercise
        );
    }
}

/// The pair of `baseline`, for the tests below.
fn pair(baseline: &str) -> &'static Pair {
    PAIRS.iter().find(|p| p.baseline == baseline).unwrap_or_else(|| panic!("no pair for {baseline}"))
}

#[test]
fn a_drifted_baseline_is_caught_naming_the_pair_and_the_line() {
    let root = root();
    let pair = pair("shared/harness/src/heat/baseline.rs");
    let baseline = read(&root.join(pair.baseline));
    let (exercise, _) = shipped(&root, pair.exercise).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(compare_pair(pair, &baseline, &exercise, "test"), Vec::<String>::new());

    // One operator changed: a division by dx² become a multiplication.
    let drifted = baseline.replacen("/ p.dx2", "* p.dx2", 1);
    assert_ne!(drifted, baseline, "the test's edit must change the baseline");
    let problems = compare_pair(pair, &drifted, &exercise, "test");
    let [text] = &problems[..] else { panic!("one problem expected: {problems:#?}") };
    for part in [
        "shared/harness/src/heat/baseline.rs ↔ exercises/01-profiling-heat/src/lib.rs",
        "`fn evolve_step` of the frozen baseline is not the exercise's shipped starting code",
        "`*` against `/`",
        "* ((u[i + 1][j] - 2.0 * u[i][j] + u[i - 1][j]) * p.dx2",
        "* ((u[i + 1][j] - 2.0 * u[i][j] + u[i - 1][j]) / p.dx2",
    ] {
        assert!(text.contains(part), "missing {part:?} in:\n{text}");
    }
    let line = drifted.lines().position(|l| l.contains("* p.dx2")).expect("the edited line") + 1;
    assert!(text.contains(&format!("shared/harness/src/heat/baseline.rs:{line}: ")), "{text}");

    // An extra statement, an item gone: each caught.
    let changed = baseline.replacen("p.dy2);", "p.dy2);\n        let _ = 1;", 1);
    assert!(compare_pair(pair, &changed, &exercise, "test")[0].contains("`let` against `}`"));
    let gone = baseline.replacen("fn evolve_step(", "fn evolve_step_renamed(", 1);
    let problems = compare_pair(pair, &gone, &exercise, "test");
    assert!(
        problems.iter().any(|p| p.contains("`fn evolve_step` in shared/harness/src/heat/baseline.rs")),
        "{problems:#?}"
    );
}

#[test]
fn comments_layout_and_trailing_commas_do_not_count_but_code_does() {
    const PAIR: Pair = Pair {
        baseline: "copy.rs",
        exercise: "start.rs",
        items: &["fn f", "impl T for Start"],
        substitutions: &[("Copy", "Start")],
    };
    let start = "/// Doc.\n#[inline(never)]\npub fn f(a: u32, b: &str) -> u32 {\n    let s = \"// not a comment\";\n    \
                 a + b.len() as u32 + s.len() as u32\n}\nimpl T for Start { fn g() {} }\n";
    let copy = "// The copy.\n#[inline(never)] pub fn f(\n    a: u32,\n    b: &str, /* note */\n) -> u32 {\n    \
                let s = \"// not a comment\"; // a comment\n    a + b.len() as u32\n        + s.len() as u32\n}\n\
                impl T for Copy {\n    fn g() {}\n}\n";
    assert_eq!(compare_pair(&PAIR, copy, start, "test"), Vec::<String>::new());
    // Inside a string, `//` is code; an attribute is part of its item.
    let problems = compare_pair(&PAIR, &copy.replace("\"// not", "\"//not"), start, "test");
    assert!(problems[0].contains("`\"//not a comment\"` against `\"// not a comment\"`"), "{problems:#?}");
    let problems = compare_pair(&PAIR, &copy.replace("#[inline(never)] ", ""), start, "test");
    assert!(problems[0].contains("`pub` against `#`"), "{problems:#?}");
    // A stale substitution is reported (and then `impl T for Start` is missing from the copy).
    let problems = compare_pair(&PAIR, &copy.replace("Copy", "Other"), start, "test");
    assert!(problems[0].contains("the substitution `Copy` → `Start`") && problems[0].contains("remove it"));
    assert!(problems[1].contains("`impl T for Start` in copy.rs (after the substitutions): not found"));
}

#[test]
fn the_shipped_code_comes_from_the_seal_or_from_git_and_is_never_guessed() {
    let root = std::env::temp_dir().join(format!("xtask-tidy-shipped-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&root);
    let file = "exercises/01-x/src/lib.rs";
    let write = |path: &str, text: &str| {
        let path = root.join(path);
        std::fs::create_dir_all(path.parent().expect("in a folder")).expect("a scratch folder");
        std::fs::write(&path, text).expect("a scratch file");
    };
    let seal = |text: &str| {
        let digest = integrity::digest(text.as_bytes());
        write(integrity::FILE, &format!("[files]\n\n[starting]\n\"{file}\" = \"{digest}\"\n"));
    };
    let git = |args: &[&str]| {
        let out = std::process::Command::new("git").current_dir(&root).args(args).output().expect("git runs");
        assert!(out.status.success(), "git {args:?}: {}", String::from_utf8_lossy(&out.stderr));
    };

    let refused = |found: Result<(String, &str), String>| match found {
        Ok((text, whence)) => panic!("an error expected, but {file} was found ({whence}): {text:?}"),
        Err(e) => e,
    };

    // Not sealed at all.
    write(integrity::FILE, "[files]\n\n[starting]\n");
    write(file, "fn start() {}\n");
    let err = refused(shipped(&root, file));
    assert!(err.contains("records no starting code exercises/01-x/src/lib.rs"), "{err}");
    // Sealed, untouched: the working file.
    seal("fn start() {}\n");
    assert_eq!(shipped(&root, file), Ok(("fn start() {}\n".into(), "the working file, as sealed")));
    // A learner's edit, and no git history to find the sealed version in: an error, not a pass.
    write(file, "fn mine() {}\n");
    let err = refused(shipped(&root, file));
    assert!(err.contains("not the starting code sealed") && err.contains("cannot be found"), "{err}");
    // With the sealed version committed, it is the one compared, whatever the working file says.
    write(file, "fn start() {}\n");
    git(&["init", "--quiet"]);
    git(&["add", "."]);
    let who = ["-c", "user.name=tidy", "-c", "user.email=tidy@example.invalid", "-c", "commit.gpgsign=false"];
    git(&[&who[..], &["commit", "--quiet", "-m", "start"][..]].concat());
    write(file, "fn mine() {}\n");
    let (text, whence) = shipped(&root, file).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        (text.as_str(), whence),
        ("fn start() {}\n", "the sealed version, from git history: the working file differs")
    );
    std::fs::remove_dir_all(&root).expect("the scratch folder goes");
}

// ---- 2. The registry ------------------------------------------------------------------------

/// The parts of a crate's `Cargo.toml` looked at here.
#[derive(serde::Deserialize)]
struct Manifest {
    package: Package,
    #[serde(default)]
    test: Vec<Target>,
    /// Each dependency's specification, as written.
    #[serde(default)]
    dependencies: BTreeMap<String, toml::Value>,
}

#[derive(serde::Deserialize)]
struct Package {
    name: String,
}

#[derive(serde::Deserialize)]
struct Target {
    name: Option<String>,
}

/// Names of the entries of `dir` (files or folders), hidden ones left out; `None` if unreadable.
fn entries(dir: &Path, folders: bool) -> Option<BTreeSet<String>> {
    let read = std::fs::read_dir(dir).ok()?;
    Some(
        read.flatten()
            .filter(|e| e.path().is_dir() == folders)
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .filter(|n| !n.starts_with('.'))
            .collect(),
    )
}

/// What is wrong with the registry in `root`: one message per fault.
fn registry_problems(root: &Path, course: &Course) -> Vec<String> {
    let mut problems = Vec::new();
    for ex in &course.exercises {
        let mut tests = Vec::new();
        let mut dependencies = Vec::new();
        for side in [Side::Exercise, Side::Solution] {
            let folder = ex.folder(side);
            let manifest = folder.join("Cargo.toml");
            match std::fs::read_to_string(root.join(&manifest))
                .map_err(|e| e.to_string())
                .and_then(|text| toml::from_str::<Manifest>(&text).map_err(|e| format!("cannot be read: {e}")))
            {
                Ok(m) => {
                    dependencies.push(m.dependencies.clone());
                    if m.package.name != ex.package(side) {
                        problems.push(format!(
                            "{}: the package is named '{}', but the runner builds exercise '{}' as '{}'",
                            manifest.display(),
                            m.package.name,
                            ex.name,
                            ex.package(side)
                        ));
                    }
                    if !ex.stages.is_empty() && !m.test.iter().any(|t| t.name.as_deref() == Some("grade")) {
                        problems.push(format!(
                            "{}: exercise '{}' has graded stages but no `[[test]] name = \"grade\"`, the grader's entry point",
                            manifest.display(),
                            ex.name
                        ));
                    }
                }
                Err(e) => problems.push(format!("{}: {e}", manifest.display())),
            }
            match entries(&root.join(&folder).join("tests"), false) {
                Some(names) if !names.is_empty() => tests.push((folder, names)),
                _ => problems.push(format!("{}: no tests/ folder with test files", folder.display())),
            }
        }
        // A learner's solution is the solution's code in the exercise's crate: every crate the
        // solution uses (rayon, where the lesson asks for it) the exercise has, alike.
        if let [exercise, solution] = &dependencies[..] {
            for (name, spec) in solution.iter().filter(|&(name, spec)| exercise.get(name) != Some(spec)) {
                problems.push(format!(
                    "{}/Cargo.toml: the solution depends on `{name}` ({spec}), the exercise {}: a learner's code \
                     that does what the solution does cannot build",
                    ex.folder(Side::Exercise).display(),
                    match exercise.get(name) {
                        Some(theirs) => format!("on {theirs}"),
                        None => "does not".to_string(),
                    }
                ));
            }
        }
        if let [(a, names_a), (b, names_b)] = &tests[..] {
            for (here, there, names) in [(a, b, names_a.difference(names_b)), (b, a, names_b.difference(names_a))] {
                for name in names {
                    problems.push(format!("{}/tests/{name} has no twin in {}/tests/", here.display(), there.display()));
                }
            }
        }
        if !root.join(ex.lesson_path()).is_file() {
            problems.push(format!("exercise '{}': its lesson {} does not exist", ex.name, ex.lesson_path().display()));
        }
        if ex.hints.is_empty() {
            problems.push(format!("exercise '{}' has no hint (course.toml's `hints`)", ex.name));
        }
    }
    for side in [Side::Exercise, Side::Solution] {
        let top = if side == Side::Exercise { "exercises" } else { "solutions" };
        for dir in entries(&root.join(top), true).unwrap_or_default() {
            if !course.exercises.iter().any(|e| e.dir == dir) {
                problems.push(format!("{top}/{dir} is not an exercise of course.toml (no `dir = \"{dir}\"`)"));
            }
        }
    }
    problems
}

#[test]
fn every_exercise_is_complete_and_every_folder_registered() {
    let problems = registry_problems(&root(), &course());
    assert!(problems.is_empty(), "\n{}\n", problems.join("\n"));
}

#[test]
fn an_incomplete_registry_is_reported_fault_by_fault() {
    let root = std::env::temp_dir().join(format!("xtask-tidy-registry-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&root);
    let write = |path: &str, text: &str| {
        let path = root.join(path);
        std::fs::create_dir_all(path.parent().expect("in a folder")).expect("a scratch folder");
        std::fs::write(&path, text).expect("a scratch file");
    };
    let manifest = |name: &str| format!("[package]\nname = \"{name}\"\nversion = \"0.1.0\"\n");
    write("exercises/01-a/Cargo.toml", &manifest("a"));
    write("exercises/01-a/tests/correctness.rs", "");
    write("exercises/01-a/tests/extra.rs", "");
    write("solutions/01-a/Cargo.toml", &manifest("a-solutions"));
    write("solutions/01-a/tests/correctness.rs", "");
    write("exercises/02-b/Cargo.toml", &manifest("b"));
    write("exercises/02-b/README.md", "");
    write("exercises/02-b/tests/t.rs", "");
    write("solutions/02-b/Cargo.toml", &format!("{}[dependencies]\nrayon = \"1\"\n", manifest("b-solution")));
    write("solutions/02-b/tests/t.rs", "");
    write("exercises/09-stray/Cargo.toml", &manifest("stray"));
    let registry = "[[exercise]]\nname = \"a\"\ndir = \"01-a\"\ntitle = \"t\"\nstart = \"slow\"\n\
                    stages = [{ name = \"s\", target = 2.0 }]\nhints = [\"h\"]\n\n\
                    [[exercise]]\nname = \"b\"\ndir = \"02-b\"\ntitle = \"t\"\nstart = \"slow\"\n";
    let course = Course::parse(registry, &root).unwrap_or_else(|e| panic!("{e:#}"));
    let problems = registry_problems(&root, &course);
    let expected = [
        "solutions/01-a/Cargo.toml: the package is named 'a-solutions', but the runner builds exercise 'a' as 'a-solution'",
        "exercises/01-a/Cargo.toml: exercise 'a' has graded stages but no `[[test]] name = \"grade\"`",
        "exercises/01-a/tests/extra.rs has no twin in solutions/01-a/tests/",
        "exercise 'a': its lesson exercises/01-a/README.md does not exist",
        "exercise 'b' has no hint",
        "exercises/09-stray is not an exercise of course.toml",
        "exercises/02-b/Cargo.toml: the solution depends on `rayon` (\"1\"), the exercise does not",
    ];
    for want in expected {
        assert!(problems.iter().any(|p| p.contains(want)), "missing {want:?} in {problems:#?}");
    }
    // Exercise 'b' is complete but for its hint and rayon; the stray folder has no solution twin to report.
    assert_eq!(problems.len(), expected.len() + 1, "{problems:#?}"); // + the solution's missing grade target
    std::fs::remove_dir_all(&root).expect("the scratch folder goes");
}

// ---- 3. Stage names -------------------------------------------------------------------------

/// The topics of the specs the reference worker serves, `harness::<topic>::spec()` in its list
/// (`shared/harness/src/bin/course-reference.rs`), in order.
fn reference_topics(source: &str) -> Vec<String> {
    let tokens = tokens(source).unwrap_or_else(|e| panic!("course-reference.rs: {e}"));
    let texts: Vec<&str> = tokens.iter().map(|t| t.text.as_str()).collect();
    texts
        .windows(7)
        .filter(|w| w[0] == "harness" && w[1] == "::" && w[3] == "::" && w[4..] == ["spec", "(", ")"])
        .map(|w| w[2].to_string())
        .collect()
}

/// What the reference worker answered when started for an exercise: `None` when it has no
/// spec for it, else the spec's exercise and stage names.
type Served = Option<(String, Vec<String>)>;

/// What is wrong with the stages: `served` holds the reference worker's answer for every
/// exercise of `course`, in order; `topics` its list of specs.
fn stage_problems(course: &Course, topics: &[String], served: &[Served]) -> Vec<String> {
    let mut problems = Vec::new();
    for (ex, answer) in course.exercises.iter().zip(served) {
        let course_stages: Vec<&str> = ex.stages.iter().map(|s| s.name.as_str()).collect();
        match answer {
            None if !ex.stages.is_empty() => problems.push(format!(
                "exercise '{}' has stages [{}] in course.toml, but the reference worker has no spec for it: add its \
                 `harness::<topic>::spec()` to shared/harness/src/bin/course-reference.rs",
                ex.name,
                course_stages.join(", ")
            )),
            None => {}
            Some((exercise, stages)) => {
                let stages: Vec<&str> = stages.iter().map(String::as_str).collect();
                if let Err(e) = crate::judge::match_stages(&ex.name, &course_stages, exercise, &stages) {
                    problems.push(format!("{e:#}"));
                }
            }
        }
    }
    let count = served.iter().flatten().count();
    if count != topics.len() {
        problems.push(format!(
            "shared/harness/src/bin/course-reference.rs lists {} specs ({}), but only {count} exercises of course.toml get \
             one: a spec is for an exercise course.toml does not have (or two are for the same one)",
            topics.len(),
            topics.join(", ")
        ));
    }
    problems
}

/// Asks the reference worker `exe` for the spec of every exercise of `course`; also returns
/// the stages whose work declares no roof ("exercise · stage").
fn ask_reference_worker(exe: &Path, course: &Course) -> (Vec<Served>, Vec<String>) {
    use crate::judge::{Failure, Role, Worker};
    let workdir = std::env::temp_dir().join(format!("xtask-tidy-specs-{}", std::process::id()));
    std::fs::create_dir_all(&workdir).unwrap_or_else(|e| panic!("cannot create {}: {e}", workdir.display()));
    let limits = crate::child::Limits::for_learner_code(std::time::Duration::from_secs(60));
    let (mut served, mut unroofed) = (Vec::new(), Vec::new());
    for ex in &course.exercises {
        let confined = crate::sandbox::Confinement::program(&workdir, &root(), exe);
        let mut worker = Worker::spawn(exe, &[ex.name.as_str()], &confined, limits, Role::Reference)
            .unwrap_or_else(|e| panic!("cannot start the reference worker: {e:#}"));
        let answer = worker.ask(&grading::worker::Request::Spec.to_string(), std::time::Duration::from_secs(60), false);
        worker.kill();
        served.push(match answer {
            Ok(line) => {
                let json =
                    line.strip_prefix("spec ").unwrap_or_else(|| panic!("{}: answered '{line}' to 'spec'", ex.name));
                let spec: grading::worker::SpecAnswer =
                    serde_json::from_str(json).unwrap_or_else(|e| panic!("{}: the spec '{json}': {e}", ex.name));
                let bare = spec.stages.iter().filter(|(_, work)| work.roof.is_none());
                unroofed.extend(bare.map(|(stage, _)| format!("{} · {stage}", ex.name)));
                Some((spec.exercise, spec.stages.into_iter().map(|(name, _)| name).collect()))
            }
            // Its way of saying that its list has no spec for the exercise (answer channel open).
            Err(Failure::Reference(failure))
                if matches!(&*failure, Failure::Crashed { ending: crate::child::Ending::Exited(64), .. }) =>
            {
                None
            }
            Err(failure) => panic!("{}: the reference worker failed: {}", ex.name, failure.describe()),
        });
    }
    let _ = std::fs::remove_dir_all(&workdir);
    (served, unroofed)
}

#[test]
fn the_graders_stages_are_course_tomls() {
    let (root, course) = (root(), course());
    let topics = reference_topics(&read(&root.join("shared/harness/src/bin/course-reference.rs")));
    assert!(!topics.is_empty(), "no `harness::<topic>::spec()` found in shared/harness/src/bin/course-reference.rs");
    // The very worker the runner grades with (a build of seconds when `check` built it before).
    let exe = crate::cargo::build_reference(&root).unwrap_or_else(|e| panic!("{e:#}"));
    let (served, unroofed) = ask_reference_worker(&exe, &course);
    let problems = stage_problems(&course, &topics, &served);
    assert!(problems.is_empty(), "\n{}\n", problems.join("\n\n"));
    // Every verdict's roofline line needs the stage's work in hardware terms (or why none applies).
    assert!(unroofed.is_empty(), "stages whose `Work` declares no `roof`: {unroofed:?}");
}

#[test]
fn stage_mismatches_are_reported_both_ways() {
    let course = course();
    let topics = |n: usize| (0..n).map(|k| format!("topic{k}")).collect::<Vec<_>>();
    // What the real worker should answer: every exercise with stages, course.toml's stages.
    let honest: Vec<Served> = course
        .exercises
        .iter()
        .map(|e| (!e.stages.is_empty()).then(|| (e.name.clone(), e.stages.iter().map(|s| s.name.clone()).collect())))
        .collect();
    let specs = honest.iter().flatten().count();
    assert_eq!(stage_problems(&course, &topics(specs), &honest), Vec::<String>::new());

    let heat = course.exercises.iter().position(|e| e.name == "heat-fast").expect("heat-fast is in course.toml");
    let first_stageless =
        course.exercises.iter().position(|e| e.stages.is_empty()).expect("an exercise without stages");
    let mut wrong = honest.clone();
    wrong[heat] = Some(("heat-fast".into(), vec!["serial".into(), "simd".into()]));
    let problems = stage_problems(&course, &topics(specs), &wrong);
    let [text] = &problems[..] else { panic!("one problem expected: {problems:#?}") };
    assert!(text.contains("stage 'parallel' is in course.toml but not in the grader"), "{text}");
    assert!(text.contains("stage 'simd' is in the grader but not in course.toml"), "{text}");
    assert!(text.contains("[serial, parallel]") && text.contains("[serial, simd]"), "{text}");

    // A spec missing, and a spec for an exercise course.toml does not have (one more topic than
    // exercises served).
    let mut wrong = honest.clone();
    wrong[heat] = None;
    let problems = stage_problems(&course, &topics(specs), &wrong);
    assert!(problems.iter().any(|p| p.contains("exercise 'heat-fast' has stages [serial, parallel]")), "{problems:#?}");
    assert!(problems.iter().any(|p| p.contains(&format!("lists {specs} specs"))), "{problems:#?}");
    // A spec for an exercise course.toml gives no stages.
    let mut wrong = honest;
    wrong[first_stageless] = Some((course.exercises[first_stageless].name.clone(), vec!["s".into()]));
    let problems = stage_problems(&course, &topics(specs + 1), &wrong);
    assert!(problems.iter().any(|p| p.contains("stage 's' is in the grader but not in course.toml")), "{problems:#?}");
}

#[test]
fn the_reference_workers_list_is_read_from_its_source() {
    let source = "fn main() {\n    serve(vec![\n        harness::heat::spec(),\n        // harness::old::spec(),\n        \
                  harness::arrays::spec(),\n    ])\n}\n";
    assert_eq!(reference_topics(source), ["heat", "arrays"]);
}

/// The first line of every sealed file in an exercise's crate (its manifest, tests, benches,
/// build script, examples): a learner reads there, before editing, that an edit is not graded.
const SEALED_MARK: &str = "Course file, sealed (integrity.toml): an edit here reads as \"course files modified\". \
                           Your code goes in src/.";

/// Of `files` (relative to `root`), the sealed files of exercise crates whose first line is not
/// the comment [`SEALED_MARK`].
fn unmarked_sealed_files(root: &Path, files: &[String]) -> Vec<String> {
    files
        .iter()
        .filter(|file| file.starts_with("exercises/") && !file.ends_with(".md"))
        .filter(|file| {
            let first = read(&root.join(file)).lines().next().unwrap_or_default().to_string();
            let comment = if file.ends_with(".toml") { "# " } else { "// " };
            first != format!("{comment}{SEALED_MARK}")
        })
        .cloned()
        .collect()
}

#[test]
fn every_sealed_file_of_an_exercise_says_so_on_its_first_line() {
    let (root, course) = (root(), course());
    let dirs: Vec<PathBuf> = course.exercises.iter().map(|e| e.folder(Side::Exercise)).collect();
    let sealed = integrity::protected(&root, &dirs).expect("the course's sealed files can be listed");
    assert!(sealed.iter().filter(|f| f.starts_with("exercises/")).count() > 30, "{sealed:?}");
    assert_eq!(unmarked_sealed_files(&root, &sealed), Vec::<String>::new());
    // And the check can fail: a file without the line is named, one with it is not.
    let scratch = std::env::temp_dir().join(format!("tidy-sealed-mark-{}", std::process::id()));
    std::fs::create_dir_all(scratch.join("exercises/01-x/tests")).unwrap();
    std::fs::write(scratch.join("exercises/01-x/Cargo.toml"), format!("# {SEALED_MARK}\n[package]\n")).unwrap();
    std::fs::write(scratch.join("exercises/01-x/tests/grade.rs"), "fn main() {}\n").unwrap();
    let files = ["exercises/01-x/Cargo.toml".to_string(), "exercises/01-x/tests/grade.rs".to_string()];
    let found = unmarked_sealed_files(&scratch, &files);
    let _ = std::fs::remove_dir_all(&scratch);
    assert_eq!(found, ["exercises/01-x/tests/grade.rs"]);
}

/// Every `cargo xtask WORD` in `text` whose WORD is no command of `cli` (hidden aliases
/// included), and, after `dev`, no command of that group.
fn unknown_commands(text: &str, cli: &clap::Command) -> Vec<String> {
    let mut unknown = Vec::new();
    let raw: Vec<&str> = text.split_whitespace().collect();
    let words: Vec<&str> = raw.iter().map(|w| w.trim_matches(|c: char| !c.is_alphanumeric() && c != '-')).collect();
    // A word that ends a command as written (`cargo xtask dev`, then prose) ends with a mark.
    let ends = |k: usize| raw[k].ends_with(|c: char| !c.is_alphanumeric() && c != '-');
    for k in 0..words.len().saturating_sub(2) {
        if (words[k], words[k + 1]) != ("cargo", "xtask") || ends(k + 1) {
            continue;
        }
        let next = if ends(k + 2) { "" } else { words.get(k + 3).copied().unwrap_or_default() };
        let word = words[k + 2];
        if word.is_empty() || word.starts_with('-') || !word.chars().all(|c| c.is_ascii_lowercase() || c == '-') {
            continue;
        }
        match cli.find_subcommand(word) {
            None => unknown.push(word.to_string()),
            Some(dev) if word == "dev" && !next.is_empty() && !next.starts_with('-') => {
                if dev.find_subcommand(next).is_none() {
                    unknown.push(format!("dev {next}"));
                }
            }
            Some(_) => {}
        }
    }
    unknown
}

#[test]
fn every_command_the_docs_name_exists_and_the_readme_names_every_command() {
    use clap::CommandFactory;
    let (root, cli) = (root(), crate::cli::Cli::command());
    let mut pages = vec![root.join("README.md")];
    for dir in ["docs", "exercises"] {
        for entry in std::fs::read_dir(root.join(dir)).unwrap().flatten() {
            let path = entry.path();
            pages.push(if path.is_dir() { path.join("README.md") } else { path });
        }
    }
    let mut problems = Vec::new();
    for page in pages.iter().filter(|p| p.extension().is_some_and(|e| e == "md") && p.is_file()) {
        for word in unknown_commands(&read(page), &cli) {
            problems.push(format!("{}: `cargo xtask {word}` is no command", page.display()));
        }
    }
    assert_eq!(problems, Vec::<String>::new());
    // The README's layout row names every command a `--help` shows, and those of `dev`.
    let readme = read(&root.join("README.md"));
    let row = readme.lines().find(|l| l.starts_with("| `xtask/` |")).expect("the README's layout has a row for xtask/");
    let shown = |c: &clap::Command| {
        c.get_subcommands().filter(|s| !s.is_hide_set()).map(|s| s.get_name().to_string()).collect::<Vec<_>>()
    };
    let dev = cli.find_subcommand("dev").expect("a dev group");
    for name in shown(&cli).into_iter().chain(shown(dev)) {
        assert!(row.contains(&name), "the README's layout row for xtask/ does not name `{name}`: {row}");
    }
    // And the check can fail.
    assert_eq!(unknown_commands("run `cargo xtask chek x` or cargo xtask dev verfy", &cli), ["chek", "dev verfy"]);
}
