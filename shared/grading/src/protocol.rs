//! The grading protocol: how a speed verdict is reached, reliably, on a noisy 2-core machine,
//! and one that means the same on another machine.
//!
//! The rules, and the measurement behind each (see the course's notes on timing):
//!
//! 1. **Correctness first, and all along.** The first call of every stage is checked before
//!    anything is timed, and every timed call's output is checked too (by the judge, see
//!    `harness::worker`): a wrong result ends the measurement.
//! 2. **Separate processes, fresh inputs, one clock.** The frozen baseline, the candidate and
//!    the course's own solution run in three worker processes (no learner code beside the
//!    others); every sample gets a fresh input of the graded size drawn from a seed the judge
//!    picks, and the judge's own clock times each sample around the request and its answer.
//! 3. **Warm-up**, then **calibration**: each contender repeats its call inside one sample until
//!    the sample lasts at least [`Protocol::sample_seconds`] (timer resolution and scheduler
//!    ticks vanish below 1% of that).
//! 4. **Interleaved rounds, alternating order** (B C S, S C B, B C S, …): slow drifts (another
//!    process, thermal state) hit every contender of a round alike and cancel in the round's
//!    ratios. Measured here: the median of per-pair ratios stays within ±0.5% even with both
//!    cores busy, where the ratio of separately measured medians drifted by up to 60%.
//! 5. **The measure is the share of the solution's gain**, per round: with `s` the candidate's
//!    speedup over the baseline and `r` the solution's, both measured in that round,
//!    `share = ln s / ln r`. Untouched code scores 0, the course's solution 1, code faster than
//!    the solution more than 1; on a log scale every halving of the time counts the same, so
//!    2× against a 4× solution is half-way (0.5), as is 10× against 100×. A speedup is a
//!    property of the machine as much as of the code (the same solution measured 8× on one host
//!    and 5× on another); the share of what the solution gains *on the same machine, in the
//!    same run* carries over, so targets and tiers are shares (`course.toml`).
//! 6. **Verdict on the median of per-round shares** with a distribution-free confidence interval
//!    from order statistics (binomial, no normality assumed): *met* once the interval's lower
//!    end is ≥ the target, *missed* once its upper end is below it. Between the two, more rounds
//!    are measured up to [`Protocol::max_pairs`] or [`Protocol::max_seconds`]; a verdict reached
//!    there is marked inconclusive ("noisy machine") and falls back to the median.
//!    **Far from the line, sooner**: from [`Protocol::early_pairs`] rounds on, a verdict is
//!    drawn when the whole interval lies beyond the target by the share worth a factor
//!    [`Protocol::early_margin`] in speedup (say every round of 6 above 2× the target's speedup),
//!    or by [`Protocol::early_share_margin`] of the solution's gain, whichever is nearer (a
//!    factor 2 is most of a 2× solution's gain: the untouched code at 0% and the solution at
//!    100% are far from a 50% target all the same). Starting code that is 100× too slow would
//!    otherwise cost 15 calls of seconds each, and it is no less clear after 6.
//! 7. **Too little to grade.** Where the solution itself gains less than
//!    [`Protocol::min_solution_speedup`] over the baseline (a multi-threaded stage with one free
//!    core), a share is noise over noise: the verdict is [`Verdict::Ungradable`], said in plain
//!    words, neither met nor missed.
//!
//! The loop is written against the [`Contender`] trait so that its logic is unit-tested with
//! scripted timings; [`Timed`] is the real thing.

use crate::roofline::{Floor, Roof};
use crate::timeit::median;
use serde::{Deserialize, Serialize};
use std::time::Instant;

