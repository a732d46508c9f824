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
}
