//! Exercises whose graded input *is* the workload (`series(n)`, `fib(n)`: the same `n` every
//! call) cannot be protected by fresh inputs: a cache that outlives a call would turn every
//! timed call after the first into a lookup. For them (`stateless = true` in `course.toml`) the
//! runner reads the learner's source, comments and strings removed, for the ways Rust code can
//! keep state between calls without `unsafe` tricks: a `static` that can change, a
//! `thread_local!`, the environment, files. An innocent memoiser is told why the speedup would
//! not count. State hidden from this reading is caught at run time where calls are long enough
//! to time one per process (`fresh_process_per_call`, exercises 03 and 05); in 06 this reading
//! is the only guard (see docs/grader.md, "What the grader trusts").

use anyhow::{Context, Result};
use std::path::Path;

/// Types that make a `static` changeable (interior mutability, or a container behind one).
const MUTABLE_TYPES: [&str; 13] = [
    "Mutex",
    "RwLock",
    "Atomic",
    "OnceLock",
    "OnceCell",
    "LazyLock",
    "LazyCell",
    "Cell",
    "RefCell",
    "UnsafeCell",
    "HashMap",
    "BTreeMap",
    "Vec",
];

/// Calls that keep state outside the process's memory.
const OUTSIDE: [(&str, &str); 5] = [
    ("set_var", "the environment"),
    ("fs::write", "a file"),
    ("File::create", "a file"),
    ("OpenOptions", "a file"),
    ("remove_var", "the environment"),
];

/// One place where code keeps state between calls.
#[derive(Debug, Clone, PartialEq)]
pub struct Finding {
    /// `src/lib.rs:12`
    pub place: String,
    /// What was found, as written: `static CACHE: Mutex<HashMap<u32, u128>>`.
    pub what: String,
}

/// Every place under `src` (relative paths from `crate_dir`) that keeps state between calls.
pub fn kept_state(crate_dir: &Path) -> Result<Vec<Finding>> {
    let mut files = Vec::new();
    collect(&crate_dir.join("src"), &mut files)?;
    files.sort();
    let mut found = Vec::new();
    for file in files {
        let text = std::fs::read_to_string(&file).with_context(|| format!("cannot read {}", file.display()))?;
        let name = file.strip_prefix(crate_dir).unwrap_or(&file).to_string_lossy().replace('\\', "/");
        found.extend(scan(&text).into_iter().map(|(line, what)| Finding { place: format!("{name}:{line}"), what }));
    }
    Ok(found)
}

fn collect(dir: &Path, out: &mut Vec<std::path::PathBuf>) -> Result<()> {
    let Ok(entries) = std::fs::read_dir(dir) else { return Ok(()) };
    for entry in entries {
        let path = entry?.path();
        if path.is_dir() {
            collect(&path, out)?;
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
    Ok(())
}

/// (1-based line, what) for every finding in one file's text.
pub fn scan(text: &str) -> Vec<(usize, String)> {
    let code = crate::lexer::code_only(text);
    let mut found = Vec::new();
    for (k, line) in code.lines().enumerate() {
        let words: Vec<&str> = line.split(|c: char| !(c.is_alphanumeric() || c == '_' || c == '!')).collect();
        let word = |w: &str| words.contains(&w);
        let shown = || line.split(" = ").next().unwrap_or(line).trim().trim_end_matches(['{', ';']).trim().to_string();
        if word("thread_local!") {
            found.push((k + 1, "thread_local!".to_string()));
        } else if word("static") && word("mut") {
            found.push((k + 1, shown()));
        } else if let Some(rest) = after_word(line, "static") {
            // `static NAME: TYPE = …;` — the type runs to the `=` (or the end of the line).
            let ty = rest.split('=').next().unwrap_or(rest);
            if ty.contains(':') && MUTABLE_TYPES.iter().any(|t| ty.contains(t)) {
                found.push((k + 1, shown()));
            }
        }
        for (call, place) in OUTSIDE {
            if line.contains(call) {
                found.push((k + 1, format!("{} (state kept in {place})", shown())));
            }
        }
    }
    found
}

/// The text after the word `word` in `line`, if the word is there on its own.
fn after_word<'a>(line: &'a str, word: &str) -> Option<&'a str> {
    let mut from = 0;
    while let Some(at) = line[from..].find(word).map(|i| i + from) {
        let before = line[..at].chars().next_back();
        let after = line[at + word.len()..].chars().next();
        let boundary = |c: Option<char>| !c.is_some_and(|c| c.is_alphanumeric() || c == '_');
        // `'static` is a lifetime, not an item.
        if boundary(before) && before != Some('\'') && boundary(after) {
            return Some(&line[at + word.len()..]);
        }
        from = at + word.len();
    }
    None
}