/// The knobs of the protocol; recorded in every report so a verdict can be reproduced.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Protocol {
    /// Seconds each contender runs before measuring starts.
    pub warmup_seconds: f64,
    /// Minimum duration of one sample (a contender's repeated calls between two clock reads).
    pub sample_seconds: f64,
    /// Rounds measured before a verdict may be drawn.
    pub min_pairs: usize,
    /// Rounds after which the verdict falls back to the median.
    pub max_pairs: usize,
    /// Seconds of sampling after which the verdict falls back to the median.
    pub max_seconds: f64,
    /// Confidence of the intervals around the medians.
    pub confidence: f64,
    /// Rounds after which a verdict far from the target may be drawn before `min_pairs`.
    #[serde(default = "default_early_pairs")]
    pub early_pairs: usize,
    /// How far (as a factor of speedup) the interval must lie from the target for such an early
    /// verdict.
    #[serde(default = "default_early_margin")]
    pub early_margin: f64,
    /// Or how far as a share of the solution's gain, whichever is nearer.
    #[serde(default = "default_early_share_margin")]
    pub early_share_margin: f64,
    /// The least speedup over the baseline the course's solution must show on this machine for
    /// a share of its gain to mean anything; below it the stage is [`Verdict::Ungradable`].
    #[serde(default = "default_min_solution_speedup")]
    pub min_solution_speedup: f64,
    /// The candidate and the solution are timed one call per sample, without warm-up or
    /// calibration: each call runs in a worker started for it (`fresh_process_per_call` in
    /// `course.toml`), so none finds what an earlier one kept. The baseline (trusted code) is
    /// sampled as usual.
    #[serde(default)]
    pub one_call_per_sample: bool,
    /// Whether a median on the target's side may meet it when the interval still straddles the
    /// target at the cap. Not for a stage whose untouched code sits near its target (a hardware
    /// ceiling, `narrow_margin` in `course.toml`): there "not sure" must never pass.
    #[serde(default = "default_unsure_meets")]
    pub unsure_meets: bool,
}

fn default_unsure_meets() -> bool {
    true
}

fn default_early_pairs() -> usize {
    6
}

fn default_early_margin() -> f64 {
    2.0
}

fn default_early_share_margin() -> f64 {
    0.3
}

/// 1.3×: below it, a share is noise over noise, and code a few percent faster than the baseline
/// for reasons of its own (another crate's code generation: the untouched `threads` exercise
/// measures 1.1–1.2×) would already be most of the way.
fn default_min_solution_speedup() -> f64 {
    1.3
}

impl Default for Protocol {
    fn default() -> Self {
        Protocol {
            warmup_seconds: 0.2,
            sample_seconds: 0.02,
            min_pairs: 15,
            max_pairs: 61,
            max_seconds: 20.0,
            confidence: 0.95,
            early_pairs: default_early_pairs(),
            early_margin: default_early_margin(),
            early_share_margin: default_early_share_margin(),
            min_solution_speedup: default_min_solution_speedup(),
            one_call_per_sample: false,
            unsure_meets: default_unsure_meets(),
        }
    }
}

/// What one unit of work is, so a report can say "0.8 ns per cell update" next to the ratio.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Work {
    pub unit: String,
    pub per_call: f64,
    /// What bounds a unit on any machine, so a report can add "54% of this machine's copy
    /// bandwidth" (absent from reports written before it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub roof: Option<Roof>,
    /// The least work a call must do whatever the code: a call faster than this machine can
    /// do it is refused (absent where no such bound exists, and from older reports).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub floor: Option<Floor>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    Met,
    Missed,
    /// The course's solution gains too little over the baseline on this machine, now, for a
    /// share of its gain to be measured (a parallel stage with one free core): neither met nor
    /// missed.
    Ungradable,
}

/// The measured outcome of one graded stage.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct StageResult {
    pub name: String,
    /// The share of the course solution's gain to reach (0: the baseline, 1: the solution).
    pub target: f64,
    pub verdict: Verdict,
    /// False when the interval still straddled the target at the round or time cap.
    pub conclusive: bool,
    /// Median of the per-round speedups of the candidate over the baseline.
    pub speedup: f64,
    /// Confidence interval of the median speedup, `[low, high]`.
    pub interval: [f64; 2],
    /// Median of the per-round speedups of the course's solution over the baseline.
    #[serde(default)]
    pub solution_speedup: f64,
    #[serde(default)]
    pub solution_interval: [f64; 2],
    /// Median of the per-round shares of the solution's gain, `ln speedup / ln solution's`.
    #[serde(default)]
    pub share: f64,
    #[serde(default)]
    pub share_interval: [f64; 2],
    /// Actual coverage of the intervals (≥ the protocol's confidence once enough rounds exist).
    pub confidence: f64,
    /// Rounds measured (one sample of each contender).
    pub pairs: usize,
    /// Median seconds per call of the baseline, the candidate and the solution.
    pub baseline_seconds: f64,
    pub candidate_seconds: f64,
    #[serde(default)]
    pub solution_seconds: f64,
    /// Calls per sample chosen by calibration: baseline, candidate.
    pub calls_per_sample: [u64; 2],
    /// Calls per sample of the solution.
    #[serde(default)]
    pub solution_calls_per_sample: u64,
    pub work: Option<Work>,
    /// Every per-round speedup, in the order measured.
    pub ratios: Vec<f64>,
    /// Every per-round speedup of the solution.
    #[serde(default)]
    pub solution_ratios: Vec<f64>,
    /// Every per-round share.
    #[serde(default)]
    pub shares: Vec<f64>,
}

