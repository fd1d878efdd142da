//! PNG snapshots of a field with a colour map: the picture the Python course draws with
//! matplotlib's `imshow`.

use super::Grid;
use std::path::Path;

/// Writes `grid` as a PNG coloured with the Inferno map, `range` mapping to its two ends (keep
/// one range for every snapshot of a run so colours compare). Grids under 200 cells a side are
/// scaled up so the picture is visible.
///
/// The colour map is a 256-entry table and compression is set to fast: the snapshots must
/// not show up in the program's profile next to the solver, which is the lesson's subject.
pub fn write_png(grid: &Grid, range: (f64, f64), path: &Path) -> Result<(), String> {
    let scale = (200 / grid.rows.max(grid.cols)).max(1);
    let table: Vec<colorous::Color> = (0..256).map(|k| colorous::INFERNO.eval_rational(k, 255)).collect();
    let (width, height) = (grid.cols * scale, grid.rows * scale);
    let mut pixels = Vec::with_capacity(width * height * 3);
    let (lo, hi) = range;
    let span = if hi > lo { hi - lo } else { 1.0 };
    for y in 0..height {
        for x in 0..width {
            let v = grid.at(y / scale, x / scale);
            let t = if v.is_finite() { ((v - lo) / span).clamp(0.0, 1.0) } else { 0.0 };
            let c = table[(t * 255.0).round() as usize];
            pixels.extend_from_slice(&[c.r, c.g, c.b]);
        }
    }
    let fail = |e: &dyn std::fmt::Display| format!("{}: cannot write PNG: {e}", path.display());
    let file = std::fs::File::create(path).map_err(|e| fail(&e))?;
    let mut encoder = png::Encoder::new(std::io::BufWriter::new(file), width as u32, height as u32);
    encoder.set_color(png::ColorType::Rgb);
    encoder.set_depth(png::BitDepth::Eight);
    encoder.set_compression(png::Compression::Fast);
    let mut writer = encoder.write_header().map_err(|e| fail(&e))?;
    writer.write_image_data(&pixels).map_err(|e| fail(&e))?;
    writer.finish().map_err(|e| fail(&e))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_a_scaled_png_with_the_colour_map_ends() {
        let dir = std::env::temp_dir().join(format!("harness-png-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("t.png");
        write_png(&Grid::new(2, 2, vec![0.0, 1.0, 1.0, 0.0]), (0.0, 1.0), &path).unwrap();
        let decoder = png::Decoder::new(std::io::BufReader::new(std::fs::File::open(&path).unwrap()));
        let mut reader = decoder.read_info().unwrap();
        let mut buf = vec![0; reader.output_buffer_size().unwrap()];
        let info = reader.next_frame(&mut buf).unwrap();
        assert_eq!((info.width, info.height), (200, 200));
        let (dark, bright) = (colorous::INFERNO.eval_continuous(0.0), colorous::INFERNO.eval_continuous(1.0));
        assert_eq!(&buf[0..3], &[dark.r, dark.g, dark.b]);
        assert_eq!(&buf[199 * 3..200 * 3], &[bright.r, bright.g, bright.b]);
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn unwritable_paths_are_an_error_not_a_panic() {
        let err = write_png(&Grid::filled(1, 1, 0.0), (0.0, 1.0), Path::new("/no/such/dir/x.png")).unwrap_err();
        assert!(err.starts_with("/no/such/dir/x.png: cannot write PNG"), "{err}");
    }
}
