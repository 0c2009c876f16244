//! Managing access: users, roles, ACLs, entitlement classes and keys.
//!
//! Every change is one statement or one transaction, so a failed command
//! leaves nothing half done.

use std::collections::BTreeSet;

use rusqlite::{Connection, ErrorCode, OptionalExtension as _, TransactionBehavior, params};

use crate::access::Acl;
use crate::entitlement::EntitlementKey;
use crate::error::RepositoryError;
use crate::names::{ANONYMOUS, check_name};
use crate::password;
use crate::repo::Repository;

/// A user as listed by [`Repository::users`].
///
/// ```rust
/// use conary_repository::UserInfo;
/// let user = UserInfo { name: "alice".into(), is_admin: true, roles: ["devel".into()].into() };
/// assert_eq!(user.to_string(), "alice (admin) roles: devel");
/// ```
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct UserInfo {
    /// The user name.
    pub name: String,
    /// Whether the user may do everything.
    pub is_admin: bool,
    /// The roles the user belongs to.
    pub roles: BTreeSet<String>,
}

impl std::fmt::Display for UserInfo {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.name)?;
        if self.is_admin {
            f.write_str(" (admin)")?;
        }
        f.write_str(" roles:")?;
        if self.roles.is_empty() {
            f.write_str(" -")?;
        }
        for role in &self.roles {
            write!(f, " {role}")?;
        }
        Ok(())
    }
}

/// An ACL and the role it belongs to, as listed by [`Repository::acls`].
///
/// ```rust
/// use conary_repository::{Acl, RoleAcl};
/// let acl = RoleAcl { role: "devel".into(), acl: Acl::new("ALL".parse()?, "ALL".parse()?) };
/// assert_eq!(acl.to_string(), "devel label ALL troves ALL: read");
/// # Ok::<(), conary_repository::RepositoryError>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RoleAcl {
    /// The role.
    pub role: String,
    /// The rule.
    pub acl: Acl,
}

impl std::fmt::Display for RoleAcl {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} {}", self.role, self.acl)
    }
}

/// An entitlement class as listed by [`Repository::entitlement_classes`].
///
/// ```rust
/// use conary_repository::EntitlementClass;
/// let class = EntitlementClass { name: "customers".into(), roles: ["mirror".into()].into(), keys: 2 };
/// assert_eq!(class.to_string(), "customers roles: mirror keys: 2");
/// ```
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct EntitlementClass {
    /// The class name.
    pub name: String,
    /// The roles its keys grant (read only).
    pub roles: BTreeSet<String>,
    /// How many keys it has.
    pub keys: u64,
}

impl std::fmt::Display for EntitlementClass {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} roles:", self.name)?;
        for role in &self.roles {
            write!(f, " {role}")?;
        }
        write!(f, " keys: {}", self.keys)
    }
}

fn is_unique_violation(error: &rusqlite::Error) -> bool {
    matches!(error, rusqlite::Error::SqliteFailure(failure, _) if failure.code == ErrorCode::ConstraintViolation)
}

/// The id of role `name`, or [`RepositoryError::NotFound`].
pub(crate) fn role_id(connection: &Connection, name: &str) -> Result<i64, RepositoryError> {
    connection
        .query_row("SELECT id FROM roles WHERE name = ?1", [name], |row| {
            row.get(0)
        })
        .optional()
        .map_err(RepositoryError::database("looking up a role"))?
        .ok_or_else(|| RepositoryError::NotFound {
            kind: "role",
            name: name.to_owned(),
        })
}