impl StageResult {
    /// Relative width of the speedup's interval: above ~0.2 the machine was noisy.
    pub fn relative_spread(&self) -> f64 {
        (self.interval[1] - self.interval[0]) / self.speedup
    }

    /// The speedup the target share stands for on this machine, in this run: the solution's
    /// speedup raised to the target (2.86× for a half share of an 8.2× solution).
    pub fn target_speedup(&self) -> f64 {
        speedup_for(self.target, self.solution_speedup)
    }

    /// What the protocol reports for perfectly steady timings (15 rounds, every one alike): the
    /// candidate `speedup` times faster than a baseline taking 1 ms a call, the solution
    /// `solution_speedup` times. For tests and examples of what reads a result.
    pub fn steady(name: &str, target: f64, speedup: f64, solution_speedup: f64) -> StageResult {
        let share = share_of(speedup, solution_speedup);
        let verdict = if solution_speedup < default_min_solution_speedup() {
            Verdict::Ungradable
        } else if share >= target {
            Verdict::Met
        } else {
            Verdict::Missed
        };
        StageResult {
            name: name.to_string(),
            target,
            verdict,
            conclusive: true,
            speedup,
            interval: [speedup; 2],
            solution_speedup,
            solution_interval: [solution_speedup; 2],
            share,
            share_interval: [share; 2],
            confidence: 0.96,
            pairs: 15,
            baseline_seconds: 1e-3,
            candidate_seconds: 1e-3 / speedup,
            solution_seconds: 1e-3 / solution_speedup,
            calls_per_sample: [20, (20.0 * speedup).ceil() as u64],
            solution_calls_per_sample: (20.0 * solution_speedup).ceil() as u64,
            work: None,
            ratios: vec![speedup; 15],
            solution_ratios: vec![solution_speedup; 15],
            shares: vec![share; 15],
        }
    }
}

/// The share of a solution's gain that a speedup is: `ln speedup / ln solution`, with the
/// solution's speedup held above 1.01 so a round where noise put it at or below the baseline
/// gives a large share of the right sign instead of a division by zero.
pub fn share_of(speedup: f64, solution: f64) -> f64 {
    speedup.max(f64::MIN_POSITIVE).ln() / solution.max(1.01).ln()
}

/// The speedup that is `share` of a solution's `solution` speedup: `solution^share`.
pub fn speedup_for(share: f64, solution: f64) -> f64 {
    solution.max(1.0).powf(share)
}

/// Something the protocol can time: `sample(calls)` runs `calls` calls and returns seconds, or
/// says why measuring must stop (a wrong result, a crash), which ends the measurement.
pub trait Contender {
    fn sample(&mut self, calls: u64) -> Result<f64, String>;

    /// Warm-up and calibration are over: from now on the contenders take turns, round after
    /// round (a judge can then prepare one input batch for two of them).
    fn rounds_begin(&mut self) {}
}

/// A closure timed with the monotonic clock; its result goes through `black_box`.
pub struct Timed<F>(pub F);

impl<F: FnMut()> Contender for Timed<F> {
    fn sample(&mut self, calls: u64) -> Result<f64, String> {
        let start = Instant::now();
        for _ in 0..calls {
            (self.0)();
        }
        Ok(start.elapsed().as_secs_f64())
    }
}

/// A call that needs fresh state each time: `prepare` runs before every call, untimed (for
/// example copying the input into a buffer that already exists, so first-touch page faults
/// are not timed), then `run` is timed.
pub struct Prepared<S, P, R> {
    pub state: S,
    pub prepare: P,
    pub run: R,
}

impl<S, P: FnMut(&mut S), R: FnMut(&mut S)> Contender for Prepared<S, P, R> {
    fn sample(&mut self, calls: u64) -> Result<f64, String> {
        let mut total = 0.0;
        for _ in 0..calls {
            (self.prepare)(&mut self.state);
            let start = Instant::now();
            (self.run)(&mut self.state);
            total += start.elapsed().as_secs_f64();
        }
        std::hint::black_box(&self.state);
        Ok(total)
    }
}

/// Progress of a measurement, reported after every round.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PairProgress {
    pub stage: String,
    pub pairs: usize,
    pub speedup: f64,
    pub interval: [f64; 2],
    /// The solution's median speedup and the median share of its gain so far.
    #[serde(default)]
    pub solution_speedup: f64,
    #[serde(default)]
    pub share: f64,
}

