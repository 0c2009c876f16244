//! The database as the update planner sees the machine.

use crate::plan::{InstalledSystem, InstalledTrove};

use super::Database;

impl InstalledSystem for Database {
    /// Every installed trove with its whole pristine manifest and its pin.
    fn installed(&self) -> Result<Vec<InstalledTrove>, crate::plan::SystemError> {
        let mut troves = Vec::new();
        for installed in self.installed_troves()? {
            let trove = self.trove(&installed.tuple)?.ok_or_else(|| {
                crate::SystemError::corrupt(format!("trove {} vanished", installed.tuple))
            })?;
            troves.push(InstalledTrove {
                trove,
                pinned: installed.pinned,
            });
        }
        Ok(troves)
    }
}
