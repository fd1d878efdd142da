//! ATTACK build.rs editing course files (xtask/tests/attacks): the exercise's build script runs
//! after `check` compared the course files with the seal and before the reference worker is
//! built, and appends a slow global allocator to the reference worker's source
//! (`shared/harness/src/bin/course-reference.rs`): the untouched starting code would be "20× faster"
//! than a baseline built from that file.

fn main() {
    println!("cargo::rerun-if-changed=build.rs");
    let Ok(manifest) = std::env::var("CARGO_MANIFEST_DIR") else { return };
    let reference = std::path::Path::new(&manifest).join("../../shared/harness/src/bin/course-reference.rs");
    let Ok(text) = std::fs::read_to_string(&reference) else { return };
    if !text.contains("struct Sluggish") {
        let _ = std::fs::write(&reference, text + SLOW_ALLOCATOR);
    }
}

const SLOW_ALLOCATOR: &str = r#"

// ATTACK (xtask/tests/attacks): a global allocator that makes the reference worker, and so the
// frozen baseline, slow: 0.6 ms of spinning per large allocation (the starting code's baseline
// makes ten thousand of them per graded call). The untouched starting code would look 20× faster.
struct Sluggish;

unsafe impl std::alloc::GlobalAlloc for Sluggish {
    unsafe fn alloc(&self, layout: std::alloc::Layout) -> *mut u8 {
        if layout.size() >= 4096 {
            let start = std::time::Instant::now();
            while start.elapsed() < std::time::Duration::from_micros(600) {
                std::hint::spin_loop();
            }
        }
        unsafe { std::alloc::System.alloc(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: std::alloc::Layout) {
        unsafe { std::alloc::System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static SLUGGISH: Sluggish = Sluggish;
"#;