/// The three contenders of a stage: the frozen starting code, the code graded, and the course's
/// solution, which measures what this machine gives.
pub struct Contenders<'a> {
    pub baseline: &'a mut dyn Contender,
    pub candidate: &'a mut dyn Contender,
    pub solution: &'a mut dyn Contender,
}

/// Measures the candidate against the baseline and the solution by the protocol and returns the
/// verdict for `target` (a share of the solution's gain); `Err` is the first error a contender
/// returned.
pub fn measure(
    stage: &str,
    target: f64,
    work: Option<Work>,
    contenders: Contenders<'_>,
    protocol: &Protocol,
    progress: &mut dyn FnMut(&PairProgress),
) -> Result<StageResult, String> {
    let Contenders { baseline, candidate, solution } = contenders;
    let mut spent = 0.0;
    let mut calls_per_sample = |c: &mut dyn Contender| -> Result<u64, String> {
        let (warm_calls, warm_time) = warm_up(c, protocol.warmup_seconds)?;
        spent += warm_time;
        // One warm-up call already as long as a sample: calibrating would only repeat it.
        if warm_calls == 1 && warm_time >= protocol.sample_seconds {
            return Ok(1);
        }
        let (calls, t) = calibrate(c, protocol.sample_seconds)?;
        spent += t;
        Ok(calls)
    };
    let calls_b = calls_per_sample(baseline)?;
    let (calls_c, calls_s) =
        if protocol.one_call_per_sample { (1, 1) } else { (calls_per_sample(candidate)?, calls_per_sample(solution)?) };
    spent = spent.min(protocol.max_seconds); // warm-up and calibration never eat the whole budget
    baseline.rounds_begin();
    candidate.rounds_begin();
    solution.rounds_begin();

    let (mut ratios, mut solution_ratios, mut shares) = (Vec::new(), Vec::new(), Vec::new());
    let (mut times_b, mut times_c, mut times_s) = (Vec::new(), Vec::new(), Vec::new());
    let mut sampling = 0.0;
    loop {
        // B C S, then S C B: every two contenders swap order from one round to the next.
        let (tb, tc, ts) = if ratios.len() % 2 == 0 {
            let tb = baseline.sample(calls_b)?;
            let tc = candidate.sample(calls_c)?;
            (tb, tc, solution.sample(calls_s)?)
        } else {
            let ts = solution.sample(calls_s)?;
            let tc = candidate.sample(calls_c)?;
            (baseline.sample(calls_b)?, tc, ts)
        };
        sampling += tb + tc + ts;
        let (b, c, s) = (tb / calls_b as f64, tc / calls_c as f64, ts / calls_s as f64);
        times_b.push(b);
        times_c.push(c);
        times_s.push(s);
        let (speedup_now, solution_now) = (b / c.max(f64::MIN_POSITIVE), b / s.max(f64::MIN_POSITIVE));
        ratios.push(speedup_now);
        solution_ratios.push(solution_now);
        shares.push(share_of(speedup_now, solution_now));

        let (low, high, coverage) = median_interval(&ratios, protocol.confidence);
        let (solution_low, solution_high, _) = median_interval(&solution_ratios, protocol.confidence);
        let (share_low, share_high, _) = median_interval(&shares, protocol.confidence);
        let (speedup, solution_speedup, share) = (median(&ratios), median(&solution_ratios), median(&shares));
        progress(&PairProgress {
            stage: stage.to_string(),
            pairs: ratios.len(),
            speedup,
            interval: [low, high],
            solution_speedup,
            share,
        });

        let sure = coverage >= protocol.confidence;
        let enough = ratios.len() >= protocol.min_pairs;
        let capped = enough && (ratios.len() >= protocol.max_pairs || spent + sampling >= protocol.max_seconds);
        let early = ratios.len() >= protocol.early_pairs && sure;
        let weak_solution = solution_high < protocol.min_solution_speedup;
        let gradable = solution_low >= protocol.min_solution_speedup;
        // The early margin is a factor of speedup (as a share it depends on the solution's
        // gain) or a share, whichever is nearer.
        let margin = (protocol.early_margin.ln() / solution_speedup.max(1.01).ln()).min(protocol.early_share_margin);
        let decided = if early && weak_solution {
            Some((Verdict::Ungradable, true))
        } else if early && gradable && (share_low >= target + margin || share_high + margin < target) {
            Some((if share_low >= target { Verdict::Met } else { Verdict::Missed }, true))
        } else if enough && gradable && share_low >= target {
            Some((Verdict::Met, true))
        } else if enough && gradable && share_high < target {
            Some((Verdict::Missed, true))
        } else if capped && solution_speedup < protocol.min_solution_speedup {
            Some((Verdict::Ungradable, false))
        } else if capped {
            let met = share >= target && protocol.unsure_meets;
            Some((if met { Verdict::Met } else { Verdict::Missed }, false))
        } else {
            None
        };
        if let Some((verdict, conclusive)) = decided {
            return Ok(StageResult {
                name: stage.to_string(),
                target,
                verdict,
                conclusive,
                speedup,
                interval: [low, high],
                solution_speedup,
                solution_interval: [solution_low, solution_high],
                share,
                share_interval: [share_low, share_high],
                confidence: coverage,
                pairs: ratios.len(),
                baseline_seconds: median(&times_b),
                candidate_seconds: median(&times_c),
                solution_seconds: median(&times_s),
                calls_per_sample: [calls_b, calls_c],
                solution_calls_per_sample: calls_s,
                work,
                ratios,
                solution_ratios,
                shares,
            });
        }
    }
}

