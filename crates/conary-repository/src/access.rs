//! Who is asking and what they may do: [`Credentials`] in, [`Identity`]
//! out, and the pure access check [`Identity::can`].
//!
//! The rules follow the original Conary's `netauth`: a user belongs to
//! roles, a role has ACLs of (label pattern, trove-name pattern, write,
//! admin), and an action is allowed when any ACL of any of the caller's
//! roles covers the label and the trove name and grants the action. Admin
//! users may do everything. Entitlement keys and anonymous callers are
//! limited to reading, whatever their roles' ACLs say.

use std::collections::BTreeSet;
use std::fmt;
use std::str::FromStr;

use crate::entitlement::EntitlementKey;
use crate::error::RepositoryError;
use crate::pattern::{LabelPattern, TrovePattern};

/// What a caller wants to do with troves on a label.
///
/// ```rust
/// use conary_repository::Action;
/// assert_eq!("write".parse::<Action>()?, Action::Write);
/// assert_eq!(Action::Admin.to_string(), "admin");
/// # Ok::<(), conary_repository::RepositoryError>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Action {
    /// Query troves and fetch their changesets and contents.
    Read,
    /// Commit new versions.
    Write,
    /// Administer: mark troves removed, change access (the original's
    /// `remove` bit).
    Admin,
}

impl fmt::Display for Action {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Read => "read",
            Self::Write => "write",
            Self::Admin => "admin",
        })
    }
}

impl FromStr for Action {
    type Err = RepositoryError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        match text {
            "read" => Ok(Self::Read),
            "write" => Ok(Self::Write),
            "admin" => Ok(Self::Admin),
            _ => Err(RepositoryError::InvalidAction {
                text: text.to_owned(),
            }),
        }
    }
}

/// One access rule of a role: which labels and trove names it covers and
/// what it allows there.
///
/// ```rust
/// use conary_repository::{Acl, Action};
/// let acl = Acl::new("conary.example.com@rpl:*".parse()?, "ALL".parse()?).with_write();
/// assert!(acl.allows(Action::Write, "conary.example.com@rpl:2", "bash"));
/// assert!(!acl.allows(Action::Admin, "conary.example.com@rpl:2", "bash"));
/// assert_eq!(acl.to_string(), "label conary.example.com@rpl:* troves ALL: read write");
/// # Ok::<(), conary_repository::RepositoryError>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Acl {
    /// The labels covered.
    pub label: LabelPattern,
    /// The trove names covered.
    pub troves: TrovePattern,
    /// Whether reading is allowed.
    pub read: bool,
    /// Whether committing is allowed.
    pub write: bool,
    /// Whether administering (removing) is allowed.
    pub admin: bool,
}

impl Acl {
    /// A read-only ACL over `label` and `troves`.
    pub fn new(label: LabelPattern, troves: TrovePattern) -> Self {
        Self {
            label,
            troves,
            read: true,
            write: false,
            admin: false,
        }
    }

    /// This ACL, also allowing writes.
    #[must_use]
    pub fn with_write(mut self) -> Self {
        self.write = true;
        self
    }

    /// This ACL, also allowing administration.
    #[must_use]
    pub fn with_admin(mut self) -> Self {
        self.admin = true;
        self
    }

    /// Whether this ACL grants `action`, whatever it covers.
    pub fn grants(&self, action: Action) -> bool {
        match action {
            Action::Read => self.read,
            Action::Write => self.write,
            Action::Admin => self.admin,
        }
    }

    /// Whether this ACL allows `action` on trove `trove_name` on `label`.
    pub fn allows(&self, action: Action, label: &str, trove_name: &str) -> bool {
        self.grants(action) && self.label.matches(label) && self.troves.matches(trove_name)
    }

    /// Whether this ACL covers every label and every trove name.
    pub fn covers_everything(&self) -> bool {
        self.label.is_all() && self.troves.is_all()
    }
}

impl fmt::Display for Acl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "label {} troves {}:", self.label, self.troves)?;
        for (granted, word) in [
            (self.read, "read"),
            (self.write, "write"),
            (self.admin, "admin"),
        ] {
            if granted {
                write!(f, " {word}")?;
            }
        }
        Ok(())
    }
}