/// What the learner reads when state is found.
pub fn explain(found: &[Finding]) -> String {
    let list: String = found.iter().map(|f| format!("  {}  {}\n", f.place, f.what)).collect();
    format!(
        "Your code keeps state between calls, so its speed is not graded:\n{list}\
         The grader calls each function many times with the same n. A cache that outlives a call \
         (a `static`, a `thread_local!`, a file) turns every call after the first into a lookup, \
         and the speedup would measure the lookup, not your code. Keep any memo inside the call: \
         create it in the function and pass it down to the helpers that fill it."
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn caches_that_outlive_a_call_are_found() {
        let code = r#"
static CACHE: Mutex<HashMap<u32, u128>> = Mutex::new(HashMap::new());
static mut TABLE: [u128; 187] = [0; 187];
thread_local! { static MEMO: RefCell<Vec<u128>> = RefCell::new(Vec::new()); }
static FILLED: AtomicBool = AtomicBool::new(false);
static LAZY: LazyLock<Vec<u128>> = LazyLock::new(|| table());
fn f() { std::env::set_var("FIB", "1"); }
"#;
        let lines: Vec<usize> = scan(code).iter().map(|(l, _)| *l).collect();
        assert_eq!(lines, vec![2, 3, 4, 5, 6, 7]);
        assert_eq!(scan(code)[0].1, "static CACHE: Mutex<HashMap<u32, u128>>");
    }

    #[test]
    fn constants_lifetimes_comments_and_strings_are_not_state() {
        let code = r##"
//! Rung 2 is statically typed; a `static mut` in a doc comment is prose.
static FIB_CPDEF: fn(u32) -> u64 = fib_cpdef;
const TABLE: [u64; 3] = [0, 1, 1];
fn name(s: &'static str) -> &'static str { s }
/* a block comment: static CACHE: Mutex<Vec<u8>> */
fn message() -> &'static str { "static mut in a string, thread_local! too" }
fn raw() -> &'static str { r#"static X: Mutex<u8>"# }
fn ch() -> char { '"' }
unsafe extern "C" { fn hpc_fib(n: u32) -> u64; }
"##;
        assert_eq!(scan(code), vec![], "{}", crate::lexer::code_only(code));
    }

    #[test]
    fn state_after_a_raw_byte_string_is_found() {
        // The grader's former reader took `br"\"` for an ordinary string with an escaped quote
        // and read the rest of the line as text: the cache after it went unseen.
        let code = "const S: &[u8] = br\"\\\"; static mut CACHE: u64 = 0;\n";
        assert_eq!(scan(code).len(), 1, "{}", crate::lexer::code_only(code));
    }

    #[test]
    fn the_course_s_own_stateless_solutions_keep_no_state() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap().to_path_buf();
        let course = crate::course::Course::load(&root).unwrap();
        let stateless: Vec<_> = course.exercises.iter().filter(|e| e.stateless).collect();
        assert!(!stateless.is_empty(), "course.toml marks the n-is-the-workload exercises stateless");
        for ex in stateless {
            for side in [crate::course::Side::Exercise, crate::course::Side::Solution] {
                let found = kept_state(&root.join(ex.folder(side))).unwrap();
                assert_eq!(found, vec![], "{} ({side:?})", ex.name);
            }
        }
    }
}