impl Repository {
    /// Adds user `name` with `password` (hashed with Argon2id); an admin
    /// user may do everything.
    pub fn add_user(
        &self,
        name: &str,
        password: &str,
        is_admin: bool,
    ) -> Result<(), RepositoryError> {
        check_name("user", name)?;
        if name == ANONYMOUS {
            return Err(RepositoryError::InvalidName {
                kind: "user",
                name: name.to_owned(),
                reason: "reserved for callers without credentials",
            });
        }
        if password.is_empty() {
            return Err(RepositoryError::InvalidPassword {
                user: name.to_owned(),
                reason: "empty",
            });
        }
        // Hash before taking the connection: it is slow on purpose.
        let hash = password::hash(password)?;
        self.connection()
            .execute(
                "INSERT INTO users (name, password_hash, is_admin) VALUES (?1, ?2, ?3)",
                params![name, hash, is_admin],
            )
            .map_err(|error| {
                if is_unique_violation(&error) {
                    RepositoryError::Duplicate {
                        kind: "user",
                        name: name.to_owned(),
                    }
                } else {
                    RepositoryError::database("adding a user")(error)
                }
            })?;
        Ok(())
    }

    /// Every user, by name.
    pub fn users(&self) -> Result<Vec<UserInfo>, RepositoryError> {
        let connection = self.connection();
        let action = "listing users";
        let mut statement = connection
            .prepare(
                "SELECT u.name, u.is_admin, r.name FROM users u
                 LEFT JOIN user_roles ur ON ur.user_id = u.id
                 LEFT JOIN roles r ON r.id = ur.role_id
                 ORDER BY u.name, r.name",
            )
            .map_err(RepositoryError::database(action))?;
        let rows = statement
            .query_map([], |row| {
                Ok((
                    row.get::<_, String>(0)?,
                    row.get::<_, bool>(1)?,
                    row.get::<_, Option<String>>(2)?,
                ))
            })
            .map_err(RepositoryError::database(action))?;
        let mut users: Vec<UserInfo> = Vec::new();
        for row in rows {
            let (name, is_admin, role) = row.map_err(RepositoryError::database(action))?;
            let user = match users.last_mut() {
                Some(last) if last.name == name => last,
                _ => {
                    users.push(UserInfo {
                        name,
                        is_admin,
                        roles: BTreeSet::new(),
                    });
                    users.last_mut().ok_or_else(|| RepositoryError::Corrupt {
                        reason: "user list vanished".to_owned(),
                    })?
                }
            };
            user.roles.extend(role);
        }
        Ok(users)
    }

    /// Adds role `name`, with no ACLs and no members.
    pub fn add_role(&self, name: &str) -> Result<(), RepositoryError> {
        check_name("role", name)?;
        self.connection()
            .execute("INSERT INTO roles (name) VALUES (?1)", [name])
            .map_err(|error| {
                if is_unique_violation(&error) {
                    RepositoryError::Duplicate {
                        kind: "role",
                        name: name.to_owned(),
                    }
                } else {
                    RepositoryError::database("adding a role")(error)
                }
            })?;
        Ok(())
    }

    /// Every role name, sorted.
    pub fn roles(&self) -> Result<Vec<String>, RepositoryError> {
        let connection = self.connection();
        let mut statement = connection
            .prepare("SELECT name FROM roles ORDER BY name")
            .map_err(RepositoryError::database("listing roles"))?;
        statement
            .query_map([], |row| row.get(0))
            .map_err(RepositoryError::database("listing roles"))?
            .collect::<Result<Vec<String>, _>>()
            .map_err(RepositoryError::database("listing roles"))
    }

    /// Makes `user` a member of `role` (nothing changes when it already is).
    pub fn grant_role(&self, role: &str, user: &str) -> Result<(), RepositoryError> {
        let connection = self.connection();
        let role_id = role_id(&connection, role)?;
        let user_id: i64 = connection
            .query_row("SELECT id FROM users WHERE name = ?1", [user], |row| {
                row.get(0)
            })
            .optional()
            .map_err(RepositoryError::database("looking up a user"))?
            .ok_or_else(|| RepositoryError::NotFound {
                kind: "user",
                name: user.to_owned(),
            })?;
        connection
            .execute(
                "INSERT OR IGNORE INTO user_roles (user_id, role_id) VALUES (?1, ?2)",
                [user_id, role_id],
            )
            .map_err(RepositoryError::database("adding a role member"))?;
        Ok(())
    }