/// Runs `c` for at least `seconds` (at least one call), in samples of 1, 2, 4, … calls, so that
/// a call far shorter than the cost of one sample (a request to a worker) still warms up in a
/// few samples; returns the calls made and the time spent.
fn warm_up(c: &mut dyn Contender, seconds: f64) -> Result<(u64, f64), String> {
    let (mut calls, mut spent, mut next) = (0, 0.0, 1);
    loop {
        spent += c.sample(next)?;
        calls += next;
        if spent >= seconds {
            return Ok((calls, spent));
        }
        // Doubling, but no further than the time left needs.
        let left = ((seconds - spent) / (spent / calls as f64)).ceil() as u64;
        next = left.clamp(1, next.saturating_mul(2));
    }
}

/// Doubles the calls per sample until one sample lasts `min_seconds`; returns (calls, time spent).
fn calibrate(c: &mut dyn Contender, min_seconds: f64) -> Result<(u64, f64), String> {
    let mut calls = 1u64;
    let mut spent = 0.0;
    loop {
        let t = c.sample(calls)?;
        spent += t;
        if t >= min_seconds {
            return Ok((calls, spent));
        }
        // Jump close to the goal when the estimate is meaningful, else double.
        let estimate = if t > 0.0 { (min_seconds / t * calls as f64 * 1.2).ceil() as u64 } else { 0 };
        calls = estimate.clamp(calls * 2, calls.saturating_mul(1000));
    }
}

/// The distribution-free confidence interval of the median of `values`.
///
/// With n values, the median lies between the k-th and the (n+1−k)-th smallest with probability
/// 1 − 2·P(X < k), X ~ Binomial(n, ½). Returns `(low, high, coverage)` for the largest k whose
/// coverage is ≥ `confidence`; below six values no such k exists and the full range is returned
/// with its (smaller) coverage.
pub fn median_interval(values: &[f64], confidence: f64) -> (f64, f64, f64) {
    assert!(!values.is_empty(), "no values");
    let mut sorted = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    let n = sorted.len();
    let k = order_statistic_rank(n, confidence);
    let coverage = 1.0 - 2.0 * binomial_half_cdf(n, k.max(1) - 1);
    let k = k.max(1);
    (sorted[k - 1], sorted[n - k], coverage)
}

/// The largest 1-based rank k with 1 − 2·P(X ≤ k−1) ≥ `confidence`, or 0 if none.
pub fn order_statistic_rank(n: usize, confidence: f64) -> usize {
    let tail = (1.0 - confidence) / 2.0;
    (1..=n.div_ceil(2)).take_while(|&k| binomial_half_cdf(n, k - 1) <= tail).last().unwrap_or(0)
}

