//! The progress bar on stderr: done/total, rate, ETA and counts by risk level. Silent when
//! stderr is not a terminal or with `--no-progress`.

use std::collections::BTreeMap;
use std::io::IsTerminal;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use crate::finding::Risk;

/// The scan's progress bar and its counts by risk; does nothing when the bar is not shown.
#[derive(Debug)]
pub(crate) struct Progress {
    bar: Option<ProgressBar>,
    counts: BTreeMap<Risk, usize>,
}

impl Progress {
    /// A bar for `total` origins, shown only if `enabled` and stderr is a terminal.
    pub(crate) fn new(total: usize, enabled: bool) -> Progress {
        let bar = (enabled && std::io::stderr().is_terminal()).then(|| {
            let bar =
                ProgressBar::with_draw_target(Some(total as u64), ProgressDrawTarget::stderr());
            let style = ProgressStyle::with_template(
                "{bar:30} {pos}/{len} origins  {rate}  eta {eta}  {msg}",
            )
            .map(|style| {
                // indicatif's {per_sec} prints "33.4399/s": whole origins a second read better.
                style.with_key(
                    "rate",
                    |state: &indicatif::ProgressState, out: &mut dyn std::fmt::Write| {
                        let _ = write!(out, "{:.0}/s", state.per_sec());
                    },
                )
            })
            .unwrap_or_else(|_| ProgressStyle::default_bar());
            bar.set_style(style);
            bar
        });
        Progress {
            bar,
            counts: BTreeMap::new(),
        }
    }

    /// One more origin finished at `risk`.
    pub(crate) fn record(&mut self, risk: Risk) {
        *self.counts.entry(risk).or_default() += 1;
        if let Some(bar) = &self.bar {
            bar.inc(1);
            let message: Vec<String> = Risk::ALL
                .iter()
                .filter_map(|r| self.counts.get(r).map(|n| format!("{n} {r}")))
                .collect();
            bar.set_message(message.join(" · "));
        }
    }

    /// Clears the bar from the terminal, leaving nothing printed.
    pub(crate) fn finish(&self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}
