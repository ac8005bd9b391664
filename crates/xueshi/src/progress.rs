//! Progress bars on a terminal for long work; quiet lines otherwise.

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use xueshi_app::jobs::Progress;

pub struct Bar {
    bar: ProgressBar,
}

impl Bar {
    pub fn new() -> Bar {
        let bar = ProgressBar::with_draw_target(Some(0), ProgressDrawTarget::stderr());
        bar.set_style(
            ProgressStyle::with_template(
                "{msg:>14} [{bar:40.red/white}] {pos}/{len} ({per_sec}, {eta})",
            )
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
        );
        Bar { bar }
    }

    pub fn finish(&self) {
        self.bar.finish_and_clear();
    }
}

fn stage_name(key: &str) -> &str {
    key.strip_prefix("stage.").unwrap_or(key)
}

impl Progress for Bar {
    fn stage(&self, key: &'static str, total: u64) {
        if self.bar.is_hidden() {
            eprintln!("{} ({total})", stage_name(key));
        }
        self.bar.set_message(stage_name(key).to_owned());
        self.bar.set_length(total);
        self.bar.set_position(0);
    }

    fn advance(&self, n: u64) {
        self.bar.inc(n);
    }
}