    /// Gives `role` the rule `acl`. A rule with the same patterns is
    /// replaced, so this also changes what an existing rule allows.
    pub fn add_acl(&self, role: &str, acl: &Acl) -> Result<(), RepositoryError> {
        let connection = self.connection();
        let role_id = role_id(&connection, role)?;
        connection
            .execute(
                "INSERT INTO acls (role_id, label_pattern, trove_pattern, can_read, can_write, can_admin)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)
                 ON CONFLICT (role_id, label_pattern, trove_pattern) DO UPDATE SET
                     can_read = excluded.can_read,
                     can_write = excluded.can_write,
                     can_admin = excluded.can_admin",
                params![
                    role_id,
                    acl.label.to_string(),
                    acl.troves.to_string(),
                    acl.read,
                    acl.write,
                    acl.admin
                ],
            )
            .map_err(RepositoryError::database("adding an ACL"))?;
        Ok(())
    }

    /// Every ACL with its role, by role name then in the order added.
    pub fn acls(&self) -> Result<Vec<RoleAcl>, RepositoryError> {
        let connection = self.connection();
        crate::auth::load_acls(
            &connection,
            "SELECT r.name, a.label_pattern, a.trove_pattern, a.can_read, a.can_write, a.can_admin
             FROM acls a JOIN roles r ON r.id = a.role_id
             ORDER BY r.name, a.id",
            [],
        )
    }

    /// Issues a new key of entitlement class `class`, creating the class
    /// when missing and letting it grant (read access through) `role`.
    /// Returns the key, which is not stored and cannot be shown again.
    pub fn add_entitlement(
        &self,
        class: &str,
        role: &str,
    ) -> Result<EntitlementKey, RepositoryError> {
        check_name("entitlement class", class)?;
        let key = EntitlementKey::generate()?;
        let mut connection = self.connection();
        let transaction = connection
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(RepositoryError::database("adding an entitlement"))?;
        let role_id = role_id(&transaction, role)?;
        transaction
            .execute(
                "INSERT OR IGNORE INTO entitlement_classes (name) VALUES (?1)",
                [class],
            )
            .map_err(RepositoryError::database("adding an entitlement class"))?;
        let class_id: i64 = transaction
            .query_row(
                "SELECT id FROM entitlement_classes WHERE name = ?1",
                [class],
                |row| row.get(0),
            )
            .map_err(RepositoryError::database("adding an entitlement class"))?;
        transaction
            .execute(
                "INSERT OR IGNORE INTO entitlement_class_roles (class_id, role_id) VALUES (?1, ?2)",
                [class_id, role_id],
            )
            .map_err(RepositoryError::database("adding an entitlement class"))?;
        transaction
            .execute(
                "INSERT INTO entitlement_keys (key_hash, class_id) VALUES (?1, ?2)",
                params![key.stored_hash(), class_id],
            )
            .map_err(RepositoryError::database("adding an entitlement key"))?;
        transaction
            .commit()
            .map_err(RepositoryError::database("adding an entitlement"))?;
        Ok(key)
    }

