//! The rule context: what every rule sees — the release being checked, the previous
//! release if there is one, the resolved settings, and the run's flags.

use crate::project::Project;
use crate::settings::Config;

/// What the rules see: the working tree, the base release if any, and the settings.
pub struct ProjectCx<'a> {
    pub head: &'a Project,
    pub base: Option<&'a Project>,
    pub config: &'a Config,
    pub check_all: bool,
    pub no_inline_ignores: bool,
    /// The rules run on the base release to learn what it already had: word findings as
    /// a run with a base would, so the head's can be matched against them.
    pub base_run: bool,
}

impl ProjectCx<'_> {
    /// Whether findings are judged against a previous release (a head run with a base, or
    /// the base run that learns what that release already had).
    pub fn release_compared(&self) -> bool {
        self.base.is_some() || self.base_run
    }
}