/// What a caller presents.
///
/// `Debug` never shows the password or key.
///
/// ```rust
/// use conary_repository::Credentials;
/// let credentials = Credentials::Basic { user: "alice".into(), password: "secret".into() };
/// assert_eq!(format!("{credentials:?}"), "Basic { user: \"alice\", password: <hidden> }");
/// ```
#[derive(Clone, PartialEq, Eq)]
pub enum Credentials {
    /// Nothing: anonymous, when the repository allows it.
    None,
    /// A user name and password (HTTP basic authentication).
    Basic {
        /// The user name.
        user: String,
        /// The password.
        password: String,
    },
    /// An entitlement key (HTTP bearer token).
    Entitlement(EntitlementKey),
}

impl fmt::Debug for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::None => f.write_str("None"),
            Self::Basic { user, .. } => write!(f, "Basic {{ user: {user:?}, password: <hidden> }}"),
            Self::Entitlement(_) => f.write_str("Entitlement(<hidden>)"),
        }
    }
}

/// Who an authenticated caller is.
///
/// ```rust
/// use conary_repository::Subject;
/// assert_eq!(Subject::User("alice".into()).to_string(), "user alice");
/// assert_eq!(Subject::Anonymous.to_string(), "anonymous");
/// ```
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Subject {
    /// No credentials, anonymous access being on.
    Anonymous,
    /// A user who gave the right password.
    User(String),
    /// The holder of a key of this entitlement class.
    Entitlement(String),
}

impl fmt::Display for Subject {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Anonymous => f.write_str("anonymous"),
            Self::User(name) => write!(f, "user {name}"),
            Self::Entitlement(class) => write!(f, "entitlement {class}"),
        }
    }
}

/// An authenticated caller: who they are, their roles, and the ACLs of
/// those roles. Built by [`crate::Repository::authenticate`]; checking
/// access needs no database.
///
/// ```rust
/// use conary_repository::{Acl, Action, Identity, Subject};
/// let acl = Acl::new("ALL".parse()?, "bash(:.*)?".parse()?).with_write();
/// let alice = Identity::new(Subject::User("alice".into()), false, ["devel".into()].into(), vec![acl]);
/// assert!(alice.can(Action::Write, "conary.example.com@rpl:2", "bash:runtime"));
/// assert!(!alice.can(Action::Read, "conary.example.com@rpl:2", "zsh"));
/// # Ok::<(), conary_repository::RepositoryError>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Identity {
    subject: Subject,
    is_admin: bool,
    roles: BTreeSet<String>,
    acls: Vec<Acl>,
}

impl Identity {
    /// An identity with these roles and ACLs. `is_admin` counts only for
    /// users.
    pub fn new(subject: Subject, is_admin: bool, roles: BTreeSet<String>, acls: Vec<Acl>) -> Self {
        let is_admin = is_admin && matches!(subject, Subject::User(_));
        Self {
            subject,
            is_admin,
            roles,
            acls,
        }
    }

    /// Who this is.
    pub fn subject(&self) -> &Subject {
        &self.subject
    }

    /// Whether this is an admin user, who may do everything.
    pub fn is_admin(&self) -> bool {
        self.is_admin
    }

    /// The names of the roles whose ACLs apply.
    pub fn roles(&self) -> &BTreeSet<String> {
        &self.roles
    }

    /// The ACLs of those roles.
    pub fn acls(&self) -> &[Acl] {
        &self.acls
    }

    /// Whether `action` may be taken at all by this kind of caller:
    /// entitlement holders and anonymous callers only read.
    fn may_ever(&self, action: Action) -> bool {
        action == Action::Read || matches!(self.subject, Subject::User(_))
    }

    /// Whether this caller may take `action` on trove `trove_name` on
    /// `label`.
    pub fn can(&self, action: Action, label: &str, trove_name: &str) -> bool {
        if self.is_admin {
            return true;
        }
        self.may_ever(action)
            && self
                .acls
                .iter()
                .any(|acl| acl.allows(action, label, trove_name))
    }

    /// Whether this caller may take `action` on every trove of every label
    /// (one ACL with `ALL` on both sides, or admin). Routes that do not yet
    /// know which troves a request touches (blobs) require this.
    pub fn can_everywhere(&self, action: Action) -> bool {
        if self.is_admin {
            return true;
        }
        self.may_ever(action)
            && self
                .acls
                .iter()
                .any(|acl| acl.grants(action) && acl.covers_everything())
    }

