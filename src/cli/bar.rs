//! Progress bars on stderr (indicatif), one per stage, shown only on a terminal.

use std::sync::RwLock;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use neardupe::progress::{Progress, Stage};

/// Draws a bar for each stage the library reports.
#[derive(Default)]
pub struct Bars {
    bar: RwLock<Option<ProgressBar>>,
}

impl Progress for Bars {
    fn start(&self, stage: Stage, total: u64) {
        let bar = ProgressBar::with_draw_target(Some(total), ProgressDrawTarget::stderr());
        bar.set_style(
            ProgressStyle::with_template(
                "{prefix:>10} [{bar:30}] {human_pos}/{human_len} {per_sec} {eta}",
            )
            .expect("the template is valid")
            .progress_chars("=> "),
        );
        bar.set_prefix(stage.name());
        if let Ok(mut slot) = self.bar.write() {
            if let Some(old) = slot.replace(bar) {
                old.finish_and_clear();
            }
        }
    }

    fn advance(&self, n: u64) {
        if let Ok(slot) = self.bar.read() {
            if let Some(bar) = slot.as_ref() {
                bar.inc(n);
            }
        }
    }

    fn finish(&self) {
        if let Ok(mut slot) = self.bar.write() {
            if let Some(bar) = slot.take() {
                bar.finish_and_clear();
            }
        }
    }
}
