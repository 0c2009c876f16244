//! [`Repository::authenticate`]: from [`Credentials`] to an [`Identity`].

use std::collections::BTreeSet;

use rusqlite::{Connection, OptionalExtension as _, Params};

use crate::access::{Acl, Credentials, Identity, Subject};
use crate::admin::RoleAcl;
use crate::error::RepositoryError;
use crate::names::ANONYMOUS;
use crate::password;
use crate::repo::Repository;

/// Runs `sql`, which selects (role name, label pattern, trove pattern,
/// read, write, admin), and parses each row.
pub(crate) fn load_acls(
    connection: &Connection,
    sql: &str,
    params: impl Params,
) -> Result<Vec<RoleAcl>, RepositoryError> {
    let action = "reading ACLs";
    let mut statement = connection
        .prepare(sql)
        .map_err(RepositoryError::database(action))?;
    let rows = statement
        .query_map(params, |row| {
            Ok((
                row.get::<_, String>(0)?,
                row.get::<_, String>(1)?,
                row.get::<_, String>(2)?,
                row.get::<_, bool>(3)?,
                row.get::<_, bool>(4)?,
                row.get::<_, bool>(5)?,
            ))
        })
        .map_err(RepositoryError::database(action))?;
    let mut acls = Vec::new();
    for row in rows {
        let (role, label, troves, read, write, admin) =
            row.map_err(RepositoryError::database(action))?;
        let corrupt = |error: RepositoryError| RepositoryError::Corrupt {
            reason: format!("role '{role}' has an unusable ACL: {error}"),
        };
        let acl = Acl {
            label: label.parse().map_err(corrupt)?,
            troves: troves.parse().map_err(corrupt)?,
            read,
            write,
            admin,
        };
        acls.push(RoleAcl { role, acl });
    }
    Ok(acls)
}

/// The roles named and the ACLs of those roles.
fn identity(
    subject: Subject,
    is_admin: bool,
    mut roles: BTreeSet<String>,
    acls: Vec<RoleAcl>,
) -> Identity {
    roles.extend(acls.iter().map(|acl| acl.role.clone()));
    let acls = acls.into_iter().map(|role_acl| role_acl.acl).collect();
    Identity::new(subject, is_admin, roles, acls)
}