    /// Every entitlement class, by name.
    pub fn entitlement_classes(&self) -> Result<Vec<EntitlementClass>, RepositoryError> {
        let connection = self.connection();
        let action = "listing entitlement classes";
        let mut statement = connection
            .prepare(
                "SELECT c.name, r.name,
                        (SELECT count(*) FROM entitlement_keys k WHERE k.class_id = c.id)
                 FROM entitlement_classes c
                 LEFT JOIN entitlement_class_roles cr ON cr.class_id = c.id
                 LEFT JOIN roles r ON r.id = cr.role_id
                 ORDER BY c.name, r.name",
            )
            .map_err(RepositoryError::database(action))?;
        let rows = statement
            .query_map([], |row| {
                Ok((
                    row.get::<_, String>(0)?,
                    row.get::<_, Option<String>>(1)?,
                    row.get::<_, i64>(2)?,
                ))
            })
            .map_err(RepositoryError::database(action))?;
        let mut classes: Vec<EntitlementClass> = Vec::new();
        for row in rows {
            let (name, role, keys) = row.map_err(RepositoryError::database(action))?;
            let keys = u64::try_from(keys).unwrap_or(0);
            match classes.last_mut() {
                Some(last) if last.name == name => last.roles.extend(role),
                _ => classes.push(EntitlementClass {
                    name,
                    roles: role.into_iter().collect(),
                    keys,
                }),
            }
        }
        Ok(classes)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn repository() -> (tempfile::TempDir, Repository) {
        let dir = tempfile::tempdir().expect("temp dir");
        let repository = Repository::init(dir.path(), "a.example.com").expect("init");
        (dir, repository)
    }

    #[test]
    fn users_and_roles() {
        let (_dir, repository) = repository();
        repository.add_user("root", "pw", true).expect("admin");
        repository.add_user("alice", "pw", false).expect("alice");
        repository.add_role("devel").expect("role");
        repository.grant_role("devel", "alice").expect("grant");
        repository
            .grant_role("devel", "alice")
            .expect("grant twice");
        repository.grant_role("anonymous", "alice").expect("grant");
        let users = repository.users().expect("users");
        let lines: Vec<String> = users.iter().map(ToString::to_string).collect();
        assert_eq!(
            lines,
            ["alice roles: anonymous devel", "root (admin) roles: -"]
        );
        assert_eq!(repository.roles().expect("roles"), ["anonymous", "devel"]);
    }

    #[test]
    fn user_errors() {
        let (_dir, repository) = repository();
        repository.add_user("alice", "pw", false).expect("alice");
        let cases: [(&str, &str, String); 4] = [
            ("alice", "pw", "user 'alice' already exists".to_owned()),
            ("bob", "", "invalid password for user 'bob': empty".to_owned()),
            (
                "anonymous",
                "pw",
                "invalid user name 'anonymous': reserved for callers without credentials".to_owned(),
            ),
            (
                "a:b",
                "pw",
                "invalid user name 'a:b': only letters, digits, '.', '-', '_', '@' and '+' are allowed"
                    .to_owned(),
            ),
        ];
        for (name, password, message) in cases {
            let error = repository.add_user(name, password, false).expect_err(name);
            assert_eq!(error.to_string(), message);
        }
        assert_eq!(
            repository
                .grant_role("nope", "alice")
                .expect_err("no role")
                .to_string(),
            "role 'nope' does not exist"
        );
        assert_eq!(
            repository
                .grant_role("anonymous", "bob")
                .expect_err("no user")
                .to_string(),
            "user 'bob' does not exist"
        );
        assert_eq!(
            repository
                .add_role("anonymous")
                .expect_err("dup")
                .to_string(),
            "role 'anonymous' already exists"
        );
    }

    #[test]
    fn acls_replace_by_patterns() {
        let (_dir, repository) = repository();
        repository.add_role("devel").expect("role");
        let acl = Acl::new(
            "a.example.com@rpl:*".parse().expect("label"),
            "ALL".parse().expect("troves"),
        );
        repository.add_acl("devel", &acl).expect("acl");
        repository
            .add_acl("devel", &acl.clone().with_write())
            .expect("replace");
        let lines: Vec<String> = repository
            .acls()
            .expect("acls")
            .iter()
            .map(ToString::to_string)
            .collect();
        assert_eq!(
            lines,
            [
                "anonymous label ALL troves ALL: read",
                "devel label a.example.com@rpl:* troves ALL: read write"
            ]
        );
        assert!(repository.add_acl("nope", &acl).is_err());
    }

    #[test]
    fn entitlements() {
        let (_dir, repository) = repository();
        repository.add_role("mirror").expect("role");
        let first = repository
            .add_entitlement("customers", "mirror")
            .expect("key");
        let second = repository
            .add_entitlement("customers", "mirror")
            .expect("key");
        assert_ne!(first, second);
        let classes = repository.entitlement_classes().expect("classes");
        let lines: Vec<String> = classes.iter().map(ToString::to_string).collect();
        assert_eq!(lines, ["customers roles: mirror keys: 2"]);
        assert_eq!(
            repository
                .add_entitlement("other", "nope")
                .expect_err("no role")
                .to_string(),
            "role 'nope' does not exist"
        );
        assert_eq!(repository.entitlement_classes().expect("classes").len(), 1);
    }
}
