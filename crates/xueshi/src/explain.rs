//! Application errors told the way the command line tells them: the pages'
//! words (Chinese unless a command takes `--lang`), every refused row named.

use anyhow::{Result, anyhow};
use xueshi_app::AppError;
use xueshi_web::i18n::Lang;

pub fn app_error(e: AppError, lang: Lang) -> anyhow::Error {
    anyhow!("{}", xueshi_web::error::in_words(lang, e))
}

/// An application result whose error is worded for the shell.
pub trait Explained<T> {
    fn explained(self) -> Result<T>;
}

impl<T> Explained<T> for std::result::Result<T, AppError> {
    fn explained(self) -> Result<T> {
        self.map_err(|e| app_error(e, Lang::default()))
    }
}