    /// Whether this caller may read anything at all.
    pub fn can_read_anything(&self) -> bool {
        self.is_admin || self.acls.iter().any(|acl| acl.read)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const LABEL: &str = "conary.example.com@rpl:2";
    const OTHER_LABEL: &str = "other.example.com@rpl:2";

    fn acl(label: &str, troves: &str) -> Acl {
        Acl::new(
            label.parse().expect("label pattern"),
            troves.parse().expect("trove pattern"),
        )
    }

    fn identity(subject: Subject, is_admin: bool, acls: Vec<Acl>) -> Identity {
        Identity::new(subject, is_admin, BTreeSet::new(), acls)
    }

    fn user(acls: Vec<Acl>) -> Identity {
        identity(Subject::User("alice".into()), false, acls)
    }

    #[test]
    fn acl_table() {
        use Action::{Admin, Read, Write};
        // (identity, action, label, trove, allowed)
        let reader = user(vec![acl(LABEL, "ALL")]);
        let writer = user(vec![acl("ALL", "foo(:.*)?").with_write()]);
        let remover = user(vec![acl("*@rpl:*", "ALL").with_admin()]);
        let nobody = user(vec![]);
        let admin = identity(Subject::User("root".into()), true, vec![]);
        let entitled = identity(
            Subject::Entitlement("customers".into()),
            true,
            vec![acl("ALL", "ALL").with_write().with_admin()],
        );
        let anonymous = identity(
            Subject::Anonymous,
            false,
            vec![acl("ALL", "ALL").with_write()],
        );
        let cases: &[(&Identity, Action, &str, &str, bool)] = &[
            (&reader, Read, LABEL, "foo", true),
            (&reader, Read, OTHER_LABEL, "foo", false),
            (&reader, Write, LABEL, "foo", false),
            (&reader, Admin, LABEL, "foo", false),
            (&writer, Read, OTHER_LABEL, "foo:runtime", true),
            (&writer, Write, OTHER_LABEL, "foo:runtime", true),
            (&writer, Write, LABEL, "foobar", false),
            (&writer, Read, LABEL, "bar", false),
            (&remover, Admin, LABEL, "anything", true),
            (&remover, Write, LABEL, "anything", false),
            (&remover, Admin, "a@b:c", "anything", false),
            (&nobody, Read, LABEL, "foo", false),
            (&admin, Read, LABEL, "foo", true),
            (&admin, Write, OTHER_LABEL, "bar", true),
            (&admin, Admin, OTHER_LABEL, "bar", true),
            (&entitled, Read, LABEL, "foo", true),
            (&entitled, Write, LABEL, "foo", false),
            (&entitled, Admin, LABEL, "foo", false),
            (&anonymous, Read, LABEL, "foo", true),
            (&anonymous, Write, LABEL, "foo", false),
        ];
        for (number, (who, action, label, trove, allowed)) in cases.iter().enumerate() {
            assert_eq!(
                who.can(*action, label, trove),
                *allowed,
                "case {number}: {} {action} {label} {trove}",
                who.subject()
            );
        }
    }

    #[test]
    fn everywhere_needs_all_on_both_sides() {
        use Action::{Read, Write};
        let narrow = user(vec![acl(LABEL, "ALL").with_write(), acl("ALL", "foo")]);
        assert!(!narrow.can_everywhere(Read));
        assert!(narrow.can_read_anything());
        let wide = user(vec![acl("ALL", "ALL")]);
        assert!(wide.can_everywhere(Read));
        assert!(!wide.can_everywhere(Write));
        let entitled = identity(
            Subject::Entitlement("c".into()),
            false,
            vec![acl("ALL", "ALL").with_write()],
        );
        assert!(entitled.can_everywhere(Read));
        assert!(!entitled.can_everywhere(Write));
        assert!(!user(vec![]).can_read_anything());
        assert!(identity(Subject::User("root".into()), true, vec![]).can_read_anything());
    }

    #[test]
    fn only_users_are_admins() {
        let anonymous = identity(Subject::Anonymous, true, vec![]);
        assert!(!anonymous.is_admin());
        assert!(!anonymous.can(Action::Read, LABEL, "foo"));
    }

    #[test]
    fn actions_round_trip() {
        for action in [Action::Read, Action::Write, Action::Admin] {
            assert_eq!(action.to_string().parse::<Action>().expect("parse"), action);
        }
        assert_eq!(
            "remove".parse::<Action>().expect_err("unknown").to_string(),
            "invalid action 'remove': expected read, write or admin"
        );
    }
}