/// P(X ≤ k) for X ~ Binomial(n, ½), summed in log space-free form (fine for n < 1000).
fn binomial_half_cdf(n: usize, k: usize) -> f64 {
    let mut pmf = 0.5f64.powi(n as i32);
    let mut sum = pmf;
    for i in 0..k.min(n) {
        pmf *= (n - i) as f64 / (i + 1) as f64;
        sum += pmf;
    }
    sum.min(1.0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::{Rng, SeedableRng, rngs::StdRng};

    #[test]
    fn order_statistics_match_the_tables() {
        // n = 15: the 4th and 12th values bound the median with 96.5% confidence.
        assert_eq!(order_statistic_rank(15, 0.95), 4);
        assert!((1.0 - 2.0 * binomial_half_cdf(15, 3) - 0.9648).abs() < 1e-4);
        // Standard table values for 95%: n = 11 → 2, n = 31 → 10, n = 61 → 23.
        assert_eq!(order_statistic_rank(11, 0.95), 2);
        assert_eq!(order_statistic_rank(31, 0.95), 10);
        assert_eq!(order_statistic_rank(61, 0.95), 23);
        assert_eq!(order_statistic_rank(5, 0.95), 0);
    }

    #[test]
    fn interval_brackets_the_median() {
        let v: Vec<f64> = (1..=15).map(f64::from).rev().collect();
        let (lo, hi, cov) = median_interval(&v, 0.95);
        assert_eq!((lo, hi), (4.0, 12.0));
        assert!(cov >= 0.95);
        let (lo, hi, cov) = median_interval(&[2.0, 1.0, 3.0], 0.95);
        assert_eq!((lo, hi), (1.0, 3.0));
        assert!(cov < 0.95);
    }

    /// A contender whose time per call is scripted: `base · (1 ± noise)`, seeded.
    struct Scripted {
        per_call: f64,
        noise: f64,
        rng: StdRng,
        log: std::rc::Rc<std::cell::RefCell<Vec<char>>>,
        tag: char,
    }

    impl Contender for Scripted {
        fn sample(&mut self, calls: u64) -> Result<f64, String> {
            self.log.borrow_mut().push(self.tag);
            let jitter = 1.0 + self.noise * (self.rng.random::<f64>() * 2.0 - 1.0);
            Ok(self.per_call * calls as f64 * jitter)
        }
    }

    /// Times per call of the baseline, the candidate and the solution.
    struct Script {
        base: f64,
        cand: f64,
        solution: f64,
        noise: f64,
    }

    fn run(script: Script, target: f64, seed: u64) -> (StageResult, Vec<char>) {
        run_with(script, target, seed, &Protocol::default())
    }

    fn run_with(script: Script, target: f64, seed: u64, protocol: &Protocol) -> (StageResult, Vec<char>) {
        let log = std::rc::Rc::new(std::cell::RefCell::new(Vec::new()));
        let noise = script.noise;
        let mk =
            |per_call, tag, seed| Scripted { per_call, noise, rng: StdRng::seed_from_u64(seed), log: log.clone(), tag };
        let (mut b, mut c, mut s) =
            (mk(script.base, 'B', seed), mk(script.cand, 'C', seed + 1), mk(script.solution, 'S', seed + 2));
        let mut seen = 0;
        let contenders = Contenders { baseline: &mut b, candidate: &mut c, solution: &mut s };
        let r = measure("t", target, None, contenders, protocol, &mut |p| seen = p.pairs).unwrap();
        assert_eq!(seen, r.pairs, "progress reported every round");
        let order = log.borrow().clone();
        (r, order)
    }

    fn script(base: f64, cand: f64, solution: f64, noise: f64) -> Script {
        Script { base, cand, solution, noise }
    }

    #[test]
    fn the_share_is_zero_for_the_baseline_one_for_the_solution_and_more_past_it() {
        assert_eq!(share_of(1.0, 8.0), 0.0);
        assert!((share_of(8.0, 8.0) - 1.0).abs() < 1e-12);
        assert!((share_of(2.0, 4.0) - 0.5).abs() < 1e-12, "half the doublings");
        assert!((share_of(10.0, 100.0) - 0.5).abs() < 1e-12);
        assert!(share_of(16.0, 4.0) > 1.9, "twice the solution's doublings");
        assert!(share_of(0.5, 4.0) < 0.0, "slower than the baseline");
        assert!(share_of(2.0, 0.9).is_finite(), "a solution measured below the baseline in one round");
        assert!((speedup_for(0.5, 8.2) - 8.2f64.sqrt()).abs() < 1e-12);
    }

    #[test]
    fn one_call_per_sample_times_the_candidate_and_the_solution_one_call_at_a_time() {
        let protocol = Protocol { one_call_per_sample: true, ..Protocol::default() };
        let (r, order) = run_with(script(20e-3, 2e-3, 1e-3, 0.05), 0.6, 1, &protocol);
        assert_eq!((r.calls_per_sample[1], r.solution_calls_per_sample), (1, 1));
        // No warm-up or calibration for them: one sample each per round, and the first of each.
        let count = |tag| order.iter().filter(|&&t| t == tag).count();
        assert_eq!((count('C'), count('S')), (r.pairs, r.pairs), "{order:?}");
        assert!(count('B') > r.pairs, "the baseline still warms up and calibrates: {order:?}");
        assert_eq!(r.verdict, Verdict::Met);
    }

    #[test]
    fn clear_shares_are_met_at_the_minimum_number_of_rounds() {
        // 10× of a 20× solution: a share of 0.77, against 0.6 (not far enough for an early verdict).
        let (r, _) = run(script(20e-3, 2e-3, 1e-3, 0.05), 0.6, 1);
        assert_eq!((r.verdict, r.conclusive, r.pairs), (Verdict::Met, true, 15));
        assert!((r.speedup - 10.0).abs() < 0.6, "{}", r.speedup);
        assert!((r.solution_speedup - 20.0).abs() < 1.2, "{}", r.solution_speedup);
        assert!((r.share - 10f64.ln() / 20f64.ln()).abs() < 0.03, "{}", r.share);
        assert!(r.share_interval[0] <= r.share && r.share <= r.share_interval[1]);
        assert!((r.target_speedup() - r.solution_speedup.powf(0.6)).abs() < 1e-9);
        // Calibration makes every sample last at least 20 ms.
        assert!(r.calls_per_sample[0] >= 1 && r.calls_per_sample[1] >= 10, "{:?}", r.calls_per_sample);
        assert!(r.solution_calls_per_sample >= 20, "{}", r.solution_calls_per_sample);
    }

    #[test]
    fn the_same_code_gets_the_same_verdict_where_the_machine_halves_every_speedup() {
        // A host where the solution gains 8× and one where it gains 4×: code that goes the same
        // share of the way on both (2.3× and 1.7×) is judged alike, where one speedup target
        // between them would pass it on one host and fail it on the other.
        for (solution, candidate) in [(8.0, 8f64.powf(0.4)), (4.0, 4f64.powf(0.4))] {
            let (r, _) = run(script(solution * 1e-3, solution * 1e-3 / candidate, 1e-3, 0.05), 0.5, 11);
            assert_eq!(r.verdict, Verdict::Missed, "{solution}× solution, {candidate:.2}× candidate");
            let (r, _) = run(script(solution * 1e-3, solution * 1e-3 / candidate, 1e-3, 0.05), 0.3, 12);
            assert_eq!(r.verdict, Verdict::Met, "{solution}× solution, {candidate:.2}× candidate");
        }
    }

    #[test]
    fn verdicts_far_from_the_target_are_drawn_after_the_early_rounds() {
        // 100× of a 100× solution against half of it (10×): far above; the baseline itself: far below.
        let (r, _) = run(script(100e-3, 1e-3, 1e-3, 0.05), 0.5, 5);
        assert_eq!((r.verdict, r.conclusive, r.pairs), (Verdict::Met, true, 6));
        let (r, _) = run(script(100e-3, 100e-3, 1e-3, 0.05), 0.5, 6);
        assert_eq!((r.verdict, r.conclusive, r.pairs), (Verdict::Missed, true, 6));
        // Within the margin (0.3 of a 4× solution's gain: a share of 0.34 is 0.16 from 0.5), the
        // full minimum.
        let (r, _) = run(script(4e-3, 2.5e-3, 1e-3, 0.05), 0.5, 7);
        assert_eq!((r.verdict, r.pairs), (Verdict::Missed, 15));
        // Where the solution gains little (2×), a factor 2 would be its whole gain: the untouched
        // code and the solution itself are still decided after the early rounds.
        let (r, _) = run(script(2e-3, 2e-3, 1e-3, 0.05), 0.5, 8);
        assert_eq!((r.verdict, r.pairs), (Verdict::Missed, 6));
        let (r, _) = run(script(2e-3, 1e-3, 1e-3, 0.05), 0.5, 9);
        assert_eq!((r.verdict, r.pairs), (Verdict::Met, 6));
    }

    #[test]
    fn a_solution_that_gains_too_little_here_makes_the_stage_ungradable_not_missed() {
        // A parallel stage with one free core: the solution 1.05× the baseline, the candidate too.
        let (r, _) = run(script(1.05e-3, 1e-3, 1e-3, 0.02), 0.5, 21);
        assert_eq!((r.verdict, r.conclusive, r.pairs), (Verdict::Ungradable, true, 6));
        // Even code as fast as the solution: no verdict either way.
        let (r, _) = run(script(1.1e-3, 1e-3, 1e-3, 0.02), 0.5, 22);
        assert_eq!(r.verdict, Verdict::Ungradable);
        // A solution that gains enough is graded however slow the candidate.
        let (r, _) = run(script(2e-3, 2e-3, 1e-3, 0.02), 0.5, 23);
        assert_eq!(r.verdict, Verdict::Missed);
    }

    #[test]
    fn a_call_longer_than_a_sample_is_not_calibrated_again() {
        // The candidate takes 2 s a call: one warm-up call, then straight to rounds.
        let (r, order) = run(script(10e-3, 2.0, 1e-3, 0.0), 0.5, 8);
        assert_eq!(r.calls_per_sample[1], 1);
        let candidate_calls = order.iter().filter(|&&t| t == 'C').count();
        assert_eq!(candidate_calls, 1 + r.pairs, "{order:?}");
    }

    #[test]
    fn a_very_short_call_warms_up_in_a_few_samples() {
        // 50 ns a call: one call per warm-up sample would take 4 million samples for 0.2 s.
        let (r, order) = run(script(1e-3, 50e-9, 50e-9, 0.0), 0.5, 9);
        let before_rounds = order.len() - 3 * r.pairs;
        assert!(before_rounds < 160, "{before_rounds} samples before the rounds: {order:?}");
        let mut c =
            Scripted { per_call: 50e-9, noise: 0.0, rng: StdRng::seed_from_u64(1), log: Default::default(), tag: 'C' };
        let (calls, spent) = warm_up(&mut c, 0.2).unwrap();
        assert!((0.2..0.3).contains(&spent), "warm-up spent {spent} s in {calls} calls");
    }

    #[test]
    fn no_speedup_misses_the_target() {
        let (r, _) = run(script(2e-3, 2e-3, 1e-3, 0.05), 0.5, 2);
        assert_eq!((r.verdict, r.conclusive), (Verdict::Missed, true));
        assert!((r.speedup - 1.0).abs() < 0.1);
        assert!(r.share.abs() < 0.15, "{}", r.share);
    }

    #[test]
    fn a_share_on_the_line_is_measured_to_the_cap_and_marked_inconclusive() {
        let (r, _) = run(script(4e-3, 2e-3, 1e-3, 0.3), 0.5, 3);
        assert!(!r.conclusive);
        assert!(r.pairs == Protocol::default().max_pairs || r.pairs > 15);
        assert!(r.share_interval[0] < 0.5 && r.share_interval[1] >= 0.5);
    }

    #[test]
    fn not_sure_never_meets_a_narrow_margin_stage() {
        // Exactly on the line: the median falls either side at the cap, seed by seed.
        let unsure = Protocol { unsure_meets: false, ..Protocol::default() };
        let mut met_by_median = 0;
        for seed in 0..20 {
            let (r, _) = run_with(script(4e-3, 2e-3, 1e-3, 0.3), 0.5, seed, &unsure);
            if !r.conclusive {
                assert_eq!(r.verdict, Verdict::Missed, "seed {seed}: median share {}", r.share);
            }
            let (usual, _) = run(script(4e-3, 2e-3, 1e-3, 0.3), 0.5, seed);
            met_by_median += usize::from(!usual.conclusive && usual.verdict == Verdict::Met);
        }
        assert!(met_by_median > 0, "the usual protocol lets some medians meet: the test would show nothing");
    }

    #[test]
    fn rounds_reverse_their_order_after_warm_up() {
        let (r, order) = run(script(10e-3, 1e-3, 1e-3, 0.0), 0.5, 4);
        let rounds: String = order[order.len() - 3 * r.pairs..].iter().collect();
        assert!(rounds.starts_with("BCSSCBBCSSCB"), "{rounds}");
    }

    #[test]
    fn the_verdict_is_the_same_for_every_seed_when_targets_leave_a_margin() {
        for seed in 0..50 {
            // The solution 8×, a candidate at 0.9 of its share and one at 0.1, target 0.5, 35% noise.
            let at = |share: f64| 8e-3 / 8f64.powf(share);
            assert_eq!(run(script(8e-3, at(0.9), 1e-3, 0.35), 0.5, seed).0.verdict, Verdict::Met, "seed {seed}");
            assert_eq!(run(script(8e-3, at(0.1), 1e-3, 0.35), 0.5, seed).0.verdict, Verdict::Missed, "seed {seed}");
        }
    }
}
