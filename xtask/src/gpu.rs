//! Exercises that run kernels on a GPU (`gpu = true` in course.toml): what they need installed,
//! said in plain words when it is missing.
//!
//! wgpu loads the Vulkan loader (`libvulkan.so.1`) when the program runs, and the loader the
//! drivers its ICD files name; nothing is needed to build. Lavapipe (Mesa's Vulkan on the CPU)
//! is a driver like any other: the exercises' tasks are checked on it, and the runner says when
//! it is all there is. On macOS wgpu uses Metal, always present.

use anyhow::{Result, bail};
use std::path::{Path, PathBuf};

/// What to install, by platform (the same list as `harness_gpu::INSTALL`).
pub const INSTALL: &str = "\
  Debian, Ubuntu:  sudo apt-get install -y libvulkan1 mesa-vulkan-drivers   (lavapipe: Vulkan on the CPU)
  Fedora:          sudo dnf install -y vulkan-loader mesa-vulkan-drivers
  NVIDIA, AMD:     the vendor's driver ships its Vulkan driver (a container also needs its ICD file)
  macOS:           nothing: wgpu uses Metal";

/// The Vulkan drivers this machine has: each ICD file's driver library, named.
#[derive(Clone, Debug, PartialEq)]
pub struct Drivers {
    /// `("lavapipe (Vulkan on the CPU)", "/usr/share/vulkan/icd.d/lvp_icd.x86_64.json")`, …
    pub found: Vec<(String, PathBuf)>,
}

impl Drivers {
    /// Whether the only drivers are software ones: every timing is a CPU's.
    pub fn cpu_only(&self) -> bool {
        self.found.iter().all(|(name, _)| name.contains("on the CPU"))
    }

    /// One line for a report: `lavapipe (Vulkan on the CPU), radeon`.
    pub fn summary(&self) -> String {
        self.found.iter().map(|(name, _)| name.as_str()).collect::<Vec<_>>().join(", ")
    }
}

/// The folders the Vulkan loader reads ICD files from (Linux), in its order.
const ICD_FOLDERS: &[&str] = &["/etc/vulkan/icd.d", "/usr/local/share/vulkan/icd.d", "/usr/share/vulkan/icd.d"];

/// The GPU drivers on this machine, or what is missing and how to install it.
pub fn detect() -> Result<Drivers, String> {
    if cfg!(target_os = "macos") {
        return Ok(Drivers {
            found: vec![("Metal".into(), PathBuf::from("/System/Library/Frameworks/Metal.framework"))],
        });
    }
    let loader =
        ["/usr/lib/x86_64-linux-gnu", "/usr/lib/aarch64-linux-gnu", "/usr/lib64", "/usr/lib", "/usr/local/lib"]
            .iter()
            .any(|dir| Path::new(dir).join("libvulkan.so.1").exists());
    let mut files: Vec<PathBuf> = std::env::var_os("VK_ICD_FILENAMES")
        .or_else(|| std::env::var_os("VK_DRIVER_FILES"))
        .map(|list| std::env::split_paths(&list).collect())
        .unwrap_or_default();
    if files.is_empty() {
        for folder in ICD_FOLDERS {
            let mut in_folder: Vec<PathBuf> = std::fs::read_dir(folder)
                .into_iter()
                .flatten()
                .flatten()
                .map(|e| e.path())
                .filter(|p| p.extension().is_some_and(|x| x == "json"))
                .collect();
            in_folder.sort();
            files.extend(in_folder);
        }
    }
    let found: Vec<(String, PathBuf)> = files
        .into_iter()
        .filter_map(|file| std::fs::read_to_string(&file).ok().map(|text| (driver_name(&text), file)))
        .collect();
    // A hardware driver without its device (Mesa ships radeon's and intel's everywhere) runs
    // nothing: only software drivers, and hardware ones whose device node exists, count.
    let devices = device_nodes();
    let found: Vec<(String, PathBuf)> =
        found.into_iter().filter(|(name, _)| name.contains("on the CPU") || devices).collect();
    match (loader, found.is_empty()) {
        (true, false) => Ok(Drivers { found }),
        (false, _) => {
            Err(format!("this machine lacks the Vulkan loader (libvulkan.so.1). Install it and a driver:\n{INSTALL}"))
        }
        (true, true) => Err(format!(
            "this machine has the Vulkan loader but no Vulkan driver it can use (no ICD file in {} names a \
             software driver, and no GPU device is in /dev/dri or /dev/nvidia*). Install one:\n{INSTALL}",
            ICD_FOLDERS.join(", ")
        )),
    }
}

/// Whether a GPU's device node exists: a DRM render node (AMD, Intel, Nouveau) or NVIDIA's.
fn device_nodes() -> bool {
    let render = std::fs::read_dir("/dev/dri")
        .into_iter()
        .flatten()
        .flatten()
        .any(|e| e.file_name().to_string_lossy().starts_with("renderD"));
    render || Path::new("/dev/nvidiactl").exists()
}

/// A driver's name from its ICD file's `library_path` (`libvulkan_lvp.so` is lavapipe).
fn driver_name(icd: &str) -> String {
    let library =
        icd.split("\"library_path\"").nth(1).and_then(|rest| rest.split('"').nth(1)).unwrap_or("an unnamed driver");
    let file = library.rsplit('/').next().unwrap_or(library);
    let stem = file.trim_start_matches("libvulkan_").trim_start_matches("lib").split('.').next().unwrap_or(file);
    match stem {
        "lvp" => "lavapipe (Vulkan on the CPU)".to_string(),
        "swiftshader" | "vk_swiftshader" => "SwiftShader (Vulkan on the CPU)".to_string(),
        "GLX_nvidia" | "nvidia" => "NVIDIA".to_string(),
        other => other.to_string(),
    }
}

/// Whether GPU stages are timed even on a CPU's driver (`COURSE_GPU_TIMING=cpu-too`): for the
/// course's developers, to try the timing path on lavapipe. The stages are optional, so it
/// cannot pass anything that would not pass otherwise.
pub fn time_on_cpu() -> bool {
    std::env::var("COURSE_GPU_TIMING").is_ok_and(|v| v == "cpu-too")
}

/// Detects a GPU driver for `exercise`, or an error that says what to install (and that the
/// other exercises do not need it).
pub fn require(exercise: &str) -> Result<Drivers> {
    match detect() {
        Ok(found) => Ok(found),
        Err(why) => bail!(
            "`{exercise}` runs kernels on a GPU through wgpu, but {why}\nThe other exercises do not need a GPU: \
             `cargo xtask list` shows them."
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn drivers_are_named_from_their_icd_files() {
        let lvp = r#"{"ICD": {"api_version": "1.3.230", "library_path": "libvulkan_lvp.so"}, "file_format_version": "1.0.0"}"#;
        assert_eq!(driver_name(lvp), "lavapipe (Vulkan on the CPU)");
        let radeon = r#"{"ICD": {"library_path": "/usr/lib/x86_64-linux-gnu/libvulkan_radeon.so"}}"#;
        assert_eq!(driver_name(radeon), "radeon");
        assert_eq!(driver_name("{}"), "an unnamed driver");
        let only_cpu = Drivers { found: vec![(driver_name(lvp), PathBuf::new())] };
        assert!(only_cpu.cpu_only());
        let both = Drivers { found: vec![(driver_name(lvp), PathBuf::new()), (driver_name(radeon), PathBuf::new())] };
        assert!(!both.cpu_only());
        assert_eq!(both.summary(), "lavapipe (Vulkan on the CPU), radeon");
    }
}
