//! Text every report uses: shares as percentages, speedups to two digits, a slowdown said as
//! one, and text made safe for HTML and SVG.

/// A speedup in words: `2.5× faster than`, or below 1 `3× slower than` (never "0.33× faster").
pub fn faster_or_slower(speedup: f64) -> String {
    if speedup >= 1.0 || speedup <= 0.0 || !speedup.is_finite() {
        format!("{}× faster than", two_digits(speedup))
    } else {
        format!("{}× slower than", two_digits(1.0 / speedup))
    }
}

/// A share as a percentage: `0.78` → `78%`.
pub fn percent(share: f64) -> String {
    if !share.is_finite() {
        return "–".into();
    }
    format!("{:.0}%", share * 100.0).replace("-0%", "0%")
}

/// A speedup or a ratio with two significant decimals at most: `2.5`, `16`, `0.33`.
pub fn two_digits(x: f64) -> String {
    if x >= 10.0 {
        format!("{x:.0}")
    } else {
        format!("{x:.2}").trim_end_matches('0').trim_end_matches('.').to_string()
    }
}

/// Text for HTML and SVG, in element content and in quoted attributes.
pub fn escape(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_read_as_the_reports_write_them() {
        assert_eq!((percent(0.784), percent(-0.001), percent(f64::NAN)), ("78%".into(), "0%".into(), "–".into()));
        assert_eq!((two_digits(16.4), two_digits(2.5), two_digits(0.333)), ("16".into(), "2.5".into(), "0.33".into()));
        assert_eq!(faster_or_slower(2.5), "2.5× faster than");
        assert_eq!(faster_or_slower(1.0 / 3.0), "3× slower than");
    }
}