impl Repository {
    /// Checks `credentials` and returns who they belong to, with the ACLs
    /// that apply.
    ///
    /// - [`Credentials::None`]: the `anonymous` role's ACLs when anonymous
    ///   access is on, else [`RepositoryError::MissingCredentials`].
    /// - [`Credentials::Basic`]: the user's roles' ACLs when the password
    ///   is right, else [`RepositoryError::BadCredentials`] (also for an
    ///   unknown user, after spending the same time).
    /// - [`Credentials::Entitlement`]: the ACLs of the roles the key's
    ///   class grants, else [`RepositoryError::BadCredentials`].
    ///
    /// ```rust
    /// use conary_repository::{Action, Credentials, Repository, RepositoryError};
    /// let dir = tempfile::tempdir()?;
    /// let repository = Repository::init(dir.path(), "conary.example.com")?;
    /// repository.add_user("root", "secret", true)?;
    /// let root = repository.authenticate(&Credentials::Basic { user: "root".into(), password: "secret".into() })?;
    /// assert!(root.can(Action::Write, "conary.example.com@rpl:2", "bash"));
    /// let nobody = repository.authenticate(&Credentials::None);
    /// assert!(matches!(nobody, Err(RepositoryError::MissingCredentials)));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn authenticate(&self, credentials: &Credentials) -> Result<Identity, RepositoryError> {
        match credentials {
            Credentials::None => self.anonymous_identity(),
            Credentials::Basic { user, password } => self.user_identity(user, password),
            Credentials::Entitlement(key) => self.entitlement_identity(&key.stored_hash()),
        }
    }

    fn anonymous_identity(&self) -> Result<Identity, RepositoryError> {
        if !self.anonymous()? {
            return Err(RepositoryError::MissingCredentials);
        }
        let acls = load_acls(
            &self.connection(),
            "SELECT r.name, a.label_pattern, a.trove_pattern, a.can_read, a.can_write, a.can_admin
             FROM acls a JOIN roles r ON r.id = a.role_id
             WHERE r.name = ?1
             ORDER BY a.id",
            [ANONYMOUS],
        )?;
        Ok(identity(
            Subject::Anonymous,
            false,
            BTreeSet::from([ANONYMOUS.to_owned()]),
            acls,
        ))
    }

    fn user_identity(&self, user: &str, password: &str) -> Result<Identity, RepositoryError> {
        let found: Option<(i64, String, bool)> = self
            .connection()
            .query_row(
                "SELECT id, password_hash, is_admin FROM users WHERE name = ?1",
                [user],
                |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?)),
            )
            .optional()
            .map_err(RepositoryError::database("looking up a user"))?;
        // The connection is released while the (slow) hash is checked.
        let Some((user_id, stored, is_admin)) = found else {
            password::verify_nobody(password);
            return Err(RepositoryError::BadCredentials);
        };
        if !self.verified().verify(user, password, &stored)? {
            return Err(RepositoryError::BadCredentials);
        }
        let connection = self.connection();
        let roles = role_names(
            &connection,
            "SELECT r.name FROM user_roles ur JOIN roles r ON r.id = ur.role_id
             WHERE ur.user_id = ?1 ORDER BY r.name",
            user_id,
        )?;
        let acls = load_acls(
            &connection,
            "SELECT r.name, a.label_pattern, a.trove_pattern, a.can_read, a.can_write, a.can_admin
             FROM user_roles ur JOIN roles r ON r.id = ur.role_id JOIN acls a ON a.role_id = r.id
             WHERE ur.user_id = ?1
             ORDER BY r.name, a.id",
            [user_id],
        )?;
        Ok(identity(
            Subject::User(user.to_owned()),
            is_admin,
            roles,
            acls,
        ))
    }

    fn entitlement_identity(&self, key_hash: &str) -> Result<Identity, RepositoryError> {
        let connection = self.connection();
        let found: Option<(i64, String)> = connection
            .query_row(
                "SELECT c.id, c.name FROM entitlement_keys k
                 JOIN entitlement_classes c ON c.id = k.class_id
                 WHERE k.key_hash = ?1",
                [key_hash],
                |row| Ok((row.get(0)?, row.get(1)?)),
            )
            .optional()
            .map_err(RepositoryError::database("looking up an entitlement key"))?;
        let Some((class_id, class)) = found else {
            return Err(RepositoryError::BadCredentials);
        };
        let roles = role_names(
            &connection,
            "SELECT r.name FROM entitlement_class_roles cr JOIN roles r ON r.id = cr.role_id
             WHERE cr.class_id = ?1 ORDER BY r.name",
            class_id,
        )?;
        let acls = load_acls(
            &connection,
            "SELECT r.name, a.label_pattern, a.trove_pattern, a.can_read, a.can_write, a.can_admin
             FROM entitlement_class_roles cr JOIN roles r ON r.id = cr.role_id
             JOIN acls a ON a.role_id = r.id
             WHERE cr.class_id = ?1
             ORDER BY r.name, a.id",
            [class_id],
        )?;
        Ok(identity(Subject::Entitlement(class), false, roles, acls))
    }
}

