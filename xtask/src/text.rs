//! Text every report uses: shares as percentages, speedups to two digits, a slowdown said as
//! one; and text from learner code made safe, for HTML, SVG and XML (`escape`) and for the
//! terminal (`inert`).

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

/// Text for HTML, SVG and XML (JUnit), in element content and in quoted attributes: markup
/// characters escaped, control characters (invalid in XML) dropped but line breaks and tabs.
pub fn escape(s: &str) -> String {
    s.chars()
        .filter(|c| !c.is_control() || matches!(c, '\n' | '\t'))
        .map(|c| match c {
            '&' => "&amp;".to_string(),
            '<' => "&lt;".to_string(),
            '>' => "&gt;".to_string(),
            '"' => "&quot;".to_string(),
            c => c.to_string(),
        })
        .collect()
}

/// `text` with control characters shown as escapes (`\u{1b}`), so escape sequences printed by
/// learner code cannot move the cursor, recolour or hide the grader's own lines.
pub fn inert(text: &str) -> String {
    text.chars()
        .map(|c| if c.is_control() && c != '\n' && c != '\t' { c.escape_unicode().to_string() } else { c.to_string() })
        .collect()
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

    #[test]
    fn text_from_learner_code_cannot_act_as_markup_or_as_a_terminal_command() {
        assert_eq!(escape("<a href=\"x\">&\u{1b}[2J\n</a>"), "&lt;a href=&quot;x&quot;&gt;&amp;[2J\n&lt;/a&gt;");
        assert_eq!(inert("red\u{1b}[31m\tok\n"), "red\\u{1b}[31m\tok\n");
    }
}