fn role_names(
    connection: &Connection,
    sql: &str,
    id: i64,
) -> Result<BTreeSet<String>, RepositoryError> {
    let action = "reading roles";
    let mut statement = connection
        .prepare(sql)
        .map_err(RepositoryError::database(action))?;
    statement
        .query_map([id], |row| row.get(0))
        .map_err(RepositoryError::database(action))?
        .collect::<Result<BTreeSet<String>, _>>()
        .map_err(RepositoryError::database(action))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::access::Action;

    const LABEL: &str = "a.example.com@rpl:2";

    fn basic(user: &str, password: &str) -> Credentials {
        Credentials::Basic {
            user: user.to_owned(),
            password: password.to_owned(),
        }
    }

    fn setup() -> (tempfile::TempDir, Repository) {
        let dir = tempfile::tempdir().expect("temp dir");
        let repository = Repository::init(dir.path(), "a.example.com").expect("init");
        repository.add_user("root", "rootpw", true).expect("root");
        repository
            .add_user("alice", "alicepw", false)
            .expect("alice");
        repository.add_role("devel").expect("role");
        repository.grant_role("devel", "alice").expect("grant");
        let acl = Acl::new(
            LABEL.parse().expect("label"),
            "foo(:.*)?".parse().expect("troves"),
        );
        repository.add_acl("devel", &acl.with_write()).expect("acl");
        (dir, repository)
    }

    #[test]
    fn users_authenticate_by_password() {
        let (_dir, repository) = setup();
        let alice = repository
            .authenticate(&basic("alice", "alicepw"))
            .expect("alice");
        assert_eq!(alice.subject(), &Subject::User("alice".into()));
        assert_eq!(alice.roles().iter().collect::<Vec<_>>(), ["devel"]);
        assert!(alice.can(Action::Write, LABEL, "foo:runtime"));
        assert!(!alice.can(Action::Read, LABEL, "bar"));
        let root = repository
            .authenticate(&basic("root", "rootpw"))
            .expect("root");
        assert!(root.is_admin());
        for wrong in [
            basic("alice", "rootpw"),
            basic("alice", ""),
            basic("nobody", "alicepw"),
        ] {
            let error = repository.authenticate(&wrong).expect_err("wrong");
            assert!(
                matches!(error, RepositoryError::BadCredentials),
                "{wrong:?}: {error}"
            );
            assert!(error.is_authentication());
        }
    }

    #[test]
    fn anonymous_only_when_on() {
        let (_dir, repository) = setup();
        let error = repository
            .authenticate(&Credentials::None)
            .expect_err("off");
        assert!(matches!(error, RepositoryError::MissingCredentials));
        repository.set_anonymous(true).expect("on");
        let anonymous = repository.authenticate(&Credentials::None).expect("on");
        assert_eq!(anonymous.subject(), &Subject::Anonymous);
        assert!(anonymous.can(Action::Read, LABEL, "anything"));
        assert!(!anonymous.can(Action::Write, LABEL, "anything"));
    }

    #[test]
    fn entitlements_grant_read_through_roles() {
        let (_dir, repository) = setup();
        let key = repository
            .add_entitlement("customers", "devel")
            .expect("key");
        let holder = repository
            .authenticate(&Credentials::Entitlement(key))
            .expect("holder");
        assert_eq!(holder.subject(), &Subject::Entitlement("customers".into()));
        assert!(holder.can(Action::Read, LABEL, "foo"));
        assert!(
            !holder.can(Action::Write, LABEL, "foo"),
            "entitlements only read"
        );
        assert!(!holder.can(Action::Read, LABEL, "bar"));
        let unknown = crate::EntitlementKey::generate().expect("key");
        let error = repository
            .authenticate(&Credentials::Entitlement(unknown))
            .expect_err("unknown");
        assert!(matches!(error, RepositoryError::BadCredentials));
    }

    #[test]
    fn stored_patterns_that_no_longer_parse_are_corruption() {
        let (_dir, repository) = setup();
        repository
            .connection()
            .execute("UPDATE acls SET trove_pattern = 'foo('", [])
            .expect("break");
        let error = repository
            .authenticate(&basic("alice", "alicepw"))
            .expect_err("corrupt");
        assert!(matches!(error, RepositoryError::Corrupt { .. }), "{error}");
    }
}
